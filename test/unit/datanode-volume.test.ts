// Volume failures and full disks in the block store: a volume whose folders vanish or
// turn into files is taken out of service (periodic check or the I/O error that hit it),
// its replicas reported lost, writes go to the other volume; with every volume gone the
// store refuses new replicas; a write that hits ENOSPC drops its partial replica.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { computeChunkChecksums } from '../../protocol/checksum.js';
import { DfsError } from '../../protocol/errors.js';
import { BlockStore, type ReplicaEvent } from '../../datanode/storage/block-store.js';
import { currentDir, rbwDir } from '../../datanode/storage/layout.js';
import { placementUsageMaxAgeMs, Volume } from '../../datanode/storage/volume.js';

const log = pino({ level: 'silent' });
const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function twoVolumeStore(blockSizeBytes = 1024 * 1024): Promise<{ store: BlockStore; events: ReplicaEvent[]; roots: string[] }> {
  const root = await mkdtemp(join(tmpdir(), 'tsdfs-volume-'));
  dirs.push(root);
  const roots = [join(root, 'a'), join(root, 'b')];
  const store = await BlockStore.open({ dataDirs: roots, reservedBytes: 0, blockSizeBytes, log });
  const events: ReplicaEvent[] = [];
  store.subscribe((event) => events.push(event));
  return { store, events, roots };
}

async function writeReplica(store: BlockStore, blockId: number, data = randomBytes(4096)): Promise<void> {
  const writer = await store.createRbw(blockId, 1001, 512);
  await writer.append(0, data, computeChunkChecksums(data, 512));
  await writer.finalize();
}

function deletedIds(events: ReplicaEvent[]): number[] {
  return events.flatMap((event) => (event.kind === 'deleted' ? [event.block[0]] : [])).sort((a, b) => a - b);
}

describe('failed volumes', () => {
  it('a volume whose current folder is removed fails at the periodic check; its replicas are reported lost', async () => {
    const { store, events, roots } = await twoVolumeStore();
    for (let id = 1; id <= 4; id++) await writeReplica(store, id); // round robin: 1, 3 on a; 2, 4 on b
    const onB = [1, 2, 3, 4].filter((id) => store.getReplica(id)?.volume === roots[1]);
    assert.equal(onB.length, 2);
    await rm(currentDir(roots[1] as string), { recursive: true });
    assert.equal(await store.checkVolumes(), 1);
    assert.equal(store.failedVolumes, 1);
    assert.deepEqual(deletedIds(events), onB);
    assert.equal(store.replicaCount, 2);
    const report = await store.storageReport();
    assert.deepEqual(report.volumes.map((volume) => volume.failed), [false, true]);
    // The datanode keeps working on the other volume, and does not recreate the lost one.
    for (let id = 5; id <= 6; id++) await writeReplica(store, id);
    assert.equal(store.getReplica(5)?.volume, roots[0]);
    assert.equal(store.getReplica(6)?.volume, roots[0]);
    assert.equal(existsSync(currentDir(roots[1] as string)), false);
    const reader = await store.openReader(1, 1001);
    await reader.close();
  });

  it('a volume whose current folder became a file fails on the I/O error of the next write to it', async () => {
    const { store, events, roots } = await twoVolumeStore();
    await writeReplica(store, 1); // on a
    await writeReplica(store, 2); // on b
    await rm(currentDir(roots[1] as string), { recursive: true });
    await writeFile(currentDir(roots[1] as string), 'not a folder');
    await writeReplica(store, 3); // a
    await writeReplica(store, 4); // b has failed: the write is checked, b dropped, a used instead
    assert.equal(store.getReplica(4)?.volume, roots[0]);
    assert.equal(store.failedVolumes, 1);
    assert.deepEqual(deletedIds(events), [2]);
  });

  it('a read that meets a vanished volume triggers its check', async () => {
    const { store, events, roots } = await twoVolumeStore();
    await writeReplica(store, 1);
    await writeReplica(store, 2);
    await rm(roots[1] as string, { recursive: true });
    await assert.rejects(store.openReader(2, 1001), (error: NodeJS.ErrnoException) => error.code === 'ENOENT');
    await waitFor(() => store.failedVolumes === 1);
    assert.deepEqual(deletedIds(events), [2]);
  });

  it('with every volume failed the store keeps running but refuses new replicas, and says why', async () => {
    const { store, roots } = await twoVolumeStore();
    for (const root of roots) await rm(currentDir(root), { recursive: true });
    assert.equal(await store.checkVolumes(), 2);
    await assert.rejects(store.createRbw(7, 1001, 512), (error: DfsError) => error.code === 'DiskFull' && /every volume/.test(error.message));
    const report = await store.storageReport();
    assert.equal(report.remaining, 0);
  });

  it('a healthy volume passes its checks (with the write probe) and leaves nothing behind', async () => {
    const { store, roots } = await twoVolumeStore();
    for (let i = 0; i < 3; i++) assert.equal(await store.checkVolumes(), 0);
    assert.equal(store.failedVolumes, 0);
    const { readdir } = await import('node:fs/promises');
    assert.deepEqual((await readdir(currentDir(roots[0] as string))).sort(), ['finalized', 'rbw']);
  });
});

describe('full disks', () => {
  it('placement reads the free space at most once a second, counting bytes written since as used; never for a failed volume', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tsdfs-volume-usage-'));
    dirs.push(root);
    const volume = new Volume(root, 0);
    const first = await volume.usageForPlacement(10_000);
    volume.dfsUsed += 3 * 1024 * 1024;
    const cached = await volume.usageForPlacement(10_000 + placementUsageMaxAgeMs - 1);
    assert.equal(cached.remaining, Math.max(0, first.remaining - 3 * 1024 * 1024));
    assert.equal(cached.dfsUsed, 3 * 1024 * 1024);
    volume.failed = true;
    assert.equal((await volume.usageForPlacement(10_000 + 1)).remaining, 0, 'a failed volume has no room, whatever was cached');
  });

  it('refuses a new replica with DiskFull when no volume has room for a block', async () => {
    const { store } = await twoVolumeStore(Number.MAX_SAFE_INTEGER);
    await assert.rejects(store.createRbw(1, 1001, 512), (error: DfsError) => error instanceof DfsError && error.code === 'DiskFull' && error.status === 507);
  });

  it('a write that hits ENOSPC fails with DiskFull and its partial replica is dropped (tmpfs)', async (t) => {
    const mountPoint = await mkdtemp(join(tmpdir(), 'tsdfs-tmpfs-'));
    dirs.push(mountPoint);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    } catch {
      t.skip('mounting a tmpfs is not permitted here');
      return;
    }
    try {
      await mkdir(join(mountPoint, 'v'));
      const store = await BlockStore.open({ dataDirs: [join(mountPoint, 'v')], reservedBytes: 0, blockSizeBytes: 64 * 1024, log });
      const writer = await store.createRbw(1, 1001, 512);
      const packet = randomBytes(256 * 1024);
      const checksums = computeChunkChecksums(packet, 512);
      let offset = 0;
      const failure = await (async () => {
        for (;;) {
          await writer.append(offset, packet, checksums);
          offset += packet.length;
        }
      })().catch((error: unknown) => error);
      assert.ok(failure instanceof DfsError && failure.code === 'DiskFull', String(failure));
      await waitFor(() => store.getReplica(1) === undefined);
      const { readdir } = await import('node:fs/promises');
      assert.deepEqual(await readdir(rbwDir(join(mountPoint, 'v'))), []);
      assert.equal(store.dfsUsed, 0);
      assert.equal(store.failedVolumes, 0, 'a full disk is not a failed volume');
    } finally {
      execFileSync('umount', [mountPoint], { stdio: 'ignore' });
    }
  });
});

async function waitFor(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

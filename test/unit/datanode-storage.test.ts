// Block store on real files in temp dirs: write, finalize, read with verification,
// pipeline recovery, corruption, delete, restart scan, identity kept in VERSION.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { computeChunkChecksums } from '../../protocol/checksum.js';
import { DfsError } from '../../protocol/errors.js';
import { BlockStore, type ReplicaEvent } from '../../datanode/storage/block-store.js';
import { finalizedSubdir } from '../../datanode/storage/layout.js';
import type { ReplicaWriter } from '../../datanode/storage/replica-writer.js';

const bytesPerChecksum = 512;
const log = pino({ level: 'silent' });
const tempDirs: string[] = [];

after(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tsdfs-dn-store-'));
  tempDirs.push(dir);
  return dir;
}

type OpenStore = (dirs: string[], options?: { reservedBytes?: number }) => Promise<BlockStore>;

const openDiskStore: OpenStore = (dirs, options = {}) =>
  BlockStore.open({ dataDirs: dirs, reservedBytes: options.reservedBytes ?? 0, blockSizeBytes: 1024 * 1024, log });

/** Appends `data` in packets of `packetBytes`, as a pipeline would. */
async function appendAll(writer: ReplicaWriter, data: Buffer, packetBytes = 64 * 1024): Promise<void> {
  for (let offset = writer.length, start = 0; start < data.length; start += packetBytes, offset = writer.length) {
    const slice = data.subarray(start, Math.min(start + packetBytes, data.length));
    await writer.append(offset, slice, computeChunkChecksums(slice, bytesPerChecksum));
  }
}

async function readWhole(store: BlockStore, blockId: number, genStamp: number): Promise<Buffer> {
  const reader = await store.openReader(blockId, genStamp);
  try {
    const result = await reader.read(0, reader.length);
    assert.ok(result.ok, 'replica verifies');
    return result.data;
  } finally {
    await reader.close();
  }
}

function rejectsWithCode(promise: Promise<unknown>, code: DfsError['code']): Promise<void> {
  return assert.rejects(promise, (error: unknown) => error instanceof DfsError && error.code === code);
}

/** The behaviour every block store must have; run here against the store on disk. */
function blockStoreContract(name: string, openStore: OpenStore): void {
  describe(`${name} block store`, () => {
    it('writes, finalizes and reads back a replica with its checksums', async () => {
      const store = await openStore([await tempDir()]);
      const events: ReplicaEvent[] = [];
      store.subscribe((event) => events.push(event));
      const data = randomBytes(150_000);
      const writer = await store.createRbw(7, 1001, bytesPerChecksum);
      await appendAll(writer, data);
      assert.equal(store.getReplica(7)?.state, 'rbw');
      await writer.finalize();
      assert.deepEqual(store.getReplica(7), { blockId: 7, genStamp: 1001, length: data.length, state: 'finalized', volume: store.volumes[0]?.root, beingWritten: false });
      assert.deepEqual(events, [{ kind: 'received', replica: [7, 1001, data.length] }]);
      assert.deepEqual(await readWhole(store, 7, 1001), data);
      assert.deepEqual([...store.finalizedReplicas()], [[7, 1001, data.length]]);
      assert.equal(store.dfsUsed, data.length + 7 + Math.ceil(data.length / bytesPerChecksum) * 4);
    });

    it('refuses a packet that does not continue the replica', async () => {
      const store = await openStore([await tempDir()]);
      const writer = await store.createRbw(8, 1001, bytesPerChecksum);
      const data = randomBytes(1024);
      await rejectsWithCode(writer.append(512, data, computeChunkChecksums(data, bytesPerChecksum)), 'InvalidRequest');
      await writer.append(0, data.subarray(0, 100), computeChunkChecksums(data.subarray(0, 100), bytesPerChecksum));
      await rejectsWithCode(writer.append(100, data, computeChunkChecksums(data, bytesPerChecksum)), 'InvalidRequest');
      await writer.abort();
    });

    it('refuses a second replica of the same block', async () => {
      const store = await openStore([await tempDir()]);
      await (await store.createRbw(9, 1001, bytesPerChecksum)).finalize();
      await rejectsWithCode(store.createRbw(9, 1002, bytesPerChecksum), 'FileAlreadyExists');
    });

    it('recovers a broken pipeline: truncates to the acked offset under a new generation stamp', async () => {
      const dir = await tempDir();
      const store = await openStore([dir]);
      const first = randomBytes(3 * bytesPerChecksum);
      const writer = await store.createRbw(10, 1001, bytesPerChecksum);
      await appendAll(writer, first, bytesPerChecksum);
      const recovered = await store.recoverRbw(10, 1001, 1002, 2 * bytesPerChecksum, bytesPerChecksum);
      assert.ok(writer.isClosed, 'the old writer was stopped');
      assert.equal(recovered.length, 2 * bytesPerChecksum);
      const rest = randomBytes(700);
      await appendAll(recovered, rest);
      await recovered.finalize();
      assert.equal(store.getReplica(10)?.genStamp, 1002);
      assert.deepEqual(await readWhole(store, 10, 1002), Buffer.concat([first.subarray(0, 2 * bytesPerChecksum), rest]));
      const files = await readdir(finalizedSubdir(dir, 10));
      assert.deepEqual(files.sort(), ['blk_10', 'blk_10_1002.meta']);
    });

    it('recovers a replica finalized just before the pipeline broke', async () => {
      const store = await openStore([await tempDir()]);
      const data = randomBytes(1000);
      const writer = await store.createRbw(11, 1001, bytesPerChecksum);
      await appendAll(writer, data);
      await writer.finalize();
      const recovered = await store.recoverRbw(11, 1001, 1003, data.length, bytesPerChecksum);
      assert.equal(store.getReplica(11)?.state, 'rbw');
      await recovered.append(data.length, Buffer.alloc(0), Buffer.alloc(0));
      await recovered.finalize();
      assert.equal(store.getReplica(11)?.genStamp, 1003);
      assert.deepEqual(await readWhole(store, 11, 1003), data);
      await rejectsWithCode(store.recoverRbw(11, 1001, 1002, 0, bytesPerChecksum), 'StaleGenerationStamp');
    });

    it('finds a corrupt byte on disk when reading', async () => {
      const dir = await tempDir();
      const store = await openStore([dir]);
      const data = randomBytes(4 * bytesPerChecksum);
      const writer = await store.createRbw(12, 1001, bytesPerChecksum);
      await appendAll(writer, data);
      await writer.finalize();
      const handle = await open(join(finalizedSubdir(dir, 12), 'blk_12'), 'r+');
      await handle.write(Buffer.from([data[2 * bytesPerChecksum + 5]! ^ 0xff]), 0, 1, 2 * bytesPerChecksum + 5);
      await handle.close();
      const reader = await store.openReader(12, 1001);
      assert.deepEqual(await reader.read(0, bytesPerChecksum), { ok: true, data: data.subarray(0, 512), checksums: computeChunkChecksums(data.subarray(0, 512), 512) });
      assert.deepEqual(await reader.read(0, reader.length), { ok: false, corruptChunk: 2 });
      await reader.close();
    });

    it('deletes a replica and reports it', async () => {
      const dir = await tempDir();
      const store = await openStore([dir]);
      const events: ReplicaEvent[] = [];
      store.subscribe((event) => events.push(event));
      await appendAndFinalize(store, 13, 1001, randomBytes(2000));
      assert.equal(await store.deleteReplica(13, 1000), 'newer');
      assert.equal(await store.deleteReplica(13, 1001), 'deleted');
      assert.equal(await store.deleteReplica(13, 1001), 'absent');
      assert.equal(store.getReplica(13), undefined);
      assert.equal(store.dfsUsed, 0);
      assert.deepEqual(await readdir(finalizedSubdir(dir, 13)), []);
      assert.deepEqual(events.at(-1), { kind: 'deleted', block: [13, 1001] });
      await rejectsWithCode(store.openReader(13, 1001), 'ReplicaNotFound');
    });

    it('answers DiskFull when no volume keeps its reserve', async () => {
      const store = await openStore([await tempDir()], { reservedBytes: Number.MAX_SAFE_INTEGER });
      await rejectsWithCode(store.createRbw(14, 1001, bytesPerChecksum), 'DiskFull');
    });

    it('places new replicas round-robin over the volumes', async () => {
      const dirs = [await tempDir(), await tempDir()];
      const store = await openStore(dirs);
      for (const id of [21, 22, 23, 24]) await appendAndFinalize(store, id, 1001, randomBytes(100));
      const volumes = [21, 22, 23, 24].map((id) => store.getReplica(id)?.volume);
      assert.equal(new Set(volumes).size, 2);
      assert.notEqual(volumes[0], volumes[1]);
    });

    it('keeps finalized replicas and drops rbw ones across a restart, with the same UUID', async () => {
      const dirs = [await tempDir(), await tempDir()];
      const store = await openStore(dirs);
      const data = randomBytes(5000);
      await appendAndFinalize(store, 31, 1001, data);
      const unfinished = await store.createRbw(32, 1001, bytesPerChecksum);
      await appendAll(unfinished, randomBytes(3000));
      await unfinished.abort();
      await store.adoptClusterId('CID-test');
      const reopened = await openStore(dirs);
      assert.equal(reopened.datanodeUuid, store.datanodeUuid);
      assert.equal(reopened.clusterId, 'CID-test');
      assert.equal(reopened.getReplica(31)?.state, 'finalized');
      assert.equal(reopened.getReplica(32), undefined);
      assert.deepEqual(await readWhole(reopened, 31, 1001), data);
      for (const dir of dirs) {
        assert.deepEqual(await readdir(join(dir, 'current', 'rbw')), []);
        const version = JSON.parse(await readFile(join(dir, 'VERSION'), 'utf8'));
        assert.deepEqual(version, { clusterId: 'CID-test', datanodeUuid: store.datanodeUuid, layoutVersion: 1 });
      }
    });
  });
}

async function appendAndFinalize(store: BlockStore, blockId: number, genStamp: number, data: Buffer): Promise<void> {
  const writer = await store.createRbw(blockId, genStamp, bytesPerChecksum);
  await appendAll(writer, data);
  await writer.finalize();
}

blockStoreContract('disk', openDiskStore);

describe('disk block store start-up', () => {
  it('makes a UUID on first start and refuses volumes of two datanodes', async () => {
    const [a, b] = [await tempDir(), await tempDir()];
    const first = await openDiskStore([a]);
    const second = await openDiskStore([b]);
    assert.match(first.datanodeUuid, /^[0-9a-f-]{36}$/);
    assert.notEqual(first.datanodeUuid, second.datanodeUuid);
    await assert.rejects(openDiskStore([a, b]), /different datanodes/);
  });

  it('ignores a block file without meta file', async () => {
    const dir = await tempDir();
    await openDiskStore([dir]);
    await mkdir(finalizedSubdir(dir, 40), { recursive: true });
    await writeFile(join(finalizedSubdir(dir, 40), 'blk_40'), 'x');
    const store = await openDiskStore([dir]);
    assert.equal(store.getReplica(40), undefined);
    assert.ok(existsSync(join(finalizedSubdir(dir, 40), 'blk_40')));
  });
});

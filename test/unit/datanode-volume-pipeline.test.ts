// A full disk in the middle of a write pipeline (real ENOSPC on a tiny tmpfs): the full
// datanode acks an error for itself, drops its partial replica, and the write recovers on
// the other two from the last acked offset, as the client's pipeline recovery does it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseConfig } from '../../config/index.js';
import { computeChunkChecksums } from '../../protocol/checksum.js';
import { type Ack, AckDecoder, AckStatus, encodePacket, formatTargets, type Packet, targetsHeader } from '../../protocol/data-transfer.js';
import { type RunningDatanode, startDatanode } from '../../datanode/main.js';
import { finalizedSubdir, rbwDir } from '../../datanode/storage/layout.js';

const bytesPerChecksum = 512;
const packetBytes = 128 * 1024;
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

async function startNode(dataDir: string): Promise<RunningDatanode> {
  const config = parseConfig({
    'dfs.datanode.data.dir': dataDir,
    'dfs.datanode.address': '127.0.0.1:0',
    'dfs.datanode.hostname': '127.0.0.1',
    'dfs.blocksize': '64k',
    'dfs.block.access.token.enable': 'false',
    'tsdfs.log.level': 'silent',
  });
  const node = await startDatanode(config, { connectToNamenode: false, announce: () => undefined });
  cleanups.push(() => node.close());
  return node;
}

function packetsOf(data: Buffer, fromOffset = 0, firstSeq = 0): Packet[] {
  const packets: Packet[] = [];
  for (let start = 0, seq = firstSeq; start < data.length; start += packetBytes) {
    const slice = data.subarray(start, Math.min(start + packetBytes, data.length));
    packets.push({ seq: seq++, offset: fromOffset + start, dataLength: slice.length, last: start + packetBytes >= data.length, data: slice, checksums: computeChunkChecksums(slice, bytesPerChecksum) });
  }
  return packets;
}

/** PUT through the pipeline, sending packets one at a time as acks come back; collects the acks. */
function writeBlock(first: RunningDatanode, rest: RunningDatanode[], blockId: number, packets: Packet[], query: string): Promise<{ status: number; acks: Ack[] }> {
  const [host, port] = first.address.split(':');
  const headers = rest.length > 0 ? { [targetsHeader]: formatTargets(rest.map((dn) => ({ uuid: dn.uuid, name: dn.address }))) } : {};
  const request = http.request({ host, port: Number(port), method: 'PUT', path: `/blocks/${blockId}?${query}`, agent: false, headers });
  request.flushHeaders();
  return new Promise((resolve, reject) => {
    request.once('error', reject);
    request.once('response', (response) => {
      const acks: Ack[] = [];
      const decoder = new AckDecoder();
      let sent = 0;
      const sendNext = (): void => {
        const packet = packets[sent++];
        if (!packet) return;
        for (const buffer of encodePacket(packet)) request.write(buffer);
        if (packet.last) request.end();
      };
      response.on('data', (chunk: Buffer) => {
        for (const ack of decoder.push(chunk)) {
          acks.push(ack);
          if (ack.statuses.every((status) => status === AckStatus.success)) sendNext();
        }
      });
      response.once('end', () => {
        request.destroy();
        resolve({ status: response.statusCode ?? 0, acks });
      });
      if (response.statusCode === 200) sendNext();
    });
  });
}

describe('full disk in a write pipeline', () => {
  it('the full datanode acks an error for itself, drops its partial replica, and the others recover the write', async (t) => {
    const mountPoint = await mkdtemp(join(tmpdir(), 'tsdfs-tmpfs-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mountPoint], { stdio: 'ignore' });
    } catch {
      await rm(mountPoint, { recursive: true, force: true });
      t.skip('mounting a tmpfs is not permitted here');
      return;
    }
    cleanups.push(async () => {
      execFileSync('umount', [mountPoint], { stdio: 'ignore' });
      await rm(mountPoint, { recursive: true, force: true });
    });
    const diskDir = await mkdtemp(join(tmpdir(), 'tsdfs-full-pipeline-'));
    cleanups.push(() => rm(diskDir, { recursive: true, force: true }));
    await mkdir(join(mountPoint, 'v'));
    const [first, full, last] = [await startNode(join(diskDir, 'a')), await startNode(join(mountPoint, 'v')), await startNode(join(diskDir, 'c'))] as [RunningDatanode, RunningDatanode, RunningDatanode];

    const data = randomBytes(2 * 1024 * 1024);
    const packets = packetsOf(data);
    const broken = await writeBlock(first, [full, last], 77, packets, `genStamp=1001&bytesPerChecksum=${bytesPerChecksum}`);
    assert.equal(broken.status, 200);
    const failing = broken.acks.at(-1);
    assert.deepEqual(failing?.statuses, [AckStatus.success, AckStatus.error], 'the full node is named at its own index');
    const acked = broken.acks.filter((ack) => ack.statuses.every((status) => status === AckStatus.success)).length * packetBytes;
    assert.ok(acked > 0 && acked < data.length);
    await waitFor(() => full.store.getReplica(77) === undefined);
    assert.deepEqual(await readdir(rbwDir(join(mountPoint, 'v'))), []);
    await waitFor(() => first.store.getReplica(77)?.beingWritten === false && last.store.getReplica(77)?.beingWritten === false);

    // The client drops the full node and recovers on the survivors from the last acked offset.
    const query = `genStamp=1002&bytesPerChecksum=${bytesPerChecksum}&stage=recover&oldGenStamp=1001&offset=${acked}`;
    const rest = packetsOf(data.subarray(acked), acked, acked / packetBytes);
    const recovered = await writeBlock(first, [last], 77, rest, query);
    assert.equal(recovered.status, 200);
    assert.deepEqual(recovered.acks.map((ack) => ack.statuses), rest.map(() => [AckStatus.success, AckStatus.success]));
    for (const dn of [first, last]) {
      const volume = dn.store.getReplica(77)?.volume ?? '';
      assert.deepEqual(await readFile(join(finalizedSubdir(volume, 77), 'blk_77')), data);
    }
    assert.equal(full.store.failedVolumes, 0);
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

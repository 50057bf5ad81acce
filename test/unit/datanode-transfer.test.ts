// Data servers of real datanodes on 127.0.0.1 (no namenode): a block written by hand
// through a 3-node pipeline, verified reads of ranges, corruption never sent, bad requests
// refused with RemoteException JSON, broken set-up answered 502, pipeline recovery.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { parseConfig } from '../../config/index.js';
import { computeChunkChecksums, findChecksumMismatch } from '../../protocol/checksum.js';
import {
  type Ack,
  AckDecoder,
  badNodeHeader,
  encodePacket,
  formatTargets,
  type Packet,
  PacketDecoder,
  startOffsetHeader,
  targetsHeader,
} from '../../protocol/data-transfer.js';
import { RemoteException } from '../../protocol/errors.js';
import { packetDataBytes } from '../../protocol/limits.js';
import { type RunningDatanode, startDatanode } from '../../datanode/main.js';
import { DatanodeMetrics } from '../../datanode/metrics.js';
import { BlockStore } from '../../datanode/storage/block-store.js';
import { finalizedSubdir } from '../../datanode/storage/layout.js';
import { createDataServer } from '../../datanode/transfer/data-server.js';
import { TransferSlots } from '../../datanode/transfer/transfer-slots.js';

const bytesPerChecksum = 512;
/** The datanode's own packet size, so reads cut the data the way these writes did. */
const packetBytes = packetDataBytes;
const nodes: RunningDatanode[] = [];
const dirs: string[] = [];

before(async () => {
  for (let i = 0; i < 3; i++) nodes.push(await startNode());
});

after(async () => {
  await Promise.all(nodes.map((node) => node.close()));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function startNode(): Promise<RunningDatanode> {
  const dir = await mkdtemp(join(tmpdir(), 'tsdfs-dn-transfer-'));
  dirs.push(dir);
  const config = parseConfig({
    'dfs.datanode.data.dir': dir,
    'dfs.datanode.address': '127.0.0.1:0',
    'dfs.datanode.hostname': '127.0.0.1',
    'dfs.blocksize': '1m',
    'tsdfs.log.level': 'silent',
    // The transfer mechanics, without tokens (test/integration/security.test.ts covers those).
    'dfs.block.access.token.enable': false,
  });
  return startDatanode(config, { connectToNamenode: false, announce: () => undefined });
}

function node(index: number): RunningDatanode {
  return nodes[index] as RunningDatanode;
}

const target = (dn: RunningDatanode) => ({ uuid: dn.uuid, name: dn.address });

/** Packets as a client cuts them: chunk-aligned 64 KiB, the last one flagged. */
function packetsOf(data: Buffer, fromOffset = 0, firstSeq = 0): Packet[] {
  const packets: Packet[] = [];
  let seq = firstSeq;
  for (let start = 0; start < data.length || packets.length === 0; start += packetBytes) {
    const slice = data.subarray(start, Math.min(start + packetBytes, data.length));
    const last = start + packetBytes >= data.length;
    packets.push({ seq: seq++, offset: fromOffset + start, dataLength: slice.length, last, data: slice, checksums: computeChunkChecksums(slice, bytesPerChecksum) });
  }
  return packets;
}

interface WriteReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  acks: Ack[];
  body: string;
}

interface WriteOptions {
  genStamp?: number;
  query?: string;
  /** Stop sending after this many packets and keep the connection open until the acks came. */
  sendOnly?: number;
}

/** A hand-made client write: PUT, wait for 200, stream the packets, collect the acks. */
function writeBlock(first: RunningDatanode, rest: Array<{ uuid: string; name: string }>, blockId: number, packets: Packet[], options: WriteOptions = {}): Promise<WriteReply> {
  const query = options.query ?? `genStamp=${options.genStamp ?? 1001}&bytesPerChecksum=${bytesPerChecksum}`;
  const [host, port] = first.address.split(':');
  const request = http.request({ host, port: Number(port), method: 'PUT', path: `/blocks/${blockId}?${query}`, agent: false, headers: rest.length > 0 ? { [targetsHeader]: formatTargets(rest) } : {} });
  request.flushHeaders();
  return new Promise((resolve, reject) => {
    request.once('error', reject);
    request.once('response', (response) => {
      const reply: WriteReply = { status: response.statusCode ?? 0, headers: response.headers, acks: [], body: '' };
      const decoder = new AckDecoder();
      const toSend = packets.slice(0, options.sendOnly ?? packets.length);
      response.on('data', (chunk: Buffer) => {
        if (reply.status !== 200) reply.body += chunk.toString();
        else reply.acks.push(...decoder.push(chunk));
        if (options.sendOnly !== undefined && reply.acks.length === toSend.length) {
          request.destroy();
          resolve(reply);
        }
      });
      response.once('end', () => {
        request.destroy();
        resolve(reply);
      });
      if (reply.status !== 200) return;
      for (const packet of toSend) for (const buffer of encodePacket(packet)) request.write(buffer);
      if (options.sendOnly === undefined) request.end();
    });
  });
}

interface ReadReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  packets: Packet[];
  body: string;
  broken: boolean;
}

function readBlock(dn: RunningDatanode, path: string): Promise<ReadReply> {
  const [host, port] = dn.address.split(':');
  return new Promise((resolve) => {
    const reply: ReadReply = { status: 0, headers: {}, packets: [], body: '', broken: false };
    const request = http.get({ host, port: Number(port), path, agent: false }, (response) => {
      reply.status = response.statusCode ?? 0;
      reply.headers = response.headers;
      const decoder = new PacketDecoder(Number(response.headers['x-tsdfs-bytes-per-checksum'] ?? bytesPerChecksum));
      response.on('data', (chunk: Buffer) => {
        if (reply.status === 200 && path.startsWith('/blocks/')) reply.packets.push(...decoder.push(chunk));
        else reply.body += chunk.toString();
      });
      response.once('end', () => resolve(reply));
      response.once('aborted', () => {
        reply.broken = true;
        resolve(reply);
      });
      response.once('error', () => {
        reply.broken = true;
        resolve(reply);
      });
    });
    request.once('error', () => {
      reply.broken = true;
      resolve(reply);
    });
  });
}

function dataOf(packets: Packet[]): Buffer {
  for (const packet of packets) assert.equal(findChecksumMismatch(packet.data, packet.checksums, bytesPerChecksum), -1);
  return Buffer.concat(packets.map((packet) => packet.data));
}

function assertRemoteException(body: string, exception?: string): void {
  const parsed = RemoteException.parse(JSON.parse(body));
  if (exception) assert.equal(parsed.RemoteException.exception, exception);
}

async function blockFile(dn: RunningDatanode, blockId: number): Promise<Buffer> {
  const volume = dn.store.volumes[0]?.root ?? '';
  return readFile(join(finalizedSubdir(volume, blockId), `blk_${blockId}`));
}

describe('datanode data transfer', () => {
  const data = randomBytes(3 * packetBytes + 1234);

  it('writes a block through a 3-node pipeline, acked by every node, identical everywhere', async () => {
    const packets = packetsOf(data);
    const reply = await writeBlock(node(0), [target(node(1)), target(node(2))], 101, packets);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.acks, packets.map((packet) => ({ seq: packet.seq, statuses: [0, 0, 0] })));
    for (const dn of nodes) {
      assert.deepEqual(dn.store.getReplica(101)?.state, 'finalized');
      assert.deepEqual(await blockFile(dn, 101), data);
    }
  });

  it('reads back whole blocks and unaligned ranges from any replica', async () => {
    const whole = await readBlock(node(2), '/blocks/101?genStamp=1001');
    assert.equal(whole.status, 200);
    assert.equal(whole.headers['x-tsdfs-block-length'], String(data.length));
    assert.ok(whole.packets.at(-1)?.last);
    assert.ok(whole.packets.every((packet) => packet.dataLength <= packetBytes));
    assert.deepEqual(dataOf(whole.packets), data);

    const range = await readBlock(node(1), '/blocks/101?genStamp=1001&offset=1000&length=70000');
    assert.equal(range.headers[startOffsetHeader], '512');
    const got = dataOf(range.packets);
    assert.deepEqual(got.subarray(1000 - 512, 1000 - 512 + 70000), data.subarray(1000, 71000));

    const tail = await readBlock(node(0), `/blocks/101?genStamp=1001&offset=${data.length - 10}&length=100`);
    assert.deepEqual(dataOf(tail.packets).subarray(-10), data.subarray(-10));
    const atEnd = await readBlock(node(0), `/blocks/101?genStamp=1001&offset=${data.length}`);
    assert.equal(atEnd.status, 200);
    const start = Number(atEnd.headers[startOffsetHeader]);
    assert.equal(start % bytesPerChecksum, 0);
    assert.deepEqual(dataOf(atEnd.packets), data.subarray(start), 'only the chunk holding the offset, for the client to trim');
  });

  it('serves many concurrent reads of different blocks, each with its own bytes, from pooled send buffers', async () => {
    const blocks = [111, 112, 113, 114].map((blockId) => ({ blockId, bytes: randomBytes(2 * packetBytes + blockId) }));
    for (const { blockId, bytes } of blocks) assert.equal((await writeBlock(node(0), [], blockId, packetsOf(bytes))).status, 200);
    const reads = blocks.flatMap(({ blockId, bytes }) => [0, 1, 2].map(async () => ({ bytes, reply: await readBlock(node(0), `/blocks/${blockId}?genStamp=1001`) })));
    for (const { bytes, reply } of await Promise.all(reads)) {
      assert.equal(reply.status, 200);
      assert.ok(dataOf(reply.packets).equals(bytes));
    }
  });

  it('never sends a corrupt chunk: the connection is destroyed', async () => {
    const packets = packetsOf(data);
    assert.equal((await writeBlock(node(0), [], 102, packets)).status, 200);
    const corruptAt = packetBytes + 3 * bytesPerChecksum + 7;
    const handle = await open(join(finalizedSubdir(node(0).store.volumes[0]?.root ?? '', 102), 'blk_102'), 'r+');
    await handle.write(Buffer.from([(data[corruptAt] ?? 0) ^ 0x55]), 0, 1, corruptAt);
    await handle.close();
    const reply = await readBlock(node(0), '/blocks/102?genStamp=1001');
    assert.ok(reply.broken, 'connection cut');
    const received = dataOf(reply.packets);
    assert.ok(received.length <= packetBytes, 'nothing from the corrupt packet was sent');
    const metrics = await readBlock(node(0), '/metrics');
    assert.match(metrics.body, /tsdfs_datanode_checksum_errors_total 1/);
  });

  it('acks a packet whose checksum is wrong with checksumError', async () => {
    const packets = packetsOf(randomBytes(2000));
    const bad = packets[0] as Packet;
    bad.checksums = Buffer.from(bad.checksums);
    bad.checksums.writeUInt32BE(12345, 0);
    const reply = await writeBlock(node(1), [], 103, packets);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.acks, [{ seq: 0, statuses: [2] }]);
  });

  it('refuses bad paths, ids and queries with RemoteException JSON', async () => {
    for (const path of ['/blocks/../x', '/blocks/-1', '/blocks/abc', '/blocks/0', '/blocks/%2e%2e%2fVERSION', '/blocks/1/../../VERSION']) {
      const reply = await readBlock(node(0), `${path}?genStamp=1`);
      assert.ok(reply.status >= 400 && reply.status < 500, `${path} → ${reply.status}`);
      assertRemoteException(reply.body);
    }
    const noStamp = await readBlock(node(0), '/blocks/101');
    assert.equal(noStamp.status, 400);
    assertRemoteException(noStamp.body, 'IllegalArgumentException');
    const unknown = await readBlock(node(0), '/blocks/999?genStamp=1');
    assert.equal(unknown.status, 404);
    assertRemoteException(unknown.body, 'ReplicaNotFoundException');
    const newer = await readBlock(node(0), '/blocks/101?genStamp=2000');
    assert.equal(newer.status, 409);
    const other = await readBlock(node(0), '/VERSION');
    assert.equal(other.status, 404);
    const badWrite = await writeBlock(node(0), [], 104, [], { query: 'genStamp=abc&bytesPerChecksum=512' });
    assert.equal(badWrite.status, 400);
    assertRemoteException(badWrite.body);
    const exists = await writeBlock(node(0), [], 101, packetsOf(data));
    assert.equal(exists.status, 409);
  });

  it('answers 502 naming the downstream datanode it cannot reach', async () => {
    const unreachable = { uuid: 'dead-node-uuid', name: '127.0.0.1:1' };
    const reply = await writeBlock(node(0), [target(node(1)), unreachable], 105, packetsOf(data));
    assert.equal(reply.status, 502);
    assert.equal(reply.headers[badNodeHeader], 'dead-node-uuid');
    assertRemoteException(reply.body);
    assert.equal(node(0).store.getReplica(105), undefined, 'no replica left behind');
    assert.equal(node(1).store.getReplica(105), undefined);
  });

  it('recovers a broken pipeline on the survivors from the last acked offset', async () => {
    const packets = packetsOf(data);
    const partial = await writeBlock(node(0), [target(node(1)), target(node(2))], 106, packets, { sendOnly: 2 });
    assert.equal(partial.acks.length, 2);
    await waitUntil(() => node(0).store.getReplica(106)?.beingWritten === false && node(1).store.getReplica(106)?.beingWritten === false);
    const acked = 2 * packetBytes;
    const query = `genStamp=1002&bytesPerChecksum=${bytesPerChecksum}&stage=recover&oldGenStamp=1001&offset=${acked}`;
    const rest = packetsOf(data.subarray(acked), acked, 2);
    const reply = await writeBlock(node(0), [target(node(1))], 106, rest, { query });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.acks.map((ack) => ack.statuses), rest.map(() => [0, 0]));
    for (const dn of [node(0), node(1)]) {
      assert.equal(dn.store.getReplica(106)?.genStamp, 1002);
      assert.deepEqual(await blockFile(dn, 106), data);
    }
  });

  it('reports a downstream that dies mid-block as error at its index', async () => {
    const doomed = await startNode();
    const packets = packetsOf(data);
    const [host, port] = node(0).address.split(':');
    const request = http.request({ host, port: Number(port), method: 'PUT', path: `/blocks/107?genStamp=1001&bytesPerChecksum=${bytesPerChecksum}`, agent: false, headers: { [targetsHeader]: formatTargets([target(doomed)]) } });
    request.flushHeaders();
    const response = await new Promise<http.IncomingMessage>((resolve) => request.once('response', resolve));
    assert.equal(response.statusCode, 200);
    const acks: Ack[] = [];
    const decoder = new AckDecoder();
    const ended = new Promise<void>((resolve) => response.once('end', resolve));
    response.on('data', (chunk: Buffer) => acks.push(...decoder.push(chunk)));
    for (const buffer of encodePacket(packets[0] as Packet)) request.write(buffer);
    await waitUntil(() => acks.length === 1);
    await doomed.close();
    for (const buffer of encodePacket(packets[1] as Packet)) request.write(buffer);
    await ended;
    request.destroy();
    assert.deepEqual(acks, [{ seq: 0, statuses: [0, 0] }, { seq: 1, statuses: [0, 1] }]);
    await waitUntil(() => node(0).store.getReplica(107)?.beingWritten === false);
    assert.equal(node(0).store.getReplica(107)?.state, 'rbw', 'kept for a pipeline recovery');
  });

  it('serves /status as JSON', async () => {
    const reply = await readBlock(node(0), '/status');
    const status = JSON.parse(reply.body) as { uuid: string; volumes: unknown[] };
    assert.equal(status.uuid, node(0).uuid);
    assert.equal(status.volumes.length, 1);
  });
});

describe('datanode data server limits', () => {
  it('refuses a transfer with 503 when every slot is taken', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsdfs-dn-slots-'));
    dirs.push(dir);
    const log = pino({ level: 'silent' });
    const store = await BlockStore.open({ dataDirs: [dir], reservedBytes: 0, blockSizeBytes: 1024, log });
    const slots = new TransferSlots(0);
    const metrics = new DatanodeMetrics({ activeTransfers: () => slots.activeCount, replicas: () => 0, dfsUsedBytes: () => 0 });
    const server = createDataServer({ store, metrics, log, slots, reportBadBlock: () => undefined, checkBlockAccess: () => undefined, status: () => ({}) });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const fake = { address: `127.0.0.1:${port}` } as RunningDatanode;
      const reply = await readBlock(fake, '/blocks/1?genStamp=1');
      assert.equal(reply.status, 503);
      assertRemoteException(reply.body, 'RetriableException');
    } finally {
      server.close();
    }
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

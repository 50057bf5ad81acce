// The client's write pipeline and reads against real datanode data servers in-process,
// with a small in-memory namenode standing in for the real one: a round trip, a datanode
// dying mid-block (pipeline recovery), a dead node at set-up (fresh block elsewhere), and
// a replica serving corrupt bytes (skipped, reported, never delivered).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { DfsClient } from '../../client-lib/index.js';
import { parseConfig } from '../../config/index.js';
import { computeChunkChecksums } from '../../protocol/checksum.js';
import type { DatanodeLocation, ExtendedBlock } from '../../protocol/common.js';
import { bytesPerChecksumHeader, encodePacket, startOffsetHeader } from '../../protocol/data-transfer.js';
import { DatanodeMetrics } from '../../datanode/metrics.js';
import { BlockStore } from '../../datanode/storage/block-store.js';
import { createDataServer } from '../../datanode/transfer/data-server.js';
import { TransferSlots } from '../../datanode/transfer/transfer-slots.js';

const blockSize = 4 * 1024 * 1024;
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

interface TestDatanode {
  location: DatanodeLocation;
  server: http.Server;
  /** The namenode still offers a killed node until it notices, as after a SIGKILL. */
  kill(): void;
}

async function startDatanode(dir: string): Promise<TestDatanode> {
  const log = pino({ level: 'silent' });
  const store = await BlockStore.open({ dataDirs: [dir], reservedBytes: 0, blockSizeBytes: blockSize, log });
  const slots = new TransferSlots();
  const server = createDataServer({
    store,
    log,
    slots,
    metrics: new DatanodeMetrics({ activeTransfers: () => 0, replicas: () => 0, dfsUsedBytes: () => 0 }),
    reportBadBlock: () => {},
    checkBlockAccess: () => {},
    status: () => ({}),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const name = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    location: { uuid: store.datanodeUuid, name, hostname: '127.0.0.1', rack: '/default-rack' },
    server,
    kill() {
      server.closeAllConnections();
      server.close();
    },
  };
}

interface FakeBlock extends ExtendedBlock {
  nodes: DatanodeLocation[];
}

/** Just enough namenode for one client's writes and reads: blocks, generation stamps, locations. */
class FakeNamenode {
  readonly calls: Array<[string, Record<string, unknown>]> = [];
  readonly files = new Map<string, { fileId: number; blocks: FakeBlock[]; complete: boolean }>();
  readonly datanodes: DatanodeLocation[] = [];
  private nextBlockId = 1000;
  private nextGenStamp = 1;
  private server = http.createServer((request, response) => this.route(request, response));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): void {
    this.server.closeAllConnections();
    this.server.close();
  }

  callsOf(method: string): Array<Record<string, unknown>> {
    return this.calls.filter(([name]) => name === method).map(([, body]) => body);
  }

  private route(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const method = (request.url ?? '').replace('/rpc/', '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      this.calls.push([method, body]);
      const reply = this.handle(method, body as never);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(reply));
    });
  }

  // biome-ignore lint: the fake answers a handful of methods with loosely typed bodies
  private handle(method: string, body: any): unknown {
    const file = this.files.get(body.path);
    const block = (id: number): FakeBlock => [...this.files.values()].flatMap((f) => f.blocks).find((b) => b.id === id) as FakeBlock;
    const located = (b: FakeBlock, offset = 0) => ({ block: { id: b.id, genStamp: b.genStamp, length: b.length }, offset, locations: b.nodes, corrupt: false, token: '' });
    const commit = (previous: ExtendedBlock | null) => {
      if (previous) Object.assign(block(previous.id), { length: previous.length, genStamp: previous.genStamp });
    };
    switch (method) {
      case 'getServerDefaults':
        return { blockSize, bytesPerChecksum: 512, replication: 3, checksumType: 'CRC32C', clusterId: 'test' };
      case 'create':
        this.files.set(body.path, { fileId: this.files.size + 1, blocks: [], complete: false });
        return { status: this.status(body.path) };
      case 'getFileInfo':
        return { status: file ? this.status(body.path) : null };
      case 'addBlock': {
        commit(body.previous);
        const nodes = this.datanodes.filter((node) => !body.excludeNodes.includes(node.uuid)).slice(0, 3);
        const fresh = { id: this.nextBlockId++, genStamp: this.nextGenStamp++, length: 0, nodes };
        file?.blocks.push(fresh);
        return { block: located(fresh) };
      }
      case 'abandonBlock':
        if (file) file.blocks = file.blocks.filter((b) => b.id !== body.block.id);
        return {};
      case 'updateBlockForPipeline': {
        // As the real namenode: the request names the newest stamp, which changes at once.
        const target = block(body.block.id);
        assert.equal(body.block.genStamp, target.genStamp, 'updateBlockForPipeline names the newest stamp');
        target.genStamp = this.nextGenStamp++;
        return { block: { ...located(target), block: { ...body.block, genStamp: target.genStamp } } };
      }
      case 'updatePipeline': {
        const target = block(body.oldBlock.id);
        assert.equal(target.genStamp, body.newGenStamp, 'updatePipeline names the stamp just issued');
        target.nodes = body.newNodes.map((uuid: string) => this.datanodes.find((node) => node.uuid === uuid));
        return {};
      }
      case 'complete':
        commit(body.last);
        if (file) file.complete = true;
        return { complete: true };
      case 'getBlockLocations': {
        let offset = 0;
        const blocks = [];
        for (const b of file?.blocks ?? []) {
          if (offset + b.length > body.offset && offset < body.offset + body.length) blocks.push(located(b, offset));
          offset += b.length;
        }
        return { fileLength: offset, underConstruction: !file?.complete, blocks };
      }
      default:
        return {};
    }
  }

  private status(path: string) {
    const file = this.files.get(path);
    const length = file?.blocks.reduce((sum, b) => sum + b.length, 0) ?? 0;
    return {
      path, type: 'file', length, replication: 3, blockSize, owner: 'alice', group: 'users', permission: '644',
      modificationTime: 1, accessTime: 1, fileId: file?.fileId ?? 0, childrenNum: 0, underConstruction: !file?.complete,
    };
  }
}

/** Writes `data` in 100 kB pieces, calling `onProgress` as the pipeline acknowledges. */
function writeInPieces(client: DfsClient, path: string, data: Buffer, onProgress: (bytes: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const stream = client.createWriteStream(path, { onProgress });
    stream.on('finish', resolve).on('error', reject);
    let offset = 0;
    const pump = (): void => {
      while (offset < data.length) {
        const more = stream.write(data.subarray(offset, offset + 100_000));
        offset += 100_000;
        if (!more) return void stream.once('drain', pump);
      }
      stream.end();
    };
    pump();
  });
}

describe('client write pipeline and reads against real data servers', () => {
  let root: string;
  let namenode: FakeNamenode;
  let datanodes: TestDatanode[];
  let client: DfsClient;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tsdfs-client-'));
    namenode = new FakeNamenode();
    datanodes = [];
    for (let index = 0; index < 8; index++) datanodes.push(await startDatanode(join(root, `dn${index}`)));
    namenode.datanodes.push(...datanodes.map((datanode) => datanode.location));
    client = new DfsClient({ namenode: await namenode.start(), user: 'alice', config: parseConfig({}) });
  });

  after(async () => {
    await client.close();
    for (const datanode of datanodes) datanode.kill();
    namenode.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('writes a multi-block file and reads it and a range back identical', async () => {
    const data = randomBytes(2 * blockSize + 777);
    await client.writeFile('/round-trip', data);
    assert.deepEqual(namenode.files.get('/round-trip')?.blocks.map((b) => b.length), [blockSize, blockSize, 777]);
    assert.equal(sha256(await client.readFile('/round-trip')), sha256(data));
    const chunks: Buffer[] = [];
    for await (const chunk of client.createReadStream('/round-trip', { start: blockSize - 5, end: blockSize + 70_001 })) chunks.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(chunks), data.subarray(blockSize - 5, blockSize + 70_001));
  });

  it('recovers the pipeline on the survivors when a datanode dies mid-block', async () => {
    const data = randomBytes(3 * blockSize);
    let killed: DatanodeLocation | undefined;
    await writeInPieces(client, '/survivor', data, (bytes) => {
      if (killed || bytes < blockSize + 1024 * 1024) return;
      killed = namenode.files.get('/survivor')?.blocks.at(-1)?.nodes[1];
      datanodes.find((datanode) => datanode.location === killed)?.kill();
    });
    const [update] = namenode.callsOf('updatePipeline');
    assert.ok(killed && update, 'the pipeline was recovered');
    assert.equal((update.newNodes as string[]).length, 2);
    assert.ok(!(update.newNodes as string[]).includes(killed.uuid));
    const later = namenode.callsOf('addBlock').at(-1);
    assert.ok((later?.excludeNodes as string[]).includes(killed.uuid), 'later blocks avoid the dead node');
    assert.equal(sha256(await client.readFile('/survivor')), sha256(data));
  });

  it('recovers again when the first recovery attempt cannot connect', async () => {
    const data = randomBytes(2 * blockSize);
    let killed: DatanodeLocation[] = [];
    const before = namenode.callsOf('updateBlockForPipeline').length;
    await writeInPieces(client, '/double-failure', data, (bytes) => {
      if (killed.length > 0 || bytes < 1024 * 1024) return;
      const nodes = namenode.files.get('/double-failure')?.blocks.at(-1)?.nodes ?? [];
      killed = [nodes[1], nodes[2]].filter((node): node is DatanodeLocation => node !== undefined);
      for (const node of killed) datanodes.find((datanode) => datanode.location === node)?.kill();
    });
    assert.equal(killed.length, 2);
    assert.equal(namenode.callsOf('updateBlockForPipeline').length, before + 2, 'one recovery per lost node');
    assert.equal(sha256(await client.readFile('/double-failure')), sha256(data));
  });

  it('starts a fresh block elsewhere when a pipeline cannot be set up', async () => {
    // The namenode still offers the killed node first; the client must abandon and exclude it.
    const first = datanodes[0];
    assert.ok(first);
    first.kill();
    const data = randomBytes(blockSize + 100);
    const before = namenode.callsOf('abandonBlock').length;
    await client.writeFile('/fresh-block', data);
    assert.ok(namenode.callsOf('abandonBlock').length > before);
    assert.ok((namenode.callsOf('addBlock').at(-1)?.excludeNodes as string[]).includes(first.location.uuid));
    assert.equal(sha256(await client.readFile('/fresh-block')), sha256(data));
  });

  it('skips and reports a replica that serves corrupt bytes', async () => {
    const data = randomBytes(300_000);
    await client.writeFile('/corrupt', data);
    const corruptServer = http.createServer((_request, response) => {
      response.writeHead(200, { [bytesPerChecksumHeader]: '512', [startOffsetHeader]: '0' });
      const good = data.subarray(0, 65536);
      for (const part of encodePacket({ seq: 0, offset: 0, dataLength: good.length, last: false, checksums: computeChunkChecksums(good, 512), data: good })) response.write(part);
      const bad = Buffer.from(data.subarray(65536, 131072));
      const checksums = computeChunkChecksums(bad, 512);
      bad[10] = (bad[10] ?? 0) ^ 0xff;
      for (const part of encodePacket({ seq: 1, offset: 65536, dataLength: bad.length, last: false, checksums, data: bad })) response.write(part);
      response.end();
    });
    await new Promise<void>((resolve) => corruptServer.listen(0, '127.0.0.1', resolve));
    const liar = { uuid: 'corrupt-node', name: `127.0.0.1:${(corruptServer.address() as AddressInfo).port}`, hostname: '127.0.0.1', rack: '/default-rack' };
    namenode.files.get('/corrupt')?.blocks[0]?.nodes.unshift(liar);
    try {
      assert.equal(sha256(await client.readFile('/corrupt')), sha256(data));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const reports = namenode.callsOf('reportBadBlocks');
      assert.deepEqual(reports.map((report) => (report.blocks as Array<{ datanodeUuid: string }>)[0]?.datanodeUuid), ['corrupt-node']);
    } finally {
      corruptServer.close();
    }
  });

  it('fails with a clear error when no replica can serve a block', async () => {
    const data = randomBytes(1000);
    await client.writeFile('/lost', data);
    const block = namenode.files.get('/lost')?.blocks[0];
    assert.ok(block);
    block.nodes = [{ uuid: 'gone', name: '127.0.0.1:1', hostname: '127.0.0.1', rack: '/default-rack' }];
    await assert.rejects(client.readFile('/lost'), (error: Error) => /Could not obtain block blk_\d+ from any of: 127\.0\.0\.1:1/.test(error.message));
  });
});

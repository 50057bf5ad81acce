// The namenode link against a fake namenode (a bare WebSocket server): register, cluster
// id adoption, full and incremental block reports, heartbeats and their commands,
// reconnection, refusal.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { parseConfig } from '../../config/index.js';
import { computeChunkChecksums } from '../../protocol/checksum.js';
import { BlockTokenKeys, handshakeKey, newNonce, refusalProof } from '../../protocol/auth.js';
import { pino } from 'pino';
import { DatanodeMessage } from '../../protocol/datanode-namenode.js';
import { type RunningDatanode, startDatanode, type StartDatanodeOptions } from '../../datanode/main.js';
import { namenodeProof } from '../helpers/link-handshake.js';

const clusterSecret = randomBytes(32);

const dirs: string[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A namenode that records what it hears and lets the test answer; it challenges every link as the real one does. */
class FakeNamenode {
  readonly messages: DatanodeMessage[] = [];
  socket: WebSocket | null = null;
  /** The challenge sent on the current socket. */
  nonce = '';
  /** The secret it proves in `registered`; another one plays an impostor namenode. */
  secret = clusterSecret;
  private waiters: Array<() => void> = [];
  private constructor(readonly server: WebSocketServer, readonly port: number) {
    server.on('connection', (socket) => {
      this.socket = socket;
      this.nonce = newNonce();
      socket.send(JSON.stringify({ type: 'challenge', nonce: this.nonce }));
      socket.on('message', (data) => {
        this.messages.push(DatanodeMessage.parse(JSON.parse(String(data))));
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  static async start(): Promise<FakeNamenode> {
    const httpServer = http.createServer();
    const server = new WebSocketServer({ server: httpServer, path: '/datanode' });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const fake = new FakeNamenode(server, (httpServer.address() as AddressInfo).port);
    // Every socket, upgraded or still in its handshake, so none outlives the test.
    const sockets = new Set<Socket>();
    httpServer.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    cleanups.push(async () => {
      for (const client of server.clients) client.terminate();
      server.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => httpServer.close(resolve));
    });
    return fake;
  }

  send(message: unknown): void {
    this.socket?.send(JSON.stringify(message));
  }

  /** Waits for a message of this type after the first `skip` messages. */
  async next<T extends DatanodeMessage['type']>(type: T, skip = 0): Promise<Extract<DatanodeMessage, { type: T }>> {
    const deadline = Date.now() + 4000;
    for (;;) {
      const found = this.messages.slice(skip).find((message) => message.type === type);
      if (found) return found as Extract<DatanodeMessage, { type: T }>;
      if (Date.now() > deadline) throw new Error(`no ${type} message`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  /** A refusal of the last register, signed with `secret` as the real namenode signs it. */
  refuse(reason: string): void {
    const register = [...this.messages].reverse().find((message) => message.type === 'register');
    assert.ok(register?.type === 'register', 'a refusal answers a register');
    this.send({ type: 'registrationRefused', message: reason, proof: refusalProof(handshakeKey(this.secret), this.nonce, register.clientNonce, reason) });
  }

  registered(clusterId = 'CID-fake'): void {
    const register = [...this.messages].reverse().find((message) => message.type === 'register');
    assert.ok(register?.type === 'register', 'registered answers a register');
    const proof = namenodeProof(this.secret, register, this.nonce);
    this.send({ type: 'registered', proof, datanodeUuid: 'x', clusterId, namespaceId: 'NS-1', heartbeatIntervalMs: 100, blockReportIntervalMs: 60_000 });
  }
}

async function startLinkedDatanode(namenode: FakeNamenode, options: StartDatanodeOptions = {}, dataDir?: string): Promise<RunningDatanode> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'tsdfs-dn-link-')));
  if (!dataDir) dirs.push(dir);
  const config = parseConfig({
    'fs.defaultFS': `tsdfs://127.0.0.1:${namenode.port}`,
    'dfs.datanode.data.dir': dir,
    'dfs.datanode.address': '127.0.0.1:0',
    'dfs.datanode.hostname': '127.0.0.1',
    'dfs.blocksize': '1m',
    'tsdfs.log.level': 'silent',
  });
  const datanode = await startDatanode(config, { announce: () => undefined, clusterSecret, ...options });
  cleanups.push(() => datanode.close());
  return datanode;
}

async function writeReplica(datanode: RunningDatanode, blockId: number, data: Buffer): Promise<void> {
  const writer = await datanode.store.createRbw(blockId, 1001, 512);
  await writer.append(0, data, computeChunkChecksums(data, 512));
  await writer.finalize();
}

describe('datanode namenode link', () => {
  it('registers, adopts the cluster id, reports blocks and beats', async () => {
    const namenode = await FakeNamenode.start();
    const datanode = await startLinkedDatanode(namenode);
    const register = await namenode.next('register');
    assert.equal(register.clusterId, '');
    assert.equal(register.datanodeUuid, datanode.uuid);
    assert.equal(`${register.hostname}:${register.dataPort}`, datanode.address);
    assert.equal(register.storage.volumes.length, 1);

    namenode.registered('CID-42');
    const report = await namenode.next('blockReport');
    assert.deepEqual([report.replicas, report.last], [[], true]);
    const heartbeat = await namenode.next('heartbeat');
    assert.ok(heartbeat.capacity > 0);
    const version = JSON.parse(await readFile(join(datanode.store.volumes[0]?.root ?? '', 'VERSION'), 'utf8'));
    assert.equal(version.clusterId, 'CID-42');

    const data = randomBytes(3000);
    await writeReplica(datanode, 5, data);
    const received = await namenode.next('incrementalBlockReport');
    assert.deepEqual(received.received, [[5, 1001, 3000]]);

    const seen = namenode.messages.length;
    namenode.send({ type: 'heartbeatReply', seq: 0, commands: [{ kind: 'invalidate', blocks: [[5, 1001], [6, 1001]] }] });
    const deletedSince = () => namenode.messages.slice(seen).flatMap((m) => (m.type === 'incrementalBlockReport' ? m.deleted : []));
    await waitUntil(() => deletedSince().length >= 2);
    assert.deepEqual(deletedSince().sort(), [[5, 1001], [6, 1001]], 'the deleted replica and the absent one');
    assert.equal(datanode.store.getReplica(5), undefined);
  });

  it('reconnects and registers again when the link drops, with a full report', async () => {
    const namenode = await FakeNamenode.start();
    const datanode = await startLinkedDatanode(namenode);
    await namenode.next('register');
    namenode.registered();
    await namenode.next('blockReport');
    await writeReplica(datanode, 9, randomBytes(100));
    await namenode.next('incrementalBlockReport');
    const seen = namenode.messages.length;
    namenode.socket?.terminate();
    const again = await namenode.next('register', seen);
    assert.equal(again.clusterId, 'CID-fake');
    namenode.registered();
    const report = await namenode.next('blockReport', seen);
    assert.deepEqual(report.replicas, [[9, 1001, 100]]);
  });

  it('re-registers when the namenode says so', async () => {
    const namenode = await FakeNamenode.start();
    await startLinkedDatanode(namenode);
    await namenode.next('register');
    namenode.registered();
    await namenode.next('heartbeat');
    const seen = namenode.messages.length;
    namenode.send({ type: 'error', message: 'not registered', reregister: true });
    await namenode.next('register', seen);
  });

  it('copies a replica to another datanode on a transfer command', async () => {
    const namenode = await FakeNamenode.start();
    const source = await startLinkedDatanode(namenode);
    const dir = await mkdtemp(join(tmpdir(), 'tsdfs-dn-link-'));
    dirs.push(dir);
    const targetNode = await startLinkedDatanode(namenode, { connectToNamenode: false }, dir);
    await namenode.next('register');
    namenode.registered();
    // Commands count only once registration is complete (its first block report is sent
    // then); under load, finishing it (VERSION file, fsync) could outlast the write below.
    await namenode.next('blockReport');
    const data = randomBytes(200_000);
    await writeReplica(source, 12, data);
    const [host, port] = targetNode.address.split(':');
    namenode.send({
      type: 'heartbeatReply',
      seq: 1,
      commands: [
        {
          kind: 'transfer',
          block: { id: 12, genStamp: 1001, length: data.length },
          targets: [{ uuid: targetNode.uuid, name: `${host}:${port}`, hostname: host, rack: '/r' }],
          token: new BlockTokenKeys(clusterSecret).issue(12, 'copy', 'namenode', Date.now()),
        },
      ],
    });
    await waitUntil(() => targetNode.store.getReplica(12)?.state === 'finalized');
    const reader = await targetNode.store.openReader(12, 1001);
    const result = await reader.read(0, reader.length);
    await reader.close();
    assert.ok(result.ok);
    assert.deepEqual(result.data, data);
  });

  it('calls onFatal when the namenode refuses it with a signed refusal', async () => {
    const namenode = await FakeNamenode.start();
    let fatal = '';
    await startLinkedDatanode(namenode, { onFatal: (message) => (fatal = message) });
    await namenode.next('register');
    namenode.refuse('cluster id CID-a does not match CID-b');
    await waitUntil(() => fatal !== '');
    assert.match(fatal, /CID-a/);
  });

  it('does not give up on a refusal it cannot verify (unsigned, forged or another secret): it logs it and registers again', async () => {
    const namenode = await FakeNamenode.start();
    let fatal = '';
    const logged: string[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => logged.push(line) });
    await startLinkedDatanode(namenode, { onFatal: (message) => (fatal = message), log });
    await namenode.next('register');
    let seen = namenode.messages.length;
    namenode.send({ type: 'registrationRefused', message: 'go away' });
    await namenode.next('register', seen);
    seen = namenode.messages.length;
    namenode.send({ type: 'registrationRefused', message: 'go away', proof: 'A'.repeat(43) });
    await namenode.next('register', seen);
    seen = namenode.messages.length;
    namenode.secret = randomBytes(32);
    namenode.refuse('wrong cluster secret');
    await namenode.next('register', seen);
    assert.equal(fatal, '');
    assert.ok(logged.some((line) => line.includes('registration refused by the namenode: wrong cluster secret (not signed with our cluster secret — check tsdfs.cluster.secret.file)')), logged.join(''));
  });
});

describe('datanode namenode link, handshake', () => {
  it('proves the cluster secret over the challenge and takes no commands from a namenode that cannot prove it back', async () => {
    const namenode = await FakeNamenode.start();
    namenode.secret = randomBytes(32);
    const datanode = await startLinkedDatanode(namenode);
    const register = await namenode.next('register');
    assert.notEqual(register.proof, '');
    await writeReplica(datanode, 7, randomBytes(100));
    const seen = namenode.messages.length;
    namenode.registered();
    namenode.send({ type: 'heartbeatReply', seq: 0, commands: [{ kind: 'invalidate', blocks: [[7, 1001]] }] });
    // It hangs up on the impostor and comes back with a fresh register; the replica stays.
    await namenode.next('register', seen);
    assert.ok(datanode.store.getReplica(7) !== undefined, 'commands of an unproven namenode are ignored');
    assert.equal(namenode.messages.slice(seen).some((message) => message.type === 'blockReport' || message.type === 'heartbeat'), false);
  });
});

describe('datanode namenode link, cluster ids', () => {
  it('refuses to join a namenode of another cluster even if it says registered', async () => {
    const namenode = await FakeNamenode.start();
    let fatal = '';
    const datanode = await startLinkedDatanode(namenode, { onFatal: (message) => (fatal = message) });
    await datanode.store.adoptClusterId('CID-a');
    await namenode.next('register');
    namenode.registered('CID-b');
    await waitUntil(() => fatal !== '');
    assert.match(fatal, /CID-a.*CID-b/);
  });
});

describe('datanode namenode link, closing', () => {
  it('a heartbeat under way when the datanode closes does not go on beating after it', async () => {
    const namenode = await FakeNamenode.start();
    const datanode = await startLinkedDatanode(namenode);
    await namenode.next('register');
    namenode.registered();
    await namenode.next('heartbeat');
    // The next heartbeat (every 100 ms here) is held in its storage report while the datanode closes.
    const { store } = datanode;
    const storageReport = store.storageReport.bind(store);
    let reports = 0;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    store.storageReport = async () => {
      reports++;
      if (reports === 1) await held;
      return storageReport();
    };
    await waitUntil(() => reports === 1);
    await datanode.close();
    release();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const reportsAfterClose = reports;
    // A heartbeat whose report fails schedules no next one: a failing run must not keep this process alive.
    store.storageReport = async () => {
      throw new Error('closed');
    };
    assert.equal(reportsAfterClose, 1, 'no heartbeat was scheduled after close');
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

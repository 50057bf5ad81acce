// The namenode over the wire: startNamenode on 127.0.0.1:0, RPC errors as RemoteException
// JSON with the right statuses, and a fake datanode on a real WebSocket taking a block
// from create to complete and getBlockLocations.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { type Config, parseConfig } from '../../config/index.js';
import { type RunningNamenode, formatNamenode, startNamenode } from '../../namenode/main.js';
import { readClusterSecret } from '../../protocol/auth.js';
import { maxRpcBodyBytes } from '../../protocol/limits.js';
import { softwareVersion } from '../../protocol/version.js';
import { namenodeProof, signedRegister } from '../helpers/link-handshake.js';

let dir: string;
let config: Config;
let namenode: RunningNamenode;
let clusterId: string;
let clusterSecret: Buffer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsdfs-nn-http-'));
  // alice, the caller of these tests, is an admin (supergroup); permissions have their own tests.
  config = parseConfig({
    'dfs.namenode.name.dir': join(dir, 'name'),
    'dfs.namenode.http-address': '127.0.0.1:0',
    'dfs.replication': 1,
    'hadoop.user.group.static.mapping.overrides': 'alice=supergroup',
  });
  clusterId = (await formatNamenode(config)).clusterId;
  clusterSecret = readClusterSecret(join(dir, 'name', 'cluster.secret'));
  namenode = await startNamenode(config, { log: pino({ level: 'silent' }) });
});

after(async () => {
  await namenode.close();
  await rm(dir, { recursive: true, force: true });
});

async function rpc(method: string, body: unknown, raw = false): Promise<{ status: number; json: any }> {
  const response = await fetch(`http://${namenode.address}/rpc/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tsdfs-user': 'alice' },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

test('the bound address is a loopback host:port', () => {
  assert.match(namenode.address, /^127\.0\.0\.1:\d+$/);
});

test('malformed JSON is a 400 RemoteException', async () => {
  const { status, json } = await rpc('mkdirs', '{"path": ', true);
  assert.equal(status, 400);
  assert.equal(json.RemoteException.code, 'InvalidRequest');
});

test('an unknown method is a 404 RemoteException', async () => {
  const { status, json } = await rpc('formatEverything', {});
  assert.equal(status, 404);
  assert.match(json.RemoteException.message, /formatEverything/);
});

test('wrong types are a 400 naming the field', async () => {
  const { status, json } = await rpc('mkdirs', { path: 42 });
  assert.equal(status, 400);
  assert.match(json.RemoteException.message, /path/);
});

test('".." in a path is a 400 InvalidPath', async () => {
  const { status, json } = await rpc('getFileInfo', { path: '/a/../b' });
  assert.equal(status, 400);
  assert.equal(json.RemoteException.code, 'InvalidPath');
  assert.equal(json.RemoteException.exception, 'InvalidPathException');
});

test('a body over the limit is a 413 RemoteException', async () => {
  const { status, json } = await rpc('mkdirs', { path: '/x', padding: 'x'.repeat(maxRpcBodyBytes + 10) });
  assert.equal(status, 413);
  assert.equal(json.RemoteException.code, 'LimitExceeded');
});

test('the caller named in x-tsdfs-user owns what it creates', async () => {
  assert.equal((await rpc('mkdirs', { path: '/home/alice' })).json.created, true);
  const { json } = await rpc('getFileInfo', { path: '/home/alice' });
  assert.equal(json.status.owner, 'alice');
  assert.equal(json.status.permission, '755');
});

test('/metrics and /status answer', async () => {
  const metrics = await (await fetch(`http://${namenode.address}/metrics`)).text();
  assert.match(metrics, /tsdfs_namenode_rpc_calls_total/);
  const status: any = await (await fetch(`http://${namenode.address}/status`)).json();
  assert.equal(status.clusterId, clusterId);
  assert.equal(status.safeMode, false);
});

/** A datanode speaking the link protocol by hand, one reply awaited per request. */
class FakeDatanode {
  private readonly inbox: any[] = [];
  private waiters: Array<(message: any) => void> = [];
  closed = false;
  /** The namenode's challenge for this connection. */
  nonce = '';
  /** The secret this fake proves; another one plays a datanode of the wrong cluster secret. */
  secret = clusterSecret;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      const waiter = this.waiters.shift();
      if (waiter) waiter(message);
      else this.inbox.push(message);
    });
    socket.on('close', () => {
      this.closed = true;
    });
  }

  static async connect(address: string): Promise<FakeDatanode> {
    const socket = new WebSocket(`ws://${address}/datanode`);
    // Listen before `open`: the challenge may arrive with the upgrade response itself.
    const datanode = new FakeDatanode(socket);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const challenge = await datanode.next();
    assert.equal(challenge.type, 'challenge', 'the namenode speaks first');
    datanode.nonce = challenge.nonce;
    return datanode;
  }

  lastSent = '';

  send(message: unknown): void {
    this.lastSent = JSON.stringify(message);
    this.socket.send(this.lastSent);
  }

  next(): Promise<any> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async request(message: unknown): Promise<any> {
    this.send(message);
    return this.next();
  }

  register(uuid: string, cluster: string, dataPort = 9866): Promise<any> {
    const storage = { capacity: 10e9, dfsUsed: 0, nonDfsUsed: 0, remaining: 10e9, volumes: [] };
    return this.request(signedRegister(this.secret, this.nonce, { type: 'register', datanodeUuid: uuid, clusterId: cluster, softwareVersion, hostname: 'localhost', dataPort, storage }));
  }

  heartbeat(seq: number): Promise<any> {
    return this.request({ type: 'heartbeat', seq, capacity: 10e9, dfsUsed: 0, nonDfsUsed: 0, remaining: 10e9, activeTransfers: 0, failedVolumes: 0 });
  }

  close(): void {
    this.socket.close();
  }
}

test('a datanode must register before anything else', async () => {
  const datanode = await FakeDatanode.connect(namenode.address);
  const reply = await datanode.heartbeat(1);
  assert.equal(reply.type, 'error');
  assert.equal(reply.reregister, true);
  const garbage = await datanode.request({ type: 'nonsense' });
  assert.equal(garbage.type, 'error');
  datanode.close();
});

test('a datanode of another cluster is refused with both ids', async () => {
  const datanode = await FakeDatanode.connect(namenode.address);
  const reply = await datanode.register('dn-other', 'CID-other');
  assert.equal(reply.type, 'registrationRefused');
  assert.match(reply.message, /CID-other/);
  assert.ok(reply.message.includes(clusterId));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(datanode.closed, true);
});

test('a datanode with the wrong cluster secret is refused and cut off', async () => {
  const datanode = await FakeDatanode.connect(namenode.address);
  datanode.secret = Buffer.from('f'.repeat(64));
  const reply = await datanode.register('dn-impostor', '');
  assert.equal(reply.type, 'registrationRefused');
  assert.match(reply.message, /wrong cluster secret/);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(datanode.closed, true);
});

test('a register signed for another connection\'s challenge is refused', async () => {
  const first = await FakeDatanode.connect(namenode.address);
  const second = await FakeDatanode.connect(namenode.address);
  const storage = { capacity: 10e9, dfsUsed: 0, nonDfsUsed: 0, remaining: 10e9, volumes: [] };
  const replayed = signedRegister(clusterSecret, first.nonce, { type: 'register', datanodeUuid: 'dn-replay', clusterId: '', softwareVersion, hostname: 'localhost', dataPort: 9866, storage });
  const reply = await second.request(replayed);
  assert.equal(reply.type, 'registrationRefused');
  assert.match(reply.message, /wrong cluster secret/);
  first.close();
});

test('create, addBlock, report, complete and read the locations back', async () => {
  const datanode = await FakeDatanode.connect(namenode.address);
  const registered = await datanode.register('dn-1', '');
  assert.equal(registered.type, 'registered');
  assert.equal(registered.clusterId, clusterId);
  assert.equal(registered.proof, namenodeProof(clusterSecret, JSON.parse(datanode.lastSent), datanode.nonce), 'the namenode proves the secret back');
  datanode.send({ type: 'blockReport', reportId: 1, chunk: 0, last: true, replicas: [[999_999, 1, 10]] });
  const first = await datanode.heartbeat(1);
  assert.equal(first.type, 'heartbeatReply');
  assert.deepEqual(first.commands, [{ kind: 'invalidate', blocks: [[999_999, 1]] }], 'an unknown block is invalidated');

  const created = await rpc('create', { path: '/data/file', clientName: 'client-1' });
  assert.equal(created.status, 200, JSON.stringify(created.json));
  const fileId = created.json.status.fileId;
  const added = await rpc('addBlock', { path: '/data/file', clientName: 'client-1', fileId });
  assert.equal(added.status, 200, JSON.stringify(added.json));
  const block = added.json.block.block;
  assert.equal(added.json.block.locations[0].uuid, 'dn-1');
  assert.equal(added.json.block.locations[0].name, 'localhost:9866');

  const last = { ...block, length: 1234 };
  assert.deepEqual((await rpc('complete', { path: '/data/file', clientName: 'client-1', fileId, last })).json, { complete: false });
  datanode.send({ type: 'incrementalBlockReport', received: [[block.id, block.genStamp, 1234]], deleted: [] });
  await datanode.heartbeat(2);
  assert.deepEqual((await rpc('complete', { path: '/data/file', clientName: 'client-1', fileId, last })).json, { complete: true });

  const located = await rpc('getBlockLocations', { path: '/data/file' });
  assert.equal(located.json.fileLength, 1234);
  assert.equal(located.json.underConstruction, false);
  assert.equal(located.json.blocks.length, 1);
  assert.deepEqual(located.json.blocks[0].locations.map((location: any) => location.uuid), ['dn-1']);

  const fsck = await rpc('fsck', { path: '/' });
  assert.equal(fsck.json.status, 'HEALTHY');
  assert.equal(fsck.json.totalBlocks, 1);

  assert.deepEqual((await rpc('delete', { path: '/data', recursive: true })).json, { deleted: true });
  const afterDelete = await datanode.heartbeat(3);
  assert.deepEqual(afterDelete.commands, [{ kind: 'invalidate', blocks: [[block.id, block.genStamp]] }]);
  datanode.close();
});

// Hardened inputs: a battery of malformed requests at every namenode RPC method, the
// datanode's data server and the datanode link. Every answer must be a 4xx RemoteException
// naming the problem (never a 5xx), both processes must survive, and the namespace must be
// exactly what it was before.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import { defaultUserName } from '../../client-lib/identity.js';
import type { DfsClient } from '../../client-lib/index.js';
import { type RpcMethod, type RpcRequest, rpcMethodNames, rpcMethods, userHeader } from '../../protocol/client-namenode.js';
import type { LocatedBlock } from '../../protocol/common.js';
import { maxDatanodeMessageBytes, maxRpcBodyBytes } from '../../protocol/limits.js';
import { type Cluster, startCluster } from '../helpers/cluster.js';

let cluster: Cluster;
let client: DfsClient;
let before_: string[];
let located: LocatedBlock;
const content = randomBytes(50_000);
const user = defaultUserName({});
const counts = { namenode: 0, datanode: 0, websocket: 0 };

/** `path type owner group mode length replication` for every inode, depth first. */
async function snapshot(): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (path: string): Promise<void> => {
    for (const s of await client.ls(path)) {
      lines.push([s.path, s.type, s.owner, s.group, s.permission, s.length, s.replication, s.underConstruction].join(' '));
      if (s.type === 'directory') await walk(s.path);
    }
  };
  await walk('/');
  return lines;
}

before(async () => {
  cluster = await startCluster({ datanodes: 1 });
  client = cluster.client();
  await client.mkdir('/keep/dir', { parents: true });
  await client.writeFile('/keep/file.bin', content);
  const { blocks } = await client.rpc('getBlockLocations', { path: '/keep/file.bin' });
  assert.ok(blocks[0]);
  located = blocks[0];
  before_ = await snapshot();
});

after(async () => {
  await cluster?.stop();
});

interface Reply {
  status: number;
  text: string;
}

function request(base: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path, headers: { ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    // The server may answer (and close) before it reads a body it refuses.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? resolve({ status: -1, text: error.code }) : reject(error)));
    req.end(body);
  });
}

function assertRefused(reply: Reply, what: string, options: { json?: boolean } = {}): void {
  if (reply.status === -1) return; // cut off mid-upload: refused without a reply
  assert.ok(reply.status >= 400 && reply.status < 500, `${what}: expected 4xx, got ${reply.status} ${reply.text.slice(0, 300)}`);
  if (options.json === false) return;
  let body: unknown;
  try {
    body = JSON.parse(reply.text);
  } catch {
    assert.fail(`${what}: not JSON: ${reply.text.slice(0, 200)}`);
  }
  const remote = (body as { RemoteException?: { message?: unknown } }).RemoteException;
  assert.ok(remote && typeof remote.message === 'string' && remote.message.length > 0, `${what}: no RemoteException message: ${reply.text.slice(0, 200)}`);
}

/** Requests that are valid as they stand; each case below breaks exactly one thing in one of them. */
const block = { id: 1, genStamp: 1, length: 0 };
const valid = {
  mkdirs: { path: '/zz/new', createParent: true },
  getFileInfo: { path: '/keep' },
  listing: { path: '/keep', startAfter: 'a' },
  create: { path: '/zz/new', clientName: 'fuzz', overwrite: true, replication: 1, blockSize: 1024 * 1024, permission: '777' },
  addBlock: { path: '/keep/file.bin', clientName: 'fuzz', fileId: 1, previous: null, excludeNodes: [] },
  abandonBlock: { path: '/keep/file.bin', clientName: 'fuzz', fileId: 1, block },
  complete: { path: '/keep/file.bin', clientName: 'fuzz', fileId: 1, last: null },
  getBlockLocations: { path: '/keep/file.bin', offset: 0, length: 10 },
  delete: { path: '/keep/file.bin', recursive: true },
  rename: { src: '/keep/file.bin', dst: '/zz-renamed' },
  setReplication: { path: '/keep/file.bin', replication: 2 },
  setPermission: { path: '/keep/file.bin', permission: '777' },
  setOwner: { path: '/keep/file.bin', owner: 'mallory', group: 'mallory' },
  renewLease: { clientName: 'fuzz' },
  recoverLease: { path: '/keep/file.bin', clientName: 'fuzz' },
  reportBadBlocks: { blocks: [{ block, datanodeUuid: 'x' }] },
  updateBlockForPipeline: { clientName: 'fuzz', block },
  updatePipeline: { clientName: 'fuzz', oldBlock: block, newGenStamp: 2, newNodes: ['x'] },
  getContentSummary: { path: '/keep' },
  getStats: {},
  datanodeReport: { type: 'all' },
  setSafeMode: { action: 'enter' },
  fsck: { path: '/', files: true },
  refreshNodes: {},
  printTopology: {},
  getServerDefaults: {},
} satisfies { [M in RpcMethod]: RpcRequest<M> };

const pathFields = new Set(['path', 'src', 'dst']);
const badPaths = ['', 'relative/x', '/keep/../zz', '/keep/./file.bin', '/../zz', '/zz\0x', '//zz', `/${'a'.repeat(256)}`, `/${'é'.repeat(200)}`, `/${'a/'.repeat(4500)}a`, `/${'a'.repeat(17_000)}`];
const badValues: unknown[] = [null, true, 'x', '', 12345, -1, 0, 0.5, 2 ** 53, -(2 ** 60), 1e308, [], [1, 'x'], {}, { id: -1 }, 'a'.repeat(20_000), '\0', '../..'];
/** Extra cases per field that the generic values miss. */
const extraValues: Record<string, unknown[]> = {
  startAfter: ['a/b', 'a\0b', 'x'.repeat(256), 'é'.repeat(128), ''],
  block: [{ ...block, id: 0 }, { ...block, genStamp: -5 }, { ...block, length: 2 ** 53 }, { ...block, id: '1' }],
  oldBlock: [{ ...block, genStamp: 2 ** 60 }],
  previous: [{ ...block, id: -1 }],
  excludeNodes: [Array.from({ length: 1001 }, () => 'x'), ['bad uuid']],
  newNodes: [[], Array.from({ length: 1001 }, () => 'x'), ['../x']],
  blocks: [Array.from({ length: 1001 }, () => ({ block, datanodeUuid: 'x' })), [{ block }], [{ block: { id: 1 }, datanodeUuid: 'x' }]],
  permission: ['888', '7777777', 'rwx', 493],
  owner: ['a b', 'a:b', 'x'.repeat(300)],
  group: ['a/b'],
  clientName: ['has space', 'x'.repeat(201)],
  replication: [513, 0],
  blockSize: [1, 2 ** 40, 1024 * 1024 + 1],
};

interface Case {
  what: string;
  method: string;
  path: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  json?: boolean;
}

function rpcCases(): Case[] {
  const cases: Case[] = [];
  for (const method of rpcMethodNames) {
    const base = valid[method] as Record<string, unknown>;
    const at = (what: string, body: string | Buffer, headers: Record<string, string> = {}): void => {
      cases.push({ what: `${method}: ${what}`, method: 'POST', path: `/rpc/${method}`, body, headers });
    };
    for (const raw of ['{', 'not json', '{"path": "/keep",}', '[]', '[{}]', '"string"', '42', 'null', 'true', '\u0000', '{"a":1}{"b":2}']) at(`body ${JSON.stringify(raw)}`, raw);
    at('deeply nested', `{"blocks":${'['.repeat(50_000)}${']'.repeat(50_000)}}`);
    at('body over the limit', `{"path":"/${'a'.repeat(maxRpcBodyBytes)}"}`);
    at('prototype keys', '{"__proto__":{"admin":true},"constructor":{"prototype":{}}}');
    at('unknown field', JSON.stringify({ ...base, bogus: 1 }));
    at('unknown field (typo)', JSON.stringify({ ...base, recursiv: true, clientname: 'x' }));
    at('unsupported charset', JSON.stringify(base), { 'content-type': 'application/json; charset=latin1' });
    at('garbage gzip', 'not gzip at all', { 'content-encoding': 'gzip' });
    at('unknown encoding', JSON.stringify(base), { 'content-encoding': 'xyz' });
    at('bad user header', JSON.stringify(base), { [userHeader]: 'has space/and:colon' });
    const shape = (rpcMethods[method].request as unknown as { shape: Record<string, { safeParse(v: unknown): { success: boolean } }> }).shape;
    for (const field of Object.keys(shape)) {
      const schema = shape[field];
      assert.ok(schema);
      const values = [...badValues, ...(extraValues[field] ?? []), ...(pathFields.has(field) ? badPaths : [])];
      for (const value of values) {
        // A value the field accepts is no attack on it, unless it is a path the namenode refuses.
        if (schema.safeParse(value).success && !(pathFields.has(field) && typeof value === 'string')) continue;
        at(`${field}=${JSON.stringify(value).slice(0, 40)}`, JSON.stringify({ ...base, [field]: value }));
      }
      if (field in base) {
        const { [field]: _dropped, ...rest } = base;
        if (!schema.safeParse(undefined).success) at(`${field} missing`, JSON.stringify(rest));
      }
    }
  }
  // The example of the brief: without strict bodies this would delete non-recursively.
  cases.push({ what: 'delete with recursiv', method: 'POST', path: '/rpc/delete', body: JSON.stringify({ path: '/keep/file.bin', recursiv: true }) });
  for (const name of ['nope', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'GETSTATS', '%ff', '%00', '..%2f..%2fetc', 'a'.repeat(5000)]) {
    cases.push({ what: `unknown method ${name.slice(0, 20)}`, method: 'POST', path: `/rpc/${name}`, body: '{}' });
  }
  for (const verb of ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    cases.push({ what: `${verb} /rpc/getStats`, method: verb, path: '/rpc/getStats', body: '{}' });
  }
  cases.push({ what: 'HEAD /rpc/getStats', method: 'HEAD', path: '/rpc/getStats', json: false });
  cases.push({ what: 'POST /rpc', method: 'POST', path: '/rpc', body: '{}' });
  cases.push({ what: 'POST /rpc/', method: 'POST', path: '/rpc/', body: '{}' });
  cases.push({ what: 'bad URI escape', method: 'GET', path: '/%ff%fe', body: undefined });
  return cases;
}

async function runAll(base: string, cases: Case[], headers: Record<string, string>): Promise<void> {
  let next = 0;
  const failures: string[] = [];
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const c = cases[next++];
      assert.ok(c);
      const reply = await request(base, c.method, c.path, c.body, { ...headers, ...c.headers });
      try {
        assertRefused(reply, c.what, { json: c.json ?? true });
      } catch (error) {
        failures.push((error as Error).message.split('\n')[0] ?? '');
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  assert.deepEqual(failures, [], `${failures.length} of ${cases.length} requests not refused properly:\n${failures.join('\n')}`);
}

test('every namenode RPC method refuses bad input with a 4xx RemoteException', async () => {
  const cases = rpcCases();
  counts.namenode = cases.length;
  await runAll(`http://${cluster.namenode.address}`, cases, { [userHeader]: user });
  assert.ok(cluster.namenode.running);
});

test('the data server refuses bad block ids, queries and unauthenticated writes', async () => {
  const dn = `http://${cluster.datanode(0).address}`;
  const id = located.block.id;
  const gs = located.block.genStamp;
  const token = { authorization: `Bearer ${located.token}` };
  const cases: Case[] = [];
  for (const bad of ['0', '-1', 'abc', '1.5', '01', '99999999999999999', '9007199254740993', '1e3', '%31', '..', '..%2f..%2fetc%2fpasswd', '../../etc/passwd', `${id}/x`, `${id}%00`, '']) {
    cases.push({ what: `GET /blocks/${bad}`, method: 'GET', path: `/blocks/${bad}?genStamp=${gs}` });
  }
  const queries = ['', 'genStamp=abc', 'genStamp=-1', 'genStamp=0', 'genStamp=1e400', 'genStamp=0x10', `genStamp=${gs}&offset=-5`, `genStamp=${gs}&offset=1e30`, `genStamp=${gs}&offset=${2 ** 53 - 1}`, `genStamp=${gs}&length=x`, `genStamp=${gs}&offset=${content.length + 1}`, `genStamp=${gs + 1000}`, `genStamp=${gs}&offset=%00`];
  for (const query of queries) {
    // Without a token the datanode refuses before reading the query; with one, the query itself is judged.
    cases.push({ what: `GET ?${query}`, method: 'GET', path: `/blocks/${id}?${query}` });
    cases.push({ what: `GET ?${query} (token)`, method: 'GET', path: `/blocks/${id}?${query}`, headers: token });
  }
  cases.push({ what: 'GET another block with this token', method: 'GET', path: `/blocks/${id + 1}?genStamp=${gs}`, headers: token });
  const garbage = randomBytes(64 * 1024);
  cases.push({ what: 'PUT garbage without token', method: 'PUT', path: `/blocks/${id + 7}?genStamp=${gs}&bytesPerChecksum=512`, body: garbage });
  cases.push({ what: 'PUT garbage with a read token', method: 'PUT', path: `/blocks/${id + 7}?genStamp=${gs}&bytesPerChecksum=512`, body: garbage, headers: token });
  cases.push({ what: 'PUT transfer without token', method: 'PUT', path: `/blocks/${id}?genStamp=${gs}&bytesPerChecksum=512&stage=transfer`, body: garbage });
  cases.push({ what: 'PUT recover garbage without token', method: 'PUT', path: `/blocks/${id}?genStamp=${gs + 1}&oldGenStamp=${gs}&offset=0&bytesPerChecksum=512&stage=recover`, body: garbage });
  cases.push({ what: 'PUT forged token', method: 'PUT', path: `/blocks/${id + 7}?genStamp=${gs}&bytesPerChecksum=512`, body: garbage, headers: { authorization: 'Bearer forged.token.value' } });
  for (const verb of ['POST', 'DELETE', 'PATCH']) cases.push({ what: `${verb} /blocks`, method: verb, path: `/blocks/${id}?genStamp=${gs}`, body: 'x' });
  cases.push({ what: 'DELETE /metrics', method: 'DELETE', path: '/metrics' });
  cases.push({ what: 'GET /nope', method: 'GET', path: '/nope' });
  cases.push({ what: 'GET /blocks', method: 'GET', path: '/blocks' });
  counts.datanode = cases.length;
  await runAll(dn, cases, {});
  assert.ok(cluster.datanode(0).process?.running);
});

/** Opens a link, waits for the challenge, and collects what the namenode sends until it closes. */
async function openLink(): Promise<{ socket: WebSocket; nonce: string; replies: Array<Record<string, unknown>>; closed: Promise<number> }> {
  const socket = new WebSocket(`ws://${cluster.namenode.address}/datanode`);
  const replies: Array<Record<string, unknown>> = [];
  socket.on('error', () => {}); // a refused huge frame may surface as EPIPE here
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  const nonce = await new Promise<string>((resolve, reject) => {
    socket.once('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; nonce: string };
      message.type === 'challenge' ? resolve(message.nonce) : reject(new Error(`expected a challenge, got ${String(data)}`));
    });
    socket.once('close', () => reject(new Error('closed before the challenge')));
  });
  socket.on('message', (data) => replies.push(JSON.parse(String(data)) as Record<string, unknown>));
  return { socket, nonce, replies, closed };
}

async function waitForReplies(replies: unknown[], count: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (replies.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(replies.length, count, `expected ${count} replies, got ${JSON.stringify(replies).slice(0, 500)}`);
}

test('the datanode link answers garbage, refuses a huge frame and a forged register, and survives', async () => {
  const garbageLink = await openLink();
  const frames: Array<string | Buffer> = [
    'garbage',
    '{',
    '[]',
    'null',
    '""',
    '{"type":"nope"}',
    '{"type":"heartbeat"}',
    JSON.stringify({ type: 'heartbeat', seq: 1, capacity: 1, dfsUsed: 0, nonDfsUsed: 0, remaining: 1, activeTransfers: 0, failedVolumes: 0 }),
    JSON.stringify({ type: 'blockReport', reportId: -1, replicas: [[0, 0, 0]], last: true }),
    JSON.stringify({ type: 'register', datanodeUuid: '../x' }),
    `{"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
    randomBytes(1000),
  ];
  for (const frame of frames) garbageLink.socket.send(frame);
  await waitForReplies(garbageLink.replies, frames.length);
  for (const reply of garbageLink.replies) {
    assert.equal(reply.type, 'error', JSON.stringify(reply));
    assert.ok(typeof reply.message === 'string' && reply.message.length > 0);
  }
  garbageLink.socket.close();
  await garbageLink.closed;

  const hugeLink = await openLink();
  hugeLink.socket.send(Buffer.alloc(maxDatanodeMessageBytes + 1, 0x20));
  assert.equal(await hugeLink.closed, 1009);

  // A well-formed register claiming the real datanode's uuid, with a proof that does not match.
  const forged = await openLink();
  forged.socket.send(
    JSON.stringify({
      type: 'register',
      datanodeUuid: cluster.datanode(0).uuid,
      clusterId: '',
      softwareVersion: '0.1.0',
      hostname: 'evil',
      dataPort: 1,
      storage: { capacity: 1, dfsUsed: 0, nonDfsUsed: 0, remaining: 1, volumes: [] },
      clientNonce: 'A'.repeat(43),
      proof: 'B'.repeat(43),
    }),
  );
  assert.equal(await forged.closed, 1008);
  assert.equal(forged.replies[0]?.type, 'registrationRefused');
  counts.websocket = frames.length + 2;
  assert.ok(cluster.namenode.running);
});

test('after the battery: both processes alive, namespace and data unchanged, datanode still live', async () => {
  assert.ok(cluster.namenode.running, 'namenode died');
  assert.ok(cluster.datanode(0).process?.running, 'datanode died');
  assert.deepEqual(await snapshot(), before_);
  assert.deepEqual(await client.readFile('/keep/file.bin'), content);
  const report = await client.rpc('datanodeReport', { type: 'live' });
  assert.equal(report.live.length, 1);
  assert.equal(report.live[0]?.name, cluster.datanode(0).address);
  const stats = await client.rpc('getStats', {});
  assert.equal(stats.safeMode, false);
  const fsck = await client.rpc('fsck', { path: '/', files: false });
  assert.equal(fsck.status, 'HEALTHY');
  console.log(`bad-input battery: ${counts.namenode} namenode requests, ${counts.datanode} datanode requests, ${counts.websocket} link frames`);
});

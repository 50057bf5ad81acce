// Hardened inputs, randomly: thousands of seeded random mutations of valid requests at
// every namenode RPC method, the datanode's data server and the namenode's datanode link,
// a few at a time and bounded in count and time. The property: never a 5xx, never a hang,
// no process dies, `fsck /` stays HEALTHY and what another user wrote is unchanged.
// The fixed battery of known-bad inputs is test/integration/bad-input.test.ts.
// Replay a failure with TSDFS_FUZZ_SEED=<seed> (every failure line names it); "random" picks a new one.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { defaultUserName } from '../../client-lib/identity.js';
import type { DfsClient } from '../../client-lib/index.js';
import { BlockTokenKeys, blockTokenKeyIdAt, readClusterSecret } from '../../protocol/auth.js';
import type { ExtendedBlock } from '../../protocol/common.js';
import { maxRpcBodyBytes } from '../../protocol/limits.js';
import { type DatanodeFuzzContext, nextDatanodeCase } from '../helpers/fuzz/datanode-fuzz.js';
import { type FuzzCase, type FuzzReply, runCases, Tally } from '../helpers/fuzz/http-driver.js';
import { fuzzDatanodeLink } from '../helpers/fuzz/link-fuzz.js';
import { fuzzSeed, Random } from '../helpers/fuzz/random.js';
import { nextRpcCase, type RpcFuzzContext } from '../helpers/fuzz/rpc-fuzz.js';
import { type Cluster, startCluster } from '../helpers/cluster.js';

const seed = fuzzSeed(20_240_604);
/** Requests per target, and the wall-clock budget of the whole fuzzing phase. */
const rpcRequests = 2500;
const datanodeRequests = 1500;
const linkFrames = 500;
const fuzzBudgetMs = 20_000;
const requestTimeoutMs = 10_000;

const admin = defaultUserName({});
/** Who the fuzzer claims to be: unprivileged users only (the generator adds malformed names). */
const fuzzUsers = ['mallory', 'eve', 'dr.who', 'nobody-at-all', 'ünïcode'].filter((user) => user !== admin && user !== 'root');

let cluster: Cluster;
let adminClient: DfsClient;
let mallory: DfsClient;
let snapshotBefore: string[];
const files = new Map<string, Buffer>([
  ['/keep/file.bin', randomBytes(1024 * 1024 + 4321)], // two blocks
  ['/keep/private/secret.bin', randomBytes(10_000)],
  ['/keep/empty', Buffer.alloc(0)],
]);
let rpcContext: RpcFuzzContext;
let datanodeContext: DatanodeFuzzContext;
const tally = new Tally(seed);

/** Every inode outside the fuzzer's own directories: `path type owner group mode length replication`. */
async function snapshot(): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (path: string): Promise<void> => {
    for (const s of await adminClient.ls(path)) {
      if (s.path === '/fuzz' || s.path.startsWith('/fuzz/') || s.path.startsWith('/user/mallory')) continue;
      lines.push([s.path, s.type, s.owner, s.group, s.permission, s.length, s.replication, s.underConstruction, s.modificationTime].join(' '));
      if (s.type === 'directory') await walk(s.path);
    }
  };
  await walk('/');
  return lines;
}

before(async () => {
  cluster = await startCluster({ datanodes: 1, config: { 'dfs.blocksize': '1m', 'dfs.replication': '1' } });
  adminClient = cluster.client();
  await adminClient.mkdir('/keep/dir', { parents: true });
  await adminClient.mkdir('/keep/private', { permission: '700' });
  for (const [path, data] of files) await adminClient.writeFile(path, data);
  await adminClient.mkdir('/fuzz', { permission: '777' });
  await adminClient.chmod('/fuzz', '777');
  await adminClient.mkdir('/user/mallory', { parents: true });
  await adminClient.chown('/user/mallory', 'mallory');

  // The fuzzer's own file, under construction, with a block and a real write token for it.
  mallory = cluster.client('mallory');
  const clientName = 'fuzz-client';
  const { status } = await mallory.rpc('create', { path: '/fuzz/mine', clientName, replication: 1 });
  const { block: own } = await mallory.rpc('addBlock', { path: '/fuzz/mine', clientName, fileId: status.fileId });
  const located = (await adminClient.rpc('getBlockLocations', { path: '/keep/file.bin' })).blocks;
  const keep = located[0];
  assert.ok(keep);
  rpcContext = {
    protectedPaths: ['/', '/keep', '/keep/dir', '/keep/file.bin', '/keep/private', '/keep/private/secret.bin', '/keep/empty', '/user', '/fuzz'],
    playground: '/fuzz',
    ownFile: { path: '/fuzz/mine', fileId: status.fileId, clientName, block: own.block },
    protectedBlock: keep.block,
    users: fuzzUsers,
  };
  datanodeContext = {
    protectedBlock: keep.block,
    ownBlock: own.block,
    readToken: keep.token,
    writeToken: own.token,
    tokens: hostileTokens(keep.block, own.block, keep.token),
    targets: [`${cluster.datanode(0).uuid}@${cluster.datanode(0).address}`, 'nobody@127.0.0.1:1', `namenode@${cluster.namenode.address}`, 'x@localhost:0'],
  };
  snapshotBefore = await snapshot();
});

after(async () => {
  await cluster?.stop();
});

/**
 * Tokens that must all be refused for anything but what the real ones grant: expired, from a
 * retired or future key, forged, re-signed payloads, and read/copy access to blocks. The test
 * holds the secret, so it signs only tokens a datanode must refuse (or that grant nothing new).
 */
function hostileTokens(keep: ExtendedBlock, own: ExtendedBlock, realRead: string): string[] {
  const keys = new BlockTokenKeys(readClusterSecret(cluster.secretFile));
  const now = Date.now();
  const keyId = blockTokenKeyIdAt(now);
  const payload = { blockId: keep.id, access: 'write' as const, user: 'mallory', expiresAt: now - 1000, keyId };
  const [body = '', mac = ''] = realRead.split('.');
  const tampered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString('utf8')), access: 'write' })).toString('base64url');
  return [
    keys.mint(payload), // expired write token for a protected block
    keys.mint({ ...payload, expiresAt: now + 3_600_000, keyId: keyId - 5 }), // retired key
    keys.mint({ ...payload, expiresAt: now + 3_600_000, keyId: keyId + 7 }), // key from the future
    new BlockTokenKeys(randomBytes(32)).mint({ ...payload, expiresAt: now + 3_600_000 }), // another cluster's secret
    `${tampered}.${mac}`, // read token upgraded to write, old signature
    `${body}.${'A'.repeat(43)}`,
    `${body}.`,
    `.${mac}`,
    keys.mint({ ...payload, blockId: own.id, access: 'read', expiresAt: now + 3_600_000 }), // read of its own block: harmless
    'not-a-token',
    '',
    'a.b.c',
    `${'x'.repeat(2049)}.y`,
    `${Buffer.from('{"__proto__":{"ok":true}}').toString('base64url')}.${mac}`,
  ];
}

/** The error-level lines the servers logged (pino level 50 and up): what a 5xx was about. */
function serverErrors(): string {
  const lines = [cluster.namenode, cluster.datanode(0).process].flatMap((server) => (server?.stderrLines ?? []).join('').split('\n'));
  return lines.filter((line) => /"level":(50|60)/.test(line)).slice(-10).join('\n');
}

/** Namenode: any 2xx (a mutation may be a legal request) or a 4xx RemoteException; nothing else. */
function judgeNamenode(c: FuzzCase, reply: FuzzReply): string | null {
  if (reply.hung) return `no answer within ${requestTimeoutMs} ms`;
  if (reply.status === 0) return null; // never sent: Node refused the header
  if (reply.status === -1) {
    // Refusing an over-long body may close the connection while we still upload it.
    return Buffer.byteLength(c.body ?? '') > maxRpcBodyBytes ? null : `connection cut (${reply.error})`;
  }
  if (reply.status >= 200 && reply.status < 300) return null;
  if (reply.status < 400 || reply.status >= 500) return `HTTP ${reply.status}: ${reply.text.slice(0, 300)}`;
  if (c.method === 'HEAD') return null;
  return /"RemoteException".*"message":"[^"]/.test(reply.text) ? null : `4xx without a RemoteException: ${reply.text.slice(0, 200)}`;
}

/**
 * Data server: 2xx, 4xx, or the pipeline's own 502 naming the downstream node the fuzzer sent
 * it to (an unreachable or bogus target is a bad node, as the write protocol says).
 */
function judgeDatanode(c: FuzzCase, reply: FuzzReply): string | null {
  if (reply.hung) return `no answer within ${requestTimeoutMs} ms`;
  if (reply.status === 0) return null;
  if (reply.status === -1) return c.method === 'PUT' && c.body !== undefined ? null : `connection cut (${reply.error})`;
  if (reply.status === 502 && c.headers?.['x-tsdfs-targets'] && reply.headers?.['x-tsdfs-bad-node']) return null;
  if (reply.status >= 500 || reply.status < 200 || (reply.status >= 300 && reply.status < 400)) return `HTTP ${reply.status}: ${reply.text.slice(0, 300)}`;
  return null;
}

test(`seeded fuzz (seed ${seed}): namenode RPCs, the data server and the datanode link answer 2xx/4xx and survive`, async (t) => {
  const deadline = Date.now() + fuzzBudgetMs;
  // One generator per target, so each target's sequence depends on the seed alone.
  const rpcRandom = new Random(seed);
  const datanodeRandom = new Random(seed ^ 0x5f3759df);
  const linkRandom = new Random(seed ^ 0x2545f491);
  const started = Date.now();
  await Promise.all([
    runCases({
      target: 'namenode RPC', base: `http://${cluster.namenode.address}`, count: rpcRequests, deadline, concurrency: 3, timeoutMs: requestTimeoutMs,
      next: () => nextRpcCase(rpcContext, rpcRandom), judge: judgeNamenode, tally,
    }),
    runCases({
      target: 'datanode data server', base: `http://${cluster.datanode(0).address}`, count: datanodeRequests, deadline, concurrency: 2, timeoutMs: requestTimeoutMs,
      next: () => nextDatanodeCase(datanodeContext, datanodeRandom), judge: judgeDatanode, tally,
    }),
    fuzzDatanodeLink({ address: cluster.namenode.address, secret: readClusterSecret(cluster.secretFile), random: linkRandom, frames: linkFrames, deadline, tally }),
  ]);
  t.diagnostic(`fuzz seed ${seed}: ${tally.total()} requests/frames in ${Date.now() - started} ms`);
  for (const line of tally.lines()) t.diagnostic(line);
  assert.deepEqual(tally.failures, [], `fuzz seed ${seed} (replay with TSDFS_FUZZ_SEED=${seed}):\n${tally.failures.join('\n')}\nserver errors:\n${serverErrors()}`);
  assert.ok(tally.total() >= 1000, `[seed ${seed}] only ${tally.total()} requests within ${fuzzBudgetMs} ms`);
});

test(`after the fuzz (seed ${seed}): every process alive, fsck HEALTHY, the other user's files unchanged`, async () => {
  for (const server of [cluster.namenode, cluster.datanode(0).process]) {
    assert.ok(server?.running, `[seed ${seed}] process ${server?.pid} died`);
    process.kill(server.pid, 0); // throws if the PID is gone
  }
  assert.deepEqual(await snapshot(), snapshotBefore, `[seed ${seed}] the namespace outside /fuzz changed`);
  for (const [path, data] of files) assert.ok((await adminClient.readFile(path)).equals(data), `[seed ${seed}] ${path} reads back different`);
  const fsck = await cluster.cli(['fsck', '/']);
  assert.equal(fsck.code, 0, `[seed ${seed}] fsck: ${fsck.stdout}${fsck.stderr}`);
  assert.match(fsck.stdout, /Status: HEALTHY/, `[seed ${seed}] fsck: ${fsck.stdout}`);
  const report = await adminClient.rpc('datanodeReport', { type: 'live' });
  assert.ok(report.live.some((node) => node.uuid === cluster.datanode(0).uuid), `[seed ${seed}] the datanode is no longer live`);
  assert.equal((await adminClient.rpc('getStats', {})).safeMode, false, `[seed ${seed}] left in safe mode`);
});

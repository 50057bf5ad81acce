// Fuzz cases for `POST /rpc/<method>`: a valid request for every method in the protocol's
// table, mutated (fields, JSON text, headers, verb, method name), sent as an unprivileged
// user or as nobody at all.
import { type RpcMethod, type RpcRequest, rpcMethodNames, userHeader } from '../../../protocol/client-namenode.js';
import type { ExtendedBlock } from '../../../protocol/common.js';
import { maxRpcBodyBytes } from '../../../protocol/limits.js';
import type { FuzzCase } from './http-driver.js';
import { mutateObject, randomPath, serialize } from './mutations.js';
import type { Random } from './random.js';

export interface RpcFuzzContext {
  /** Paths the fuzzer may only read (set up by another user); they must not change. */
  protectedPaths: string[];
  /** A directory the fuzzer may write in. */
  playground: string;
  /** A file the fuzzer created and holds the lease of, with its first block. */
  ownFile: { path: string; fileId: number; clientName: string; block: ExtendedBlock };
  /** A block of a protected file. */
  protectedBlock: ExtendedBlock;
  /** User names the fuzzer sends (none of them a superuser). */
  users: string[];
}

function validRequests(context: RpcFuzzContext, random: Random): { [M in RpcMethod]: RpcRequest<M> } {
  const own = context.ownFile;
  const path = random.chance(0.5) ? random.pick(context.protectedPaths) : `${context.playground}/${random.text(3)}`;
  const block = random.chance(0.5) ? own.block : context.protectedBlock;
  return {
    mkdirs: { path, createParent: random.chance(0.5), permission: '777' },
    getFileInfo: { path },
    listing: { path, startAfter: random.text(1) },
    create: { path, clientName: own.clientName, overwrite: random.chance(0.5), replication: 1, blockSize: 1024 * 1024, permission: '644' },
    addBlock: { path: own.path, clientName: own.clientName, fileId: own.fileId, previous: null, excludeNodes: [] },
    abandonBlock: { path: own.path, clientName: own.clientName, fileId: own.fileId, block },
    complete: { path: own.path, clientName: own.clientName, fileId: own.fileId, last: null },
    getBlockLocations: { path, offset: 0, length: 10 },
    delete: { path, recursive: random.chance(0.5) },
    rename: { src: path, dst: `${context.playground}/${random.text(3)}` },
    setReplication: { path, replication: random.int(1, 3) },
    setPermission: { path, permission: random.pick(['777', '000', '1777', '644']) },
    setOwner: { path, owner: random.pick(context.users), group: 'fuzzers' },
    renewLease: { clientName: own.clientName },
    recoverLease: { path, clientName: own.clientName },
    reportBadBlocks: { blocks: [{ block, datanodeUuid: 'not-a-datanode' }] },
    updateBlockForPipeline: { clientName: own.clientName, block },
    updatePipeline: { clientName: own.clientName, oldBlock: block, newGenStamp: block.genStamp + 1, newNodes: ['not-a-datanode'] },
    getContentSummary: { path },
    getStats: {},
    datanodeReport: { type: 'all' },
    setSafeMode: { action: random.pick(['get', 'enter', 'leave'] as const) },
    fsck: { path, files: true },
    refreshNodes: {},
    printTopology: {},
    getServerDefaults: {},
  };
}

const contentTypes = ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/json; charset=latin1', '', '*/*', 'application/json; charset=utf-8; x=\u00ff'];
const badUserHeaders = ['a b', 'x'.repeat(300), 'trailing:colon', 'slash/user', '\t'];
const hostileMethodNames = ['nope', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'GETSTATS', '%ff', '%00', '..%2f..%2fetc', 'getStats/..', 'getStats%2f', 'a'.repeat(3000), ''];

/** The next RPC fuzz case; most are a mutated body at a real method. */
export function nextRpcCase(context: RpcFuzzContext, random: Random): FuzzCase {
  const method = random.pick(rpcMethodNames);
  const valid = validRequests(context, random)[method] as Record<string, never>;
  const paths = [...context.protectedPaths, context.playground, context.ownFile.path];
  const body = random.chance(0.1) ? valid : mutateObject(random, valid, paths);
  const headers: Record<string, string> = {};
  // Mostly a plausible user, sometimes nobody (anonymous), sometimes a header the namenode must refuse.
  const user = random.chance(0.15) ? undefined : random.chance(0.9) ? random.pick(context.users) : random.pick(badUserHeaders);
  if (user !== undefined) headers[userHeader] = user;
  if (random.chance(0.2)) headers['content-type'] = random.pick(contentTypes);
  if (random.chance(0.05)) headers['content-encoding'] = random.pick(['gzip', 'deflate', 'br', 'identity', 'xyz', 'gzip, gzip']);
  if (random.chance(0.05)) headers.authorization = random.pick(['Bearer ', 'Bearer x.y', 'Basic Zm9vOmJhcg==', `Bearer ${random.text(3000)}`]);
  let rpcPath = `/rpc/${method}`;
  let verb = 'POST';
  if (random.chance(0.03)) rpcPath = `/rpc/${random.pick(hostileMethodNames)}`;
  if (random.chance(0.03)) rpcPath = random.pick(['/rpc', '/rpc/', `/rpc/${method}?x=1`, `/rpc//${method}`, `/RPC/${method}`, `/rpc/${method}/extra`, '/%ff%fe', `/${randomPath(random, paths)}`.replace(/\0/g, '%00')]);
  if (random.chance(0.03)) verb = random.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']);
  const text = serialize(random, body, maxRpcBodyBytes);
  return {
    what: `${verb} ${rpcPath.slice(0, 60)} ${typeof text === 'string' ? text.slice(0, 100) : `<${text.length} random bytes>`}`,
    method: verb,
    path: encodeRequestTarget(rpcPath),
    ...(verb === 'HEAD' || verb === 'GET' ? {} : { body: text }),
    headers,
  };
}

/** Node refuses request targets with spaces or control characters; escape those, keep the rest raw. */
export function encodeRequestTarget(target: string): string {
  return target.replace(/[\x00-\x20\x7f-\uffff]/g, (c) => [...Buffer.from(c, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join(''));
}

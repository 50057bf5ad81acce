// Namespace operations on a real LMDB store in a temp dir: mkdirs, create, listing pages,
// rename and delete rules, replication/owner/permission changes, errors by code, and
// durability across a close and reopen.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { type Config, parseConfig } from '../../config/index.js';
import { formatNamenode } from '../../namenode/main.js';
import { type NamenodeServices, createNamenodeServices } from '../../namenode/namenode-services.js';
import { createRpcHandlers, type RpcHandlers } from '../../namenode/rpc/rpc-handlers.js';
import { NamenodeStore } from '../../namenode/storage/namenode-store.js';
import { rpcMethods, type RpcMethod, type RpcRequest, type RpcResponse } from '../../protocol/client-namenode.js';
import { DfsError } from '../../protocol/errors.js';
import { listingPageEntries } from '../../protocol/limits.js';

const alice = { user: 'alice', host: '127.0.0.1' };
let dir: string;
let config: Config;
let store: NamenodeStore;
let services: NamenodeServices;
let handlers: RpcHandlers;

function open(): void {
  store = NamenodeStore.open(config['dfs.namenode.name.dir']);
  services = createNamenodeServices(store, config);
  handlers = createRpcHandlers(services);
}

/** Calls a handler as the HTTP layer does: the request parsed with its schema first. */
async function call<M extends RpcMethod>(method: M, request: RpcRequest<M>): Promise<RpcResponse<M>> {
  const parsed = rpcMethods[method].request.parse(request);
  const handler = handlers[method] as (request: unknown, caller: typeof alice) => unknown;
  return (await handler(parsed, alice)) as RpcResponse<M>;
}

async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof DfsError, String(error));
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsdfs-nn-namespace-'));
  // alice is an admin here (supergroup): these tests are about namespace rules, permissions have their own.
  config = parseConfig({ 'dfs.namenode.name.dir': join(dir, 'name'), 'dfs.umaskmode': '022', 'hadoop.user.group.static.mapping.overrides': 'alice=supergroup' });
  await formatNamenode(config, { now: 1000 });
  open();
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

test('format writes a root owned by the OS user, a cluster id and a private secret', async () => {
  const root = (await call('getFileInfo', { path: '/' })).status;
  assert.equal(root?.type, 'directory');
  assert.equal(root?.group, 'supergroup');
  assert.equal(root?.permission, '755');
  assert.match(services.format.clusterId, /^CID-[0-9a-f-]{36}$/);
  assert.equal((await stat(join(dir, 'name', 'cluster.secret'))).mode & 0o777, 0o600);
  await assert.rejects(formatNamenode(config), /already formatted/);
});

test('an unformatted name dir is refused with the command that fixes it', () => {
  assert.throws(() => NamenodeStore.open(join(dir, 'elsewhere')), /namenode is not formatted: .*tsdfs namenode -format/);
});

test('mkdirs creates parents, reports whether it created, and refuses through a file', async () => {
  assert.deepEqual(await call('mkdirs', { path: '/a/b/c' }), { created: true });
  assert.deepEqual(await call('mkdirs', { path: '/a/b/c' }), { created: false });
  await rejectsWith(call('mkdirs', { path: '/x/y', createParent: false }), 'FileNotFound');
  await call('create', { path: '/a/f', clientName: 'c1' });
  await rejectsWith(call('mkdirs', { path: '/a/f/g' }), 'ParentNotDirectory');
  await rejectsWith(call('mkdirs', { path: '/a/f' }), 'FileAlreadyExists');
  const status = (await call('getFileInfo', { path: '/a/b' })).status;
  assert.equal(status?.owner, 'alice');
  assert.equal(status?.group, 'supergroup', 'group comes from the parent');
  assert.equal((await call('getFileInfo', { path: '/nope' })).status, null);
});

test('create with firstBlock and no datanode to place it returns no block; addBlock then says why', async () => {
  const { status, block } = await call('create', { path: '/f', clientName: 'c1', firstBlock: true });
  assert.equal(block, undefined);
  assert.equal((await call('getBlockLocations', { path: '/f', offset: 0, length: 1 })).blocks.length, 0, 'no block was recorded');
  await rejectsWith(call('addBlock', { path: '/f', clientName: 'c1', fileId: status.fileId }), 'NotEnoughDatanodes');
});

test('complete with renameTo closes and moves the file in one step; a refused rename leaves it open where it was', async () => {
  await call('mkdirs', { path: '/d' });
  const first = await call('create', { path: '/d/f._COPYING_', clientName: 'c1' });
  assert.deepEqual(await call('complete', { path: '/d/f._COPYING_', clientName: 'c1', fileId: first.status.fileId, renameTo: '/d/f' }), { complete: true });
  assert.equal((await call('getFileInfo', { path: '/d/f._COPYING_' })).status, null);
  const landed = (await call('getFileInfo', { path: '/d/f' })).status;
  assert.equal(landed?.fileId, first.status.fileId);
  assert.equal(landed?.underConstruction, false);

  const second = await call('create', { path: '/d/g._COPYING_', clientName: 'c1' });
  await rejectsWith(call('complete', { path: '/d/g._COPYING_', clientName: 'c1', fileId: second.status.fileId, renameTo: '/d/f' }), 'FileAlreadyExists');
  assert.equal((await call('getFileInfo', { path: '/d/g._COPYING_' })).status?.underConstruction, true, 'not completed either');
  assert.equal((await call('getFileInfo', { path: '/d/f' })).status?.fileId, first.status.fileId);
});

test('create applies the umask, takes the parent group, and respects overwrite', async () => {
  await call('mkdirs', { path: '/d', permission: '777' });
  await call('setOwner', { path: '/d', group: 'staff' });
  const { status } = await call('create', { path: '/d/f', clientName: 'c1', replication: 2 });
  assert.equal(status.permission, '644');
  assert.equal(status.group, 'staff');
  assert.equal(status.replication, 2);
  assert.equal(status.underConstruction, true);
  await call('complete', { path: '/d/f', clientName: 'c1', fileId: status.fileId });
  await rejectsWith(call('create', { path: '/d/f', clientName: 'c2' }), 'FileAlreadyExists');
  const replaced = await call('create', { path: '/d/f', clientName: 'c2', overwrite: true, permission: '600' });
  assert.notEqual(replaced.status.fileId, status.fileId);
  assert.equal(replaced.status.permission, '600');
  await rejectsWith(call('create', { path: '/d', clientName: 'c2' }), 'FileAlreadyExists');
  await rejectsWith(call('create', { path: '/missing/f', clientName: 'c2', createParent: false }), 'FileNotFound');
});

test('listing pages through a directory in name order; a file lists itself', async () => {
  const count = listingPageEntries + 5;
  await services.context.store.write(() => {
    for (let i = 0; i < count; i++) services.namespace.mkdirsInTransaction(`/big/d${String(i).padStart(5, '0')}`, undefined, true, alice, 1);
  });
  const first = await call('listing', { path: '/big' });
  assert.equal(first.entries.length, listingPageEntries);
  assert.equal(first.remaining, 5);
  assert.equal(first.entries[0]?.path, '/big/d00000');
  const second = await call('listing', { path: '/big', startAfter: 'd00999' });
  assert.deepEqual(second.entries.map((entry) => entry.path), ['/big/d01000', '/big/d01001', '/big/d01002', '/big/d01003', '/big/d01004']);
  assert.equal(second.remaining, 0);
  await call('create', { path: '/big/file', clientName: 'c1' });
  assert.deepEqual((await call('listing', { path: '/big/file' })).entries.map((entry) => entry.path), ['/big/file']);
  await rejectsWith(call('listing', { path: '/none' }), 'FileNotFound');
});

test('rename moves into an existing directory and refuses what HDFS refuses', async () => {
  await call('mkdirs', { path: '/src/sub' });
  await call('mkdirs', { path: '/dst' });
  await call('create', { path: '/file', clientName: 'c1' });
  assert.deepEqual(await call('rename', { src: '/src', dst: '/dst' }), { renamed: true, dst: '/dst/src' });
  assert.equal((await call('getFileInfo', { path: '/dst/src/sub' })).status?.type, 'directory');
  assert.equal((await call('getFileInfo', { path: '/src' })).status, null);
  assert.deepEqual(await call('rename', { src: '/file', dst: '/renamed' }), { renamed: true, dst: '/renamed' });
  await call('create', { path: '/other', clientName: 'c1' });
  await rejectsWith(call('rename', { src: '/other', dst: '/renamed' }), 'FileAlreadyExists');
  await rejectsWith(call('rename', { src: '/dst', dst: '/dst/src/sub' }), 'InvalidPath', /own subtree/);
  await rejectsWith(call('rename', { src: '/other', dst: '/no/such/place' }), 'FileNotFound');
  await rejectsWith(call('rename', { src: '/ghost', dst: '/x' }), 'FileNotFound');
  assert.equal((await call('listing', { path: '/' })).entries.length, 3);
});

test('delete needs recursive for a non-empty directory and never deletes /', async () => {
  await call('mkdirs', { path: '/t/u' });
  await rejectsWith(call('delete', { path: '/t' }), 'PathIsNotEmptyDirectory');
  assert.deepEqual(await call('delete', { path: '/t', recursive: true }), { deleted: true });
  assert.deepEqual(await call('delete', { path: '/t' }), { deleted: false });
  await rejectsWith(call('delete', { path: '/', recursive: true }), 'InvalidRequest');
  const stats = await call('getStats', {});
  assert.equal(stats.totalDirectories, 1);
  assert.equal(stats.totalFiles, 0);
});

test('setReplication, setPermission and setOwner change the stored inode', async () => {
  await call('create', { path: '/f', clientName: 'c1' });
  assert.deepEqual(await call('setReplication', { path: '/f', replication: 5 }), { changed: true });
  await call('mkdirs', { path: '/d' });
  assert.deepEqual(await call('setReplication', { path: '/d', replication: 5 }), { changed: false });
  await call('setPermission', { path: '/f', permission: '1750' });
  await call('setOwner', { path: '/f', owner: 'bob', group: 'eng' });
  const status = (await call('getFileInfo', { path: '/f' })).status;
  assert.equal(status?.replication, 5);
  assert.equal(status?.permission, '1750');
  assert.equal(status?.owner, 'bob');
  assert.equal(status?.group, 'eng');
  await rejectsWith(call('setOwner', { path: '/f' }), 'InvalidRequest');
  await rejectsWith(call('setPermission', { path: '/nope', permission: '700' }), 'FileNotFound');
});

test('safe mode refuses mutations until left', async () => {
  assert.deepEqual(await call('setSafeMode', { action: 'get' }), { safeMode: false });
  await call('setSafeMode', { action: 'enter' });
  await rejectsWith(call('mkdirs', { path: '/x' }), 'SafeMode');
  assert.equal((await call('getFileInfo', { path: '/' })).status?.type, 'directory', 'reads still work');
  await call('setSafeMode', { action: 'leave' });
  assert.deepEqual(await call('mkdirs', { path: '/x' }), { created: true });
});

test('content summary counts a subtree', async () => {
  await call('mkdirs', { path: '/s/t' });
  await call('create', { path: '/s/t/f', clientName: 'c1' });
  const summary = await call('getContentSummary', { path: '/s' });
  assert.equal(summary.directoryCount, 2);
  assert.equal(summary.fileCount, 1);
});

test('the namespace survives a close and reopen', async () => {
  await call('mkdirs', { path: '/keep/me' });
  const { status } = await call('create', { path: '/keep/open', clientName: 'writer' });
  await call('setOwner', { path: '/keep/me', owner: 'carol' });
  await store.close();
  open();
  assert.equal((await call('getFileInfo', { path: '/keep/me' })).status?.owner, 'carol');
  assert.equal((await call('getFileInfo', { path: '/keep/open' })).status?.underConstruction, true);
  assert.equal(services.leases.holderOf(status.fileId)?.clientName, 'writer', 'leases come back from LMDB');
  const fresh = await call('create', { path: '/keep/new', clientName: 'writer' });
  assert.ok(fresh.status.fileId > status.fileId, 'inode ids keep counting');
});

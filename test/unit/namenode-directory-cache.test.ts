// The namenode's cache of decoded directories: served only while clean, dirty from a write
// until its transaction settles, bounded, and never stale through the namespace's own
// operations on a real LMDB store.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { parseConfig } from '../../config/index.js';
import { formatNamenode } from '../../namenode/main.js';
import { type NamenodeServices, createNamenodeServices } from '../../namenode/namenode-services.js';
import { DirectoryCache, TouchedKeys } from '../../namenode/storage/directory-cache.js';
import { NamenodeStore } from '../../namenode/storage/namenode-store.js';
import type { InodeRecord } from '../../namenode/storage/records.js';

function directory(id: number, parentId: number, name: string): InodeRecord {
  return { id, parentId, name, type: 'directory', owner: 'o', group: 'g', mode: 0o755, mtime: 1, atime: 1, replication: 0, blockSize: 0, length: 0, state: 'complete', blockIds: [], childrenNum: 0 };
}

test('a remembered directory is served frozen outside a write and as a private copy inside one', () => {
  const cache = new DirectoryCache(8);
  cache.remember(1, 'a', directory(2, 1, 'a'));
  const shared = cache.child(1, 'a');
  assert.equal(shared?.id, 2);
  assert.ok(Object.isFrozen(shared));
  cache.beginWrite(new TouchedKeys());
  const copy = cache.child(1, 'a') as InodeRecord;
  copy.childrenNum = 5;
  cache.endWrite();
  assert.equal(cache.child(1, 'a')?.childrenNum, 0);
  assert.equal(cache.child(1, 'b'), undefined);
});

test('files are never cached', () => {
  const cache = new DirectoryCache(8);
  cache.remember(1, 'f', { ...directory(2, 1, 'f'), type: 'file' });
  assert.equal(cache.child(1, 'f'), undefined);
});

test('a written inode or children key is neither served nor remembered until its transaction settles', () => {
  const cache = new DirectoryCache(8);
  cache.remember(1, 'a', directory(2, 1, 'a'));
  cache.remember(1, 'b', directory(3, 1, 'b'));
  const touched = new TouchedKeys();
  cache.beginWrite(touched);
  cache.inodeWritten(2);
  cache.childWritten(1, 'b');
  cache.endWrite();
  assert.equal(cache.child(1, 'a'), undefined);
  assert.equal(cache.child(1, 'b'), undefined);
  // A reader outside the transaction still sees the old committed records: they must not come back.
  cache.remember(1, 'a', directory(2, 1, 'a'));
  cache.remember(1, 'b', directory(3, 1, 'b'));
  assert.equal(cache.child(1, 'a'), undefined);
  assert.equal(cache.child(1, 'b'), undefined);
  cache.settle(touched);
  assert.equal(cache.child(1, 'a'), undefined, 'settling forgets what was read before the commit');
  cache.remember(1, 'a', { ...directory(2, 1, 'a'), childrenNum: 1 });
  assert.equal(cache.child(1, 'a')?.childrenNum, 1);
});

test('a key stays dirty until every transaction that wrote it has settled', () => {
  const cache = new DirectoryCache(8);
  const first = new TouchedKeys();
  const second = new TouchedKeys();
  for (const touched of [first, second]) {
    cache.beginWrite(touched);
    cache.inodeWritten(2);
    cache.endWrite();
  }
  cache.settle(first);
  cache.remember(1, 'a', directory(2, 1, 'a'));
  assert.equal(cache.child(1, 'a'), undefined);
  cache.settle(second);
  cache.remember(1, 'a', directory(2, 1, 'a'));
  assert.equal(cache.child(1, 'a')?.id, 2);
});

test('a write outside a tracked transaction turns the cache off for good', () => {
  const cache = new DirectoryCache(8);
  cache.remember(1, 'a', directory(2, 1, 'a'));
  cache.inodeWritten(7);
  assert.equal(cache.child(1, 'a'), undefined);
  cache.remember(1, 'a', directory(2, 1, 'a'));
  assert.equal(cache.size, 0);
});

test('the cache holds at most its capacity, dropping the oldest', () => {
  const cache = new DirectoryCache(4);
  for (let id = 2; id < 12; id++) cache.remember(1, `d${id}`, directory(id, 1, `d${id}`));
  assert.equal(cache.size, 4);
  assert.equal(cache.child(1, 'd2'), undefined);
  assert.equal(cache.child(1, 'd11')?.id, 11);
});

let dir: string;
let store: NamenodeStore;
let services: NamenodeServices;
const caller = { user: 'alice', host: '127.0.0.1' };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsdfs-nn-dircache-'));
  const config = parseConfig({ 'dfs.namenode.name.dir': join(dir, 'name'), 'hadoop.user.group.static.mapping.overrides': 'alice=supergroup' });
  await formatNamenode(config, { now: 1000 });
  store = NamenodeStore.open(join(dir, 'name'));
  services = createNamenodeServices(store, config);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

test('statuses of cached directories follow every mutation of the namespace', async () => {
  const { namespace } = services;
  const status = (path: string) => namespace.getFileInfo(path, caller).status;
  await namespace.mkdirs('/a/b', undefined, true, caller);
  assert.equal(status('/a')?.childrenNum, 1);
  assert.ok(store.directories.size >= 2, 'the walk cached the directories it read');
  await namespace.mkdirs('/a/c', undefined, true, caller);
  assert.equal(status('/a')?.childrenNum, 2);
  await namespace.setPermission('/a/b', '700', caller);
  assert.equal(status('/a/b')?.permission, '700');
  await namespace.setOwner('/a/b', 'bob', undefined, caller);
  assert.equal(status('/a/b')?.owner, 'bob');
  await namespace.rename('/a/b', '/moved', caller);
  assert.equal(status('/a/b'), null);
  assert.equal(status('/moved')?.owner, 'bob');
  assert.equal(status('/a')?.childrenNum, 1);
  await namespace.mkdirs('/moved/x', undefined, true, caller);
  assert.equal(status('/moved/x')?.type, 'directory');
  await namespace.delete('/moved', true, caller);
  assert.equal(status('/moved'), null);
  assert.equal(status('/moved/x'), null);
  // A new directory may take the old name; the walk must find it, not the deleted one.
  await namespace.mkdirs('/moved', undefined, true, caller);
  assert.equal(status('/moved')?.childrenNum, 0);
});

test('a directory read while its mutation commits is current once the mutation has answered', async () => {
  const { namespace } = services;
  await namespace.mkdirs('/a/b', undefined, true, caller);
  for (let round = 0; round < 20; round++) {
    const pending = namespace.mkdirs(`/a/c${round}`, undefined, true, caller);
    // Read /a at every event turn while the commit is on its way: old or new, never stuck.
    let settled = false;
    void pending.finally(() => (settled = true));
    while (!settled) {
      namespace.getFileInfo('/a', caller);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await pending;
    assert.equal(namespace.getFileInfo('/a', caller).status?.childrenNum, round + 2);
  }
});

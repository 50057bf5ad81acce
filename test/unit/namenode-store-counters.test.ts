// The store's counters (inode ids, file and directory counts): kept in memory across write
// transactions, they must still roll back with an aborted mutation and match LMDB afterwards.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { parseConfig } from '../../config/index.js';
import { formatNamenode } from '../../namenode/main.js';
import { type NamenodeServices, createNamenodeServices } from '../../namenode/namenode-services.js';
import { NamenodeStore } from '../../namenode/storage/namenode-store.js';
import { metaKeys } from '../../namenode/storage/records.js';

let dir: string;
let store: NamenodeStore;
let services: NamenodeServices;
const caller = { user: 'alice', host: '127.0.0.1' };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsdfs-nn-counters-'));
  const config = parseConfig({
    'dfs.namenode.name.dir': join(dir, 'name'),
    'hadoop.user.group.static.mapping.overrides': 'alice=supergroup',
    'dfs.namenode.fs-limits.max-directory-items': '2',
  });
  await formatNamenode(config, { now: 1000 });
  store = NamenodeStore.open(join(dir, 'name'));
  services = createNamenodeServices(store, config);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

test('an aborted mutation among concurrent ones leaves no counter bump behind', async () => {
  const first = store.counter('nextInodeId');
  const writes = Array.from({ length: 16 }, (_, index) =>
    store.write(() => {
      const id = store.nextCounter('nextInodeId');
      store.addToCounter('fileCount', 1);
      if (index % 5 === 2) throw new Error(`abort ${index}`);
      return id;
    }),
  );
  const results = await Promise.allSettled(writes);
  const ids = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  assert.equal(ids.length, 13);
  assert.equal(new Set(ids).size, ids.length, 'every committed id is unique');
  assert.deepEqual(
    [...ids].sort((a, b) => a - b),
    Array.from({ length: 13 }, (_, index) => first + index),
    'ids taken by aborted mutations are given out again',
  );
  assert.equal(store.counter('nextInodeId'), first + 13);
  assert.equal(store.meta.get(metaKeys.nextInodeId), first + 13);
  assert.equal(store.counter('fileCount'), 13);
  assert.equal(await store.write(() => store.counter('fileCount')), 13, 'inside a write too');
});

test('directories made by an aborted mutation leave the directory count and inode ids as they were', async () => {
  const { namespace } = services;
  await namespace.mkdirs('/a', undefined, true, caller);
  const directories = store.counter('directoryCount');
  const nextId = store.counter('nextInodeId');
  const aborted = store.write(() => {
    assert.equal(namespace.mkdirsInTransaction('/a/b/c', undefined, true, caller, 2000), true);
    throw new Error('abort after two new directories');
  });
  const committed = namespace.mkdirs('/a/d', undefined, true, caller);
  await assert.rejects(aborted, /abort after two new directories/);
  await committed;
  assert.equal(namespace.getFileInfo('/a/b', caller).status, null);
  assert.equal(namespace.getFileInfo('/a/d', caller).status?.fileId, nextId);
  assert.equal(store.counter('directoryCount'), directories + 1);
  assert.equal(await store.write(() => store.counter('nextInodeId')), nextId + 1);
});

test('a full directory refuses mkdirs without a counter bump', async () => {
  const { namespace } = services;
  await namespace.mkdirs('/a', undefined, true, caller);
  await namespace.mkdirs('/b', undefined, true, caller);
  const directories = store.counter('directoryCount');
  await assert.rejects(namespace.mkdirs('/c/d', undefined, true, caller), { code: 'LimitExceeded' });
  assert.equal(await store.write(() => store.counter('directoryCount')), directories);
});

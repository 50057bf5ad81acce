// Leases: the pure core with a fake clock (conflict while renewed, takeover after the soft
// limit, files past the hard limit), then the same rules through create and the monitor's
// recovery on a real store.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseConfig } from '../../config/index.js';
import { LeaseTable, checkWriterLease, decideCreateOverLease } from '../../namenode/leases/lease-core.js';
import { formatNamenode } from '../../namenode/main.js';
import { recoverExpiredLeases } from '../../namenode/namespace/lease-recovery.js';
import { createNamenodeServices } from '../../namenode/namenode-services.js';
import { NamenodeStore } from '../../namenode/storage/namenode-store.js';
import { rpcMethods } from '../../protocol/client-namenode.js';
import { DfsError } from '../../protocol/errors.js';

const limits = { softLimitMs: 60_000, hardLimitMs: 1_200_000 };

test('a create over a renewed lease is a conflict naming the holder', () => {
  const table = new LeaseTable();
  table.add('writer-a', 7, 0);
  const holder = table.holderOf(7);
  assert.ok(holder);
  const decision = decideCreateOverLease(holder, 'writer-b', '/f', 59_999, limits);
  assert.equal(decision.kind, 'conflict');
  assert.match(decision.kind === 'conflict' ? decision.message : '', /writer-a/);
  assert.equal(decideCreateOverLease(holder, 'writer-a', '/f', 70_000, limits).kind, 'conflict', 'the holder itself cannot re-create');
});

test('after the soft limit another writer recovers the lease; renewal pushes it back', () => {
  const table = new LeaseTable();
  table.add('writer-a', 7, 0);
  const holder = table.holderOf(7);
  assert.ok(holder);
  assert.equal(decideCreateOverLease(holder, 'writer-b', '/f', 60_000, limits).kind, 'recover');
  assert.equal(table.renew('writer-a', 50_000), true);
  assert.equal(decideCreateOverLease(holder, 'writer-b', '/f', 60_000, limits).kind, 'conflict');
  assert.equal(table.renew('nobody', 50_000), false);
});

test('files past the hard limit are listed for recovery, per holder', () => {
  const table = new LeaseTable();
  table.add('writer-a', 1, 0);
  table.add('writer-a', 2, 0);
  table.add('writer-b', 3, 0);
  table.renew('writer-b', 1_000_000);
  assert.deepEqual(table.filesPastHardLimit(1_199_999, limits), []);
  assert.deepEqual(table.filesPastHardLimit(1_200_000, limits), [1, 2]);
  table.remove(1);
  table.remove(2);
  assert.equal(table.openFiles, 1);
});

test('only the holder may go on writing', () => {
  const table = new LeaseTable();
  table.add('writer-a', 7, 0);
  assert.deepEqual(checkWriterLease(table.holderOf(7), 'writer-a', '/f'), { ok: true });
  const other = checkWriterLease(table.holderOf(7), 'writer-b', '/f');
  assert.equal(other.ok ? '' : other.code, 'LeaseConflict');
  const none = checkWriterLease(table.holderOf(8), 'writer-b', '/g');
  assert.equal(none.ok ? '' : none.code, 'LeaseExpired');
});

test('create, addBlock and the hard-limit monitor follow the lease rules on a real store', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tsdfs-nn-leases-'));
  const config = parseConfig({ 'dfs.namenode.name.dir': join(dir, 'name'), 'tsdfs.lease.soft-limit.ms': 1000, 'dfs.namenode.lease-hard-limit-sec': 10 });
  await formatNamenode(config);
  const store = NamenodeStore.open(config['dfs.namenode.name.dir']);
  let now = 1_000_000;
  const services = createNamenodeServices(store, config, { clock: () => now, superuser: 'u' });
  const caller = { user: 'u', host: '127.0.0.1' };
  const create = (clientName: string, overwrite = false) =>
    services.fileWrites.create(rpcMethods.create.request.parse({ path: '/f', clientName, overwrite }), caller);
  try {
    const first = await create('writer-a');
    await assert.rejects(create('writer-b'), (error: unknown) => error instanceof DfsError && error.code === 'LeaseConflict' && /writer-a/.test(error.message));
    const addBlock = rpcMethods.addBlock.request.parse({ path: '/f', clientName: 'writer-b', fileId: first.status.fileId });
    await assert.rejects(services.fileWrites.addBlock(addBlock, caller), (error: unknown) => error instanceof DfsError && error.code === 'LeaseConflict');

    now += 1500; // past the soft limit: writer-b takes over and, with overwrite, replaces the file
    const second = await create('writer-b', true);
    assert.notEqual(second.status.fileId, first.status.fileId);
    assert.equal(services.leases.holderOf(second.status.fileId)?.clientName, 'writer-b');

    now += 10_000; // past the hard limit: the monitor closes the abandoned file
    assert.deepEqual(await recoverExpiredLeases(services.context, 10_000, 1000), [second.status.fileId]);
    const status = services.namespace.getFileInfo('/f', caller).status;
    assert.equal(status?.underConstruction, false);
    assert.equal(services.leases.openFiles, 0);
    assert.equal(store.leases.get(second.status.fileId), undefined, 'the lease record is gone from LMDB');
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a rename carries the lease records of open files with it, and a completed file leaves none', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tsdfs-nn-leases-'));
  const config = parseConfig({ 'dfs.namenode.name.dir': join(dir, 'name') });
  await formatNamenode(config);
  const store = NamenodeStore.open(config['dfs.namenode.name.dir']);
  const services = createNamenodeServices(store, config, { superuser: 'u' });
  const caller = { user: 'u', host: '127.0.0.1' };
  const create = (path: string) =>
    services.fileWrites.create(rpcMethods.create.request.parse({ path, clientName: 'writer-a', createParent: true }), caller);
  try {
    const inDir = await create('/d/sub/f');
    const alone = await create('/g');
    await services.namespace.rename('/g', '/h', caller);
    assert.equal(store.leases.get(alone.status.fileId)?.path, '/h', 'a moved open file');
    assert.equal(store.leases.get(inDir.status.fileId)?.path, '/d/sub/f', 'an open file elsewhere stays put');
    await services.namespace.rename('/d', '/e', caller);
    assert.equal(store.leases.get(inDir.status.fileId)?.path, '/e/sub/f', 'an open file under a moved directory');
    const complete = rpcMethods.complete.request.parse({ path: '/h', clientName: 'writer-a', fileId: alone.status.fileId, renameTo: '/k' });
    assert.deepEqual(await services.fileWrites.complete(complete, caller), { complete: true });
    assert.equal(store.leases.get(alone.status.fileId), undefined, 'complete with renameTo leaves no lease record');
    assert.equal(services.namespace.getFileInfo('/k', caller).status?.underConstruction, false);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

// A file round-trips byte-identical through a real 3-datanode cluster, with 3 replicas per
// block on 3 distinct datanodes; a corrupted replica is skipped by readers and reported;
// a namenode restart keeps the namespace and the files readable.
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Cluster, startCluster, waitUntil } from '../helpers/cluster.js';
import { sha256, sha256OfFile, writeRandomFile } from '../helpers/files.js';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster({ datanodes: 3, config: { 'dfs.blocksize': '16m' } });
});
after(async () => {
  await cluster?.stop();
});

async function findReplicaFile(dataDir: string, blockId: number): Promise<string> {
  const finalized = join(dataDir, 'current', 'finalized');
  for (const subdir of await readdir(finalized)) {
    const names = await readdir(join(finalized, subdir));
    if (names.includes(`blk_${blockId}`)) return join(finalized, subdir, `blk_${blockId}`);
  }
  throw new Error(`replica of block ${blockId} not found under ${dataDir}`);
}

test('a 100 MiB file put with the CLI comes back byte-identical, 3 replicas per block on 3 distinct datanodes', async () => {
  const local = join(cluster.dir, 'big.bin');
  const digest = await writeRandomFile(local, 100 * 1024 * 1024);
  const put = await cluster.cli(['put', local, '/big.bin']);
  assert.equal(put.code, 0, put.stderr);
  // complete() needs the minimum replica only; the others' incremental reports may lag.
  await cluster.waitForReplication('/big.bin', 3);

  const fsck = await cluster.cli(['fsck', '/big.bin', '-files', '-blocks', '-locations', '--json']);
  assert.equal(fsck.code, 0, fsck.stderr);
  const report = JSON.parse(fsck.stdout);
  assert.equal(report.status, 'HEALTHY');
  assert.equal(report.totalBlocks, 7, '100 MiB in 16 MiB blocks');
  const file = report.files[0];
  assert.equal(file.length, 100 * 1024 * 1024);
  for (const block of file.blocks) {
    const uuids = new Set(block.replicas.filter((r: { state: string }) => r.state === 'live').map((r: { uuid: string }) => r.uuid));
    assert.equal(uuids.size, 3, `block ${block.id} has replicas on ${[...uuids].join(',')}`);
  }

  const back = join(cluster.dir, 'big.back');
  const get = await cluster.cli(['get', '/big.bin', back]);
  assert.equal(get.code, 0, get.stderr);
  assert.equal(await sha256OfFile(back), digest);
});

test("create's first block: a small file takes one block with 3 replicas and no addBlock; an empty file keeps no block", async () => {
  const client = cluster.client();
  const data = Buffer.from('small file through the first block of create\n');
  const { status, block } = await client.rpc('create', { path: '/first-block.txt', clientName: client.clientName, firstBlock: true });
  assert.ok(block !== undefined && block.locations.length === 3, 'create allocated a block with a 3-node pipeline');
  assert.equal(block.offset, 0);
  await client.rpc('abandonBlock', { path: '/first-block.txt', clientName: client.clientName, fileId: status.fileId, block: block.block });
  await client.rpc('complete', { path: '/first-block.txt', clientName: client.clientName, fileId: status.fileId, last: null });

  await client.writeFile('/first-block.txt', data, { overwrite: true });
  assert.deepEqual(await client.readFile('/first-block.txt'), data);
  await client.writeFile('/empty.txt', Buffer.alloc(0));
  assert.equal((await client.stat('/empty.txt')).length, 0);
  const fsck = JSON.parse((await cluster.cli(['fsck', '/', '-files', '-blocks', '--json'])).stdout);
  const files = new Map<string, { blocks: unknown[] }>(fsck.files.map((file: { path: string; blocks: unknown[] }) => [file.path, file]));
  assert.equal(files.get('/first-block.txt')?.blocks.length, 1);
  assert.equal(files.get('/empty.txt')?.blocks.length, 0, 'the unused first block was abandoned');
  assert.equal(fsck.status, 'HEALTHY');
});

test('a corrupted replica is skipped by the reader, the right bytes come back, and the namenode learns of it', async () => {
  const client = cluster.client();
  const data = Buffer.alloc(3 * 1024 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) & 0xff;
  await client.writeFile('/corrupt-me', data);
  // Readers are sent to the least busy replica first. Wait until no datanode reports a
  // transfer in flight (the previous test's traffic), so the order this test reads below is
  // the order the reader will get, and the reader meets the corrupt replica first.
  await waitUntil('every datanode is idle', 20_000, async () => {
    const report = await client.rpc('datanodeReport', {});
    return report.live.length === 3 && report.live.every((d) => d.activeTransfers === 0);
  });
  const located = await client.rpc('getBlockLocations', { path: '/corrupt-me' });
  const block = located.blocks[0];
  assert.ok(block);
  const first = block.locations[0];
  assert.ok(first, 'block has a location');
  const handle = cluster.datanodes.find((d) => d.uuid === first.uuid);
  assert.ok(handle, 'the first location is one of our datanodes');
  const replica = await findReplicaFile(handle.dataDir, block.block.id);
  const bytes = await readFile(replica);
  bytes[1000] = (bytes[1000] ?? 0) ^ 0xff;
  await writeFile(replica, bytes);

  const back = await client.readFile('/corrupt-me');
  assert.equal(sha256(back), sha256(data), 'the reader got the right bytes from another replica');

  // The namenode either still lists the replica as corrupt, or has already repaired it: a
  // good copy made, the corrupt one deleted and (with 3 datanodes) copied back fresh.
  const original = bytes[1000] ^ 0xff;
  await waitUntil('the namenode marks the replica corrupt or repairs it', 20_000, async () => {
    const report = await client.rpc('fsck', { path: '/corrupt-me', files: true });
    const replicas = report.files[0]?.blocks[0]?.replicas ?? [];
    if (replicas.some((r) => r.uuid === first.uuid && r.state === 'corrupt')) return true;
    const onDisk = await readFile(replica).catch(() => null);
    return onDisk !== null && onDisk[1000] === original;
  });
  const again = await client.rpc('getBlockLocations', { path: '/corrupt-me' });
  const fsck = await client.rpc('fsck', { path: '/corrupt-me', files: true });
  const stillCorrupt = fsck.files[0]?.blocks[0]?.replicas.some((r) => r.uuid === first.uuid && r.state === 'corrupt');
  if (stillCorrupt) assert.ok(!again.blocks[0]?.locations.some((l) => l.uuid === first.uuid), 'a corrupt replica is not offered to readers');
  assert.equal(sha256(await client.readFile('/corrupt-me')), sha256(data));
});

test('a namenode restart keeps the namespace and the files readable', async () => {
  const client = cluster.client();
  await client.mkdir('/kept/deep/dir', { parents: true });
  const data = Buffer.from('acknowledged bytes survive a restart\n'.repeat(1000));
  await client.writeFile('/kept/deep/dir/file.txt', data);
  await cluster.restartNamenode();
  await cluster.waitForLiveDatanodes(3);
  const fresh = cluster.client();
  const listing = await fresh.ls('/kept/deep/dir');
  assert.deepEqual(listing.map((s) => s.path), ['/kept/deep/dir/file.txt']);
  await waitUntil('the file is readable after the restart', 20_000, async () => sha256(await fresh.readFile('/kept/deep/dir/file.txt')) === sha256(data));
  const big = await fresh.stat('/big.bin');
  assert.equal(big.length, 100 * 1024 * 1024);
});

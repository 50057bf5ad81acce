// Integrity end to end on a real cluster: a replica corrupted on disk is found by the
// block scanner (no client read), reported, repaired to full replication and the corrupt
// file replaced; a volume pulled out from under a running datanode is taken out of
// service, reported in `dfsadmin -report`, and its replicas are copied back while the
// datanode keeps serving from its other volume.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Cluster, DatanodeHandle, startCluster, waitUntil } from '../helpers/cluster.js';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster({
    datanodes: 3,
    config: { 'dfs.datanode.scan.period.hours': '0.002', 'dfs.block.scanner.volume.bytes.per.second': '4m', 'dfs.namenode.redundancy.interval.seconds': '0.5', 'dfs.blocksize': '1m' },
  });
});
after(async () => {
  await cluster?.stop();
});

interface FsckJson {
  status: string;
  corruptBlocks: number;
  files: Array<{ path: string; blocks: Array<{ id: number; genStamp: number; replicas: Array<{ uuid: string; state: string }> }> }>;
}

async function fsckJson(path: string): Promise<FsckJson> {
  const result = await cluster.cli(['fsck', path, '-files', '-blocks', '-locations', '--json']);
  return JSON.parse(result.stdout) as FsckJson;
}

async function findBlockFile(volumeRoot: string, blockId: number): Promise<string | null> {
  const finalized = join(volumeRoot, 'current', 'finalized');
  for (const subdir of await readdir(finalized).catch(() => [] as string[])) {
    if ((await readdir(join(finalized, subdir))).includes(`blk_${blockId}`)) return join(finalized, subdir, `blk_${blockId}`);
  }
  return null;
}

async function scannerBadReplicas(address: string): Promise<number> {
  const text = await (await fetch(`http://${address}/metrics`)).text();
  const match = /^tsdfs_datanode_scanner_bad_replicas_total (\d+)/m.exec(text);
  return Number(match?.[1] ?? 0);
}

test('the datanodes run their scanner at the configured dfs.block.scanner.volume.bytes.per.second', async () => {
  for (const index of [0, 1, 2]) {
    const text = await (await fetch(`http://${cluster.datanode(index).address}/metrics`)).text();
    assert.match(text, /^tsdfs_datanode_scanner_volume_bytes_per_second 4194304$/m);
  }
});

test('a replica corrupted on disk is found by the scanner, repaired to full replication, and the corrupt copy is gone', async () => {
  const client = cluster.client();
  const data = randomBytes(300_000);
  await client.writeFile('/scanned.bin', data);
  await cluster.waitForReplication('/scanned.bin', 3);
  const block = (await fsckJson('/scanned.bin')).files[0]?.blocks[0];
  assert.ok(block);
  const victim = cluster.datanode(0);
  const path = await findBlockFile(victim.dataDir, block.id);
  assert.ok(path, 'datanode 0 holds a replica');
  const handle = await open(path, 'r+');
  await handle.write(Buffer.from([data[1000]! ^ 0xff]), 0, 1, 1000);
  await handle.close();

  // Nobody reads the file: the scanner (period 7.2 s) must find it by itself.
  await waitUntil('the scanner to report the corrupt replica', 20_000, async () => (await scannerBadReplicas(victim.address)) >= 1);
  await waitUntil('the block repaired on datanode 0', 20_000, async () => {
    const file = await findBlockFile(victim.dataDir, block.id);
    return file !== null && (await readFile(file)).equals(data);
  });
  await cluster.waitForReplication('/scanned.bin', 3);
  const report = await fsckJson('/scanned.bin');
  assert.equal(report.status, 'HEALTHY');
  assert.equal(report.corruptBlocks, 0);
  assert.deepEqual(await client.readFile('/scanned.bin'), data);
});

test('a volume removed under a running datanode: failedVolumes=1, its replicas copied back, the datanode still serving', async () => {
  const dir = join(cluster.dir, 'dn3');
  const handle = new DatanodeHandle(3, dir, cluster);
  cluster.datanodes.push(handle);
  await handle.start({ 'dfs.datanode.data.dir': `${join(dir, 'a')},${join(dir, 'b')}` });
  await cluster.waitForLiveDatanodes(4);
  const client = cluster.client();
  const data = randomBytes(4 * 1024 * 1024 + 5);
  await client.writeFile('/volumes.bin', data, { replication: 4 });
  await cluster.waitForReplication('/volumes.bin', 4);
  const blocks = (await fsckJson('/volumes.bin')).files[0]?.blocks ?? [];
  const onB = (await Promise.all(blocks.map(async (block) => ((await findBlockFile(join(dir, 'b'), block.id)) ? 1 : 0)))).reduce<number>((a, b) => a + b, 0);
  assert.ok(onB >= 1, 'the second volume holds some replicas');

  await rm(join(dir, 'b', 'current'), { recursive: true });
  await waitUntil('failedVolumes=1 in the report', 20_000, async () => {
    const result = await cluster.cli(['dfsadmin', '-report', '--json']);
    const report = JSON.parse(result.stdout) as { live: Array<{ uuid: string; failedVolumes: number }> };
    return report.live.find((node) => node.uuid === handle.uuid)?.failedVolumes === 1;
  });
  const text = await cluster.cli(['dfsadmin', '-report']);
  assert.match(text.stdout, /Failed Volumes: 1/);
  await cluster.waitForReplication('/volumes.bin', 4, 30_000);
  // Every block is back on datanode 3, now all on its working volume.
  for (const block of (await fsckJson('/volumes.bin')).files[0]?.blocks ?? []) {
    assert.ok(block.replicas.some((replica) => replica.uuid === handle.uuid && replica.state === 'live'));
    assert.ok(await findBlockFile(join(dir, 'a'), block.id));
  }
  const status = (await (await fetch(`http://${handle.address}/status`)).json()) as { volumes: Array<{ failed: boolean }> };
  assert.deepEqual(status.volumes.map((volume) => volume.failed), [false, true]);
  assert.ok(handle.process?.running);
  assert.deepEqual(await client.readFile('/volumes.bin'), data);
});

// Operating the cluster: safe mode across a namenode restart, decommissioning end to end,
// and rack-aware placement with two racks.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DatanodeHandle, startCluster, waitUntil } from '../helpers/cluster.js';

test('after a restart the namenode stays in safe mode until the blocks are reported: writes refused, then OFF', async () => {
  await using cluster = await startCluster({ datanodes: 2, config: { 'dfs.replication': '2', 'dfs.namenode.safemode.extension': '2000' } });
  const client = cluster.client();
  for (let i = 0; i < 5; i++) await client.writeFile(`/safe/f${i}`, `file ${i}\n`);

  // Datanodes down first: a running one would re-register and report at once, and safe mode
  // could end (2 s after the reports) before the checks below, as it did under load.
  for (const handle of cluster.datanodes) await handle.kill('SIGTERM');
  await cluster.restartNamenode({ restartDatanodes: false });
  const on = await cluster.cli(['dfsadmin', '-safemode', 'get']);
  assert.equal(on.stdout.trim(), 'Safe mode is ON');
  const refused = await cluster.cli(['mkdir', '/not-now']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^mkdir: Cannot create directory \/not-now: name node is in safe mode \(\d+ of 5 blocks have their minimum replicas reported/);

  for (const handle of cluster.datanodes) await handle.start();
  const wait = await cluster.cli(['dfsadmin', '-safemode', 'wait']);
  assert.equal(wait.code, 0, wait.stderr);
  assert.equal(wait.stdout.trim(), 'Safe mode is OFF');
  assert.equal((await cluster.cli(['mkdir', '/now'])).code, 0);
  assert.equal((await cluster.client().readFile('/safe/f3')).toString(), 'file 3\n');

  const held = await cluster.cli(['dfsadmin', '-safemode', 'enter']);
  assert.equal(held.stdout.trim(), 'Safe mode is ON');
  const touch = await cluster.cli(['touchz', '/held']);
  assert.equal(touch.code, 1);
  assert.match(touch.stderr, /^touchz: Cannot create \/held: name node is in safe mode \(it was entered by an administrator/);
  assert.equal((await cluster.cli(['dfsadmin', '-safemode', 'leave'])).stdout.trim(), 'Safe mode is OFF');
});

test('decommissioning copies every replica away, then the node can be switched off with nothing under-replicated', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tsdfs-exclude-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const excludeFile = join(dir, 'exclude');
  await writeFile(excludeFile, '');
  await using cluster = await startCluster({ datanodes: 4, config: { 'dfs.hosts.exclude': excludeFile, 'dfs.blocksize': '1m', 'dfs.namenode.redundancy.interval.seconds': '1' } });
  const client = cluster.client();
  await client.writeFile('/decom.bin', Buffer.alloc(5 * 1024 * 1024 + 17, 3));
  const leaving = cluster.datanode(0);

  await writeFile(excludeFile, `# retiring the first one\n${leaving.address}\n`);
  const refresh = await cluster.cli(['dfsadmin', '-refreshNodes']);
  assert.equal(refresh.code, 0, refresh.stderr);
  assert.match(refresh.stdout, /Refresh nodes successful/);
  await waitUntil('the node is Decommissioned', 60_000, async () => {
    const report = await client.rpc('datanodeReport', { type: 'all' });
    const entry = [...report.live, ...report.decommissioning].find((node) => node.uuid === leaving.uuid);
    return entry?.adminState === 'Decommissioned';
  });
  const fsck = JSON.parse((await cluster.cli(['fsck', '/decom.bin', '-files', '-blocks', '-locations', '--json'])).stdout);
  for (const block of fsck.files[0].blocks) {
    const live = block.replicas.filter((r: { state: string; uuid: string }) => r.state === 'live' && r.uuid !== leaving.uuid);
    assert.equal(live.length, 3, `block ${block.id} has 3 replicas on the nodes that stay`);
  }

  // The admin state lives in LMDB: after a namenode restart the node is Decommissioned at
  // once, not decommissioning all over again.
  await cluster.restartNamenode();
  const fresh = cluster.client();
  let firstSeen: string | undefined;
  await waitUntil('the node re-registers', 20_000, async () => {
    const all = await fresh.rpc('datanodeReport', { type: 'all' });
    firstSeen = [...all.live, ...all.decommissioning].find((node) => node.uuid === leaving.uuid)?.adminState;
    return firstSeen !== undefined;
  });
  assert.equal(firstSeen, 'Decommissioned');
  await cluster.waitForLiveDatanodes(4);
  await fresh.rpc('setSafeMode', { action: 'get' });
  await waitUntil('safe mode ends', 20_000, async () => !(await fresh.rpc('setSafeMode', { action: 'get' })).safeMode);

  await leaving.kill('SIGKILL');
  const report = await fresh.rpc('datanodeReport', { type: 'all' });
  assert.equal(report.underReplicatedBlocks, 0);
  assert.equal(report.missingBlocks, 0);
  assert.equal((await fresh.readFile('/decom.bin')).length, 5 * 1024 * 1024 + 17);

  await leaving.start();
  await writeFile(excludeFile, '');
  assert.equal((await cluster.cli(['dfsadmin', '-refreshNodes'])).code, 0);
  await waitUntil('the node is back to Normal', 20_000, async () => {
    const again = await fresh.rpc('datanodeReport', { type: 'live' });
    return again.live.some((node) => node.uuid === leaving.uuid && node.adminState === 'Normal');
  });
});

test('with two racks every block has replicas on both racks', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tsdfs-racks-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const table = join(dir, 'racks');
  // Each datanode listens on its own loopback address, so the table can name it.
  await writeFile(table, '127.0.0.2 /rack-a\n127.0.0.3 /rack-a\n127.0.0.4 /rack-b\n127.0.0.5 /rack-b\n');
  await using cluster = await startCluster({ datanodes: 0, config: { 'net.topology.table.file.name': table, 'dfs.blocksize': '1m' } });
  for (let index = 0; index < 4; index++) {
    const datanode = new DatanodeHandle(index, join(cluster.dir, `dn${index}`), cluster);
    cluster.datanodes.push(datanode);
    const host = `127.0.0.${index + 2}`;
    await datanode.start({ 'dfs.datanode.address': `${host}:0`, 'dfs.datanode.hostname': host });
  }
  await cluster.waitForLiveDatanodes(4);
  const topology = await cluster.cli(['dfsadmin', '-printTopology']);
  assert.match(topology.stdout, /^Rack: \/rack-a\n {3}127\.0\.0\.2:\d+ \(127\.0\.0\.2\)\n {3}127\.0\.0\.3:\d+/m);
  assert.match(topology.stdout, /^Rack: \/rack-b\n/m);

  const client = cluster.client();
  await client.writeFile('/racks.bin', Buffer.alloc(6 * 1024 * 1024, 9));
  // complete() needs only the minimum replica reported; the other two datanodes' incremental
  // reports may still be on their way, so wait for all three before judging the racks.
  await cluster.waitForReplication('/racks.bin', 3);
  const fsck = await client.rpc('fsck', { path: '/racks.bin' });
  assert.equal(fsck.racks, 2);
  assert.equal(fsck.misReplicatedBlocks, 0);
  for (const block of fsck.files[0]?.blocks ?? []) {
    const racks = new Set(block.replicas.map((replica) => replica.rack));
    assert.deepEqual([...racks].sort(), ['/rack-a', '/rack-b'], `block ${block.id}`);
    assert.equal(new Set(block.replicas.map((replica) => replica.uuid)).size, 3);
  }
});

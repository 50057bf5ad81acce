// The seed experiment: a datanode dies and the cluster repairs itself with nobody watching,
// then takes the node back and trims what became surplus.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Cluster, startCluster, waitUntil } from '../helpers/cluster.js';
import { sha256OfFile, writeRandomFile } from '../helpers/files.js';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster({ datanodes: 5, config: { 'dfs.blocksize': '4m', 'dfs.namenode.redundancy.interval.seconds': '1' } });
});
after(async () => {
  await cluster?.stop();
});

interface FsckJson {
  status: string;
  underReplicatedBlocks: number;
  overReplicatedBlocks: number;
  files: Array<{ blocks: Array<{ id: number; replicas: Array<{ uuid: string; state: string }> }> }>;
}

async function fsckJson(): Promise<FsckJson> {
  const result = await cluster.cli(['fsck', '/', '-files', '-blocks', '-locations', '--json']);
  return JSON.parse(result.stdout) as FsckJson;
}

test('kill the datanode holding the most replicas: detected dead, repaired to 3 live replicas elsewhere, trimmed back to 3 when it returns', async (t) => {
  const local = join(cluster.dir, 'seed.bin');
  const size = 34 * 1000 * 1000;
  const digest = await writeRandomFile(local, size);
  const put = await cluster.cli(['put', local, '/seed.bin']);
  assert.equal(put.code, 0, put.stderr);
  await cluster.waitForReplication('/seed.bin', 3);

  const before = await fsckJson();
  const counts = new Map<string, number>();
  for (const block of before.files[0]?.blocks ?? []) for (const r of block.replicas) counts.set(r.uuid, (counts.get(r.uuid) ?? 0) + 1);
  const [victimUuid, victimReplicas] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
  const victim = cluster.datanodes.find((d) => d.uuid === victimUuid);
  assert.ok(victim, 'the busiest datanode is one of ours');

  const killedAt = Date.now();
  await victim.kill('SIGKILL');
  await waitUntil('the report shows 4 live and 1 dead', 60_000, async () => {
    const report = JSON.parse((await cluster.cli(['dfsadmin', '-report', '--json'])).stdout);
    return report.live.length === 4 && report.dead.length === 1 && report.dead[0].uuid === victimUuid;
  });
  const detectedAt = Date.now();
  await waitUntil('fsck is HEALTHY with 3 live replicas per block on the other 4', 120_000, async () => {
    const report = await fsckJson();
    return (
      report.status === 'HEALTHY' &&
      report.underReplicatedBlocks === 0 &&
      (report.files[0]?.blocks ?? []).every((b) => {
        const live = b.replicas.filter((r) => r.state === 'live');
        return live.length === 3 && !live.some((r) => r.uuid === victimUuid) && new Set(live.map((r) => r.uuid)).size === 3;
      })
    );
  });
  const repairedAt = Date.now();
  const repairedBytes = (victimReplicas / (before.files[0]?.blocks.length ?? 1)) * size;
  t.diagnostic(`detection ${(detectedAt - killedAt) / 1000} s, full replication restored ${(repairedAt - detectedAt) / 1000} s after, ${((repairedBytes / 1e6) / Math.max(0.001, (repairedAt - detectedAt) / 1000)).toFixed(1)} MB/s repaired`);

  const back = join(cluster.dir, 'seed.back');
  assert.equal((await cluster.cli(['get', '/seed.bin', back])).code, 0);
  assert.equal(await sha256OfFile(back), digest);

  await victim.start();
  await cluster.waitForLiveDatanodes(5);
  await waitUntil('over-replicated blocks are trimmed back to exactly 3', 60_000, async () => {
    const report = await fsckJson();
    return report.status === 'HEALTHY' && report.overReplicatedBlocks === 0 &&
      (report.files[0]?.blocks ?? []).every((b) => b.replicas.filter((r) => r.state === 'live').length === 3);
  });
});

test('setrep -w raises and lowers the replication and waits until it is met', async () => {
  const client = cluster.client();
  await client.writeFile('/rep.txt', Buffer.alloc(100_000, 7));
  const up = await cluster.cli(['setrep', '-w', '4', '/rep.txt']);
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stdout, /Replication 4 set: \/rep\.txt/);
  await cluster.waitForReplication('/rep.txt', 4, 5_000);
  const down = await cluster.cli(['setrep', '-w', '2', '/rep.txt']);
  assert.equal(down.code, 0, down.stderr);
  await cluster.waitForReplication('/rep.txt', 2, 5_000);
});

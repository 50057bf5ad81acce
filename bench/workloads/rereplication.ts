// Re-replication (issue 5, workload 7): 1 GiB at replication 3 on 4 datanodes, the datanode
// holding the most replicas is SIGKILLed, and the rate is the bytes it held over the time
// from the namenode declaring it dead to every block having 3 live replicas again.
import { join } from 'node:path';
import type { DfsClient } from '../../client-lib/index.js';
import { type Cluster, waitUntil } from '../../test/helpers/cluster.js';
import { sha256OfFile, writeRandomFile } from '../../test/helpers/files.js';
import { cliOk, startBenchCluster } from '../lib/bench-cluster.js';
import { ddWriteMiBps, entry, mebibyte, median, ratioAtLeast, repeat } from '../lib/measure.js';
import type { BenchEntry, BenchOptions, Workload } from '../lib/types.js';

const datanodes = 4;
const replication = 3;
const path = '/heal.bin';
/** The self-healing test's intervals with a shorter recheck: dead after 2 × 1 s + 10 × 1 s = 12 s. */
const healingConfig = {
  'dfs.heartbeat.interval': '1',
  'dfs.namenode.heartbeat.recheck-interval': '1000',
  'dfs.namenode.stale.datanode.interval': '3000',
  'dfs.namenode.redundancy.interval.seconds': '1',
};

export const workload: Workload = { name: 'rereplication', run };

async function run(options: BenchOptions): Promise<BenchEntry[]> {
  const sizeMiB = options.quick ? 128 : 1024;
  // 16 blocks, so repairs can run in parallel from several sources as they would on a real cluster.
  const blockBytes = (sizeMiB / 16) * mebibyte;
  const input = join(options.workDir, 'input.bin');
  const digest = await writeRandomFile(input, sizeMiB * mebibyte);
  options.log('baseline: dd conv=fsync');
  const localWrite = median(await repeat(3, () => ddWriteMiBps(input, join(options.workDir, 'dd.out'), sizeMiB * mebibyte)));

  const cluster = await startBenchCluster({ datanodes, config: { ...healingConfig, 'dfs.blocksize': String(blockBytes) } });
  try {
    await cliOk(cluster, ['put', input, path]);
    const client = cluster.client();
    const repetitions = options.quick ? 1 : 3;
    const samples = await repeat(repetitions, async (index) => {
      const rate = await killAndMeasure(cluster, client, options);
      if (index === 0) {
        const back = join(options.workDir, 'back.bin');
        await cliOk(cluster, ['get', path, back]);
        if ((await sha256OfFile(back)) !== digest) throw new Error(`${path} has different bytes after re-replication`);
      }
      return rate;
    });
    return [
      entry({
        name: 'rereplication',
        samples,
        unit: 'MiB/s',
        baseline: localWrite / 2,
        baselineName: 'dd conv=fsync / 2 (each copy is read and written on this disk)',
        better: 'higher',
        ...ratioAtLeast(0.5),
        notes: `${sizeMiB} MiB in ${blockBytes / mebibyte} MiB blocks at replication ${replication} on ${datanodes} datanodes; from declared dead to full replication; ${repetitions} runs (the killed datanode restarts in between)`,
      }),
    ];
  } finally {
    await cluster.stop();
  }
}

async function killAndMeasure(cluster: Cluster, client: DfsClient, options: BenchOptions): Promise<number> {
  await waitUntil('all datanodes live and every block at exactly 3 live replicas', 180_000, async () => {
    const report = await client.rpc('datanodeReport', { type: 'all' });
    const fsck = await client.rpc('fsck', { path, files: true });
    return report.live.length === datanodes && fsck.underReplicatedBlocks === 0 && fsck.overReplicatedBlocks === 0 && liveCounts(fsck).every((count) => count === replication);
  });
  const fsck = await client.rpc('fsck', { path, files: true });
  const bytesOn = new Map<string, number>();
  for (const block of fsck.files[0]?.blocks ?? []) {
    for (const replica of block.replicas) bytesOn.set(replica.uuid, (bytesOn.get(replica.uuid) ?? 0) + block.length);
  }
  const [victimUuid, victimBytes] = [...bytesOn].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
  const victim = cluster.datanodes.find((handle) => handle.uuid === victimUuid);
  if (!victim) throw new Error(`no datanode of this cluster has uuid ${victimUuid}`);
  options.log(`SIGKILL datanode ${victim.index}, which holds ${(victimBytes / mebibyte).toFixed(0)} MiB`);
  await victim.kill('SIGKILL');
  await waitUntil('the namenode to declare the datanode dead', 60_000, async () => {
    const report = await client.rpc('datanodeReport', { type: 'dead' });
    return report.dead.some((node) => node.uuid === victimUuid);
  });
  const declaredDead = process.hrtime.bigint();
  await waitUntil('every block back at 3 live replicas', 600_000, async () => {
    const report = await client.rpc('fsck', { path, files: true });
    return report.files[0]?.blocks.every((block) => {
      const live = block.replicas.filter((replica) => replica.state === 'live' && replica.uuid !== victimUuid);
      return live.length === replication;
    }) ?? false;
  });
  const seconds = Number(process.hrtime.bigint() - declaredDead) / 1e9;
  options.log(`re-replicated ${(victimBytes / mebibyte).toFixed(0)} MiB in ${seconds.toFixed(2)} s`);
  await victim.start();
  return victimBytes / mebibyte / seconds;
}

function liveCounts(fsck: { files: Array<{ blocks: Array<{ replicas: Array<{ state: string }> }> }> }): number[] {
  return fsck.files.flatMap((file) => file.blocks.map((block) => block.replicas.filter((replica) => replica.state === 'live').length));
}

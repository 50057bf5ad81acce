// Small files (issue 5, workload 3): 1,024 files of 4 KiB put as one directory with one
// `tsdfs put`, then copied inside tsdfs with `tsdfs cp -r`. Each should take under a second
// (a GlusterFS cluster of Raspberry Pis took 195 s for this copy, a local SD card 0.6 s).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cliOk, startBenchCluster } from '../lib/bench-cluster.js';
import { localCopySeconds, verifyTree, writeRandomTree } from '../lib/local-tree.js';
import { entry, median, repeat, timed } from '../lib/measure.js';
import type { BenchEntry, BenchOptions, Workload } from '../lib/types.js';

const repetitions = 3;
const fullFileCount = 1024;
const quickFileCount = 128;
const fileBytes = 4096;
/** For 1,024 files; a quick run's target is scaled to its file count. */
const targetSeconds = 1;

export const workload: Workload = { name: 'small-files', run };

async function run(options: BenchOptions): Promise<BenchEntry[]> {
  const fileCount = options.quick ? quickFileCount : fullFileCount;
  const target = (targetSeconds * fileCount) / fullFileCount;
  const source = join(options.workDir, 'small');
  options.log(`writing ${fileCount} local files of ${fileBytes / 1024} KiB`);
  const digests = await writeRandomTree(source, fileCount, fileBytes);
  options.log('baseline: cp -r + sync');
  const localSeconds = median(await repeat(repetitions, () => localCopySeconds(source, join(options.workDir, 'copy'))));

  // The default replication (3), as a user's `tsdfs put` gets.
  const cluster = await startBenchCluster();
  try {
    options.log('small-files-put');
    const putSamples = await repeat(repetitions, (index) => timed(() => cliOk(cluster, ['put', source, `/small-${index}`])));
    options.log('small-files-copy');
    const copySamples = await repeat(repetitions, (index) => timed(() => cliOk(cluster, ['cp', '-r', '/small-0', `/copy-${index}`])));
    const fetched = join(options.workDir, 'fetched');
    await cliOk(cluster, ['get', '/copy-0', fetched]);
    await verifyTree(fetched, digests);
    await rm(fetched, { recursive: true, force: true });

    const common = {
      unit: 's',
      baseline: localSeconds,
      baselineName: 'local cp -r + sync',
      better: 'lower' as const,
      target: `value < ${target} s`,
      meets: (value: number) => value < target,
    };
    const note = (what: string): string => `${fileCount} × ${fileBytes / 1024} KiB, ${what}, replication 3, CLI start-up included; ratio = baseline / value; ${repetitions} runs`;
    return [
      entry({ name: 'small-files-put', samples: putSamples, ...common, notes: note('one tsdfs put of the directory') }),
      entry({ name: 'small-files-copy', samples: copySamples, ...common, notes: note('one tsdfs cp -r inside tsdfs') }),
    ];
  } finally {
    await cluster.stop();
  }
}

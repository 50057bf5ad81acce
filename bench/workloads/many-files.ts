// Many 1 MiB files (issue 5, workload 2): a directory of 1,000 put with one `tsdfs put`, the
// same through the client library 8 files at a time, and fetched back with one `tsdfs get`;
// beside `cp -r` + `sync` and a local read of the same directory on the same disk.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cliOk, startBenchCluster } from '../lib/bench-cluster.js';
import { forEachConcurrently, localCopySeconds, localReadSeconds, verifyTree, writeRandomTree } from '../lib/local-tree.js';
import { dropCaches, entry, mebibyte, median, ratioAtLeast, readBaselineName, repeat, timed } from '../lib/measure.js';
import type { BenchEntry, BenchOptions, Workload } from '../lib/types.js';

const repetitions = 3;
const libraryConcurrency = 8;

export const workload: Workload = { name: 'many-files', run };

async function run(options: BenchOptions): Promise<BenchEntry[]> {
  const fileCount = options.quick ? 100 : 1000;
  const totalMiB = fileCount;
  const source = join(options.workDir, 'many');
  options.log(`writing ${fileCount} local files of 1 MiB`);
  const digests = await writeRandomTree(source, fileCount, mebibyte);

  options.log('baselines: cp -r + sync, local read with caches dropped');
  const copyRate = median(await repeat(repetitions, async () => totalMiB / (await localCopySeconds(source, join(options.workDir, 'copy')))));
  let cachesDropped = true;
  const readRate = median(
    await repeat(repetitions, async () => {
      const read = localReadSeconds(source);
      cachesDropped &&= read.cachesDropped;
      return totalMiB / read.seconds;
    }),
  );

  // Replication 1: one copy, as `cp -r` makes, so the figure is the per-file cost and not the number of copies.
  const cluster = await startBenchCluster({ config: { 'dfs.replication': '1' } });
  try {
    const client = cluster.client();
    options.log('many-files-put');
    const putSamples = await repeat(repetitions, async (index) => totalMiB / (await timed(() => cliOk(cluster, ['put', source, `/put-${index}`]))));
    const listed = await client.ls('/put-0');
    if (listed.length !== fileCount || listed.some((status) => status.length !== mebibyte)) throw new Error(`/put-0 holds ${listed.length} files, expected ${fileCount} of 1 MiB`);

    options.log(`many-files-put-lib (${libraryConcurrency} at a time)`);
    const names = await readdir(source);
    const librarySamples = await repeat(repetitions, async (index) => {
      await client.mkdir(`/lib-${index}`);
      const seconds = await timed(() => forEachConcurrently(names, libraryConcurrency, (name) => client.put(join(source, name), `/lib-${index}/${name}`, { replication: 1 })));
      return totalMiB / seconds;
    });

    options.log('many-files-get');
    const getSamples = await repeat(repetitions, async (index) => {
      const target = join(options.workDir, `got-${index}`);
      dropCaches();
      const seconds = await timed(() => cliOk(cluster, ['get', '/put-0', target]));
      if (index === 0) await verifyTree(target, digests);
      await rm(target, { recursive: true, force: true });
      return totalMiB / seconds;
    });

    const write = { unit: 'MiB/s', baseline: copyRate, baselineName: 'cp -r + sync', better: 'higher' as const, ...ratioAtLeast(0.5) };
    const note = (what: string): string => `${fileCount} × 1 MiB, ${what}; ${repetitions} runs`;
    return [
      entry({ name: 'many-files-put', samples: putSamples, ...write, notes: note('one tsdfs put of the directory, replication 1, CLI start-up included') }),
      entry({ name: 'many-files-put-lib', samples: librarySamples, ...write, notes: note(`DfsClient.put, ${libraryConcurrency} files at a time, replication 1, in the benchmark process`) }),
      entry({
        name: 'many-files-get',
        samples: getSamples,
        unit: 'MiB/s',
        baseline: readRate,
        baselineName: readBaselineName(cachesDropped, 'local read (cat)'),
        better: 'higher',
        ...ratioAtLeast(0.5),
        notes: note('one tsdfs get of the directory, page cache dropped before each'),
      }),
    ];
  } finally {
    await cluster.stop();
  }
}

// Sequential I/O of one large file through the CLI (issue 5, workload 1) beside `dd` to the
// same disk in the same run, and the integrity costs of issue 4: block access tokens off vs
// on, CRC32C in-process, and the block scanner's share of the disk.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cluster } from '../../test/helpers/cluster.js';
import { sha256OfFile, writeRandomFile } from '../../test/helpers/files.js';
import { cliOk, cliToFile, startBenchCluster } from '../lib/bench-cluster.js';
import { measureChecksumRate } from '../lib/checksum-rate.js';
import { ddReadMiBps, ddWriteMiBps, dropCaches, entry, mebibyte, median, ratioAtLeast, readBaselineName, repeat, timed } from '../lib/measure.js';
import { measureScannerRate } from '../lib/scanner-rate.js';
import type { BenchEntry, BenchOptions, Workload } from '../lib/types.js';

const repetitions = 3;
/** Tokens may cost at most this share of throughput (our target; the issue sets none). */
const maxTokenCost = 0.1;

interface Baselines {
  writeMiBps: number;
  readMiBps: number;
  readName: string;
}

interface Sizes {
  bytes: number;
  mib: number;
}

export const workload: Workload = { name: 'seq-io', run };

async function run(options: BenchOptions): Promise<BenchEntry[]> {
  const size: Sizes = { bytes: (options.quick ? 128 : 1024) * mebibyte, mib: options.quick ? 128 : 1024 };
  const input = join(options.workDir, 'input.bin');
  options.log(`writing ${size.mib} MiB of random bytes`);
  const digest = await writeRandomFile(input, size.bytes);
  const baselines = await measureBaselines(options, input, size);

  const entries: BenchEntry[] = [await writeSingleReplica(options, input, size, baselines)];
  // Tokens on (the default) and off side by side, their runs interleaved, so both meet the
  // same competition for this machine's CPU and disk.
  const [replicated, tokensOff] = await Promise.all([startBenchCluster(), startBenchCluster({ config: { 'dfs.block.access.token.enable': 'false' } })]);
  let scanner: BenchEntry;
  try {
    entries.push(...(await writeAndRead(options, { on: replicated, off: tokensOff }, input, digest, size, baselines)));
    await tokensOff.stop();
    scanner = await measureScannerRate({
      cluster: replicated,
      quick: options.quick,
      replicaBytes: 3 * (repetitions + 1) * size.bytes,
      diskReadMiBps: baselines.readMiBps,
      baselineName: baselines.readName,
      log: options.log,
    });
  } finally {
    await Promise.all([replicated.stop(), tokensOff.stop()]);
  }
  options.log('crc32c');
  entries.push(await measureChecksumRate(options.quick), scanner);
  return entries;
}

/** seq-write-rep1 on a cluster whose default replication is 1 (the CLI does not pass -D dfs.replication on). */
async function writeSingleReplica(options: BenchOptions, input: string, size: Sizes, baselines: Baselines): Promise<BenchEntry> {
  const single = await startBenchCluster({ config: { 'dfs.replication': '1' } });
  try {
    options.log('seq-write-rep1');
    const samples = await repeat(repetitions, (index) => putRate(single, input, `/rep1-${index}`, size));
    const status = JSON.parse(await cliOk(single, ['stat', '/rep1-0', '--json'])) as { replication: number };
    if (status.replication !== 1) throw new Error(`seq-write-rep1 wrote replication ${status.replication}`);
    return entry({ name: 'seq-write-rep1', samples, unit: 'MiB/s', baseline: baselines.writeMiBps, baselineName: 'dd conv=fsync', better: 'higher', ...ratioAtLeast(0.8), notes: noteFor(size, 'tsdfs put, replication 1') });
  } finally {
    await single.stop();
  }
}

async function measureBaselines(options: BenchOptions, input: string, size: Sizes): Promise<Baselines> {
  options.log('baselines: dd conv=fsync, dd read with caches dropped');
  const writeSamples = await repeat(repetitions, () => ddWriteMiBps(input, join(options.workDir, 'dd.out'), size.bytes));
  let cachesDropped = true;
  const readSamples = await repeat(repetitions, async () => {
    const read = ddReadMiBps(input, size.bytes);
    cachesDropped &&= read.cachesDropped;
    return read.rate;
  });
  return { writeMiBps: median(writeSamples), readMiBps: median(readSamples), readName: readBaselineName(cachesDropped) };
}

/**
 * seq-write-rep3, seq-read (get to a file) and seq-read-cat (cat > /dev/null) on the default
 * cluster, and put-tokens-off / get-tokens-off: the same put and get with
 * dfs.block.access.token.enable=false, each run right after its tokens-on twin.
 */
async function writeAndRead(options: BenchOptions, clusters: { on: Cluster; off: Cluster }, input: string, digest: string, size: Sizes, baselines: Baselines): Promise<BenchEntry[]> {
  options.log('seq-write-rep3, put-tokens-off');
  const writeSamples: number[] = [];
  const writeOffSamples: number[] = [];
  await inPairs(
    () => putRate(clusters.on, input, `/rep3-${writeSamples.length}`, size).then((rate) => writeSamples.push(rate)),
    () => putRate(clusters.off, input, `/rep3-${writeOffSamples.length}`, size).then((rate) => writeOffSamples.push(rate)),
  );
  const source = '/rep3-0';
  options.log('seq-read, get-tokens-off');
  const readSamples: number[] = [];
  const readOffSamples: number[] = [];
  await inPairs(
    () => getRate(clusters.on, source, join(options.workDir, 'get.bin'), size, readSamples.length === 0 ? digest : null).then((rate) => readSamples.push(rate)),
    () => getRate(clusters.off, source, join(options.workDir, 'get.bin'), size, readOffSamples.length === 0 ? digest : null).then((rate) => readOffSamples.push(rate)),
  );
  options.log('seq-read-cat');
  const catSamples = await repeat(repetitions, async () => {
    dropCaches();
    return size.mib / (await timed(() => cliToFile(clusters.on, ['cat', source], '/dev/null')));
  });
  const read = { unit: 'MiB/s', baseline: baselines.readMiBps, baselineName: baselines.readName, better: 'higher' as const, ...ratioAtLeast(0.8) };
  const rep3 = entry({ name: 'seq-write-rep3', samples: writeSamples, unit: 'MiB/s', baseline: baselines.writeMiBps / 3, baselineName: 'dd conv=fsync / 3', better: 'higher', ...ratioAtLeast(0.8), notes: noteFor(size, 'tsdfs put, replication 3, three copies on this one disk') });
  const get = entry({ name: 'seq-read', samples: readSamples, ...read, notes: noteFor(size, 'tsdfs get to a local file, page cache dropped before each') });
  const tokens = {
    unit: 'MiB/s',
    better: 'higher' as const,
    target: `ratio <= ${1 + maxTokenCost} (tokens cost < ${maxTokenCost * 100} %)`,
    meets: (_value: number, ratio: number | null) => ratio !== null && ratio <= 1 + maxTokenCost,
  };
  return [
    rep3,
    get,
    entry({ name: 'seq-read-cat', samples: catSamples, ...read, notes: noteFor(size, 'tsdfs cat > /dev/null, page cache dropped before each') }),
    entry({ name: 'put-tokens-off', samples: writeOffSamples, baseline: rep3.value, baselineName: 'seq-write-rep3 (tokens on)', ...tokens, notes: noteFor(size, 'replication 3, runs interleaved with seq-write-rep3; ratio - 1 is what tokens cost') }),
    entry({ name: 'get-tokens-off', samples: readOffSamples, baseline: get.value, baselineName: 'seq-read (tokens on)', ...tokens, notes: noteFor(size, 'runs interleaved with seq-read; ratio - 1 is what tokens cost') }),
  ];
}

/**
 * Runs `first` and `second` once per repetition, swapping which goes first each time: the
 * first of a pair was measured faster whatever it was (the second meets the first's writeback),
 * so an even number of pairs gives each side the same number of firsts.
 */
async function inPairs(first: () => Promise<unknown>, second: () => Promise<unknown>): Promise<void> {
  const pairs = repetitions % 2 === 0 ? repetitions : repetitions + 1;
  for (let index = 0; index < pairs; index++) {
    if (index % 2 === 0) {
      await first();
      await second();
    } else {
      await second();
      await first();
    }
  }
}

async function putRate(cluster: Cluster, input: string, target: string, size: Sizes): Promise<number> {
  return size.mib / (await timed(() => cliOk(cluster, ['put', input, target])));
}

/** Times one `tsdfs get` after dropping caches; checks the bytes (outside the timing) when given a digest. */
async function getRate(cluster: Cluster, source: string, output: string, size: Sizes, digest: string | null): Promise<number> {
  dropCaches();
  const seconds = await timed(() => cliOk(cluster, ['get', source, output]));
  if (digest !== null && (await sha256OfFile(output)) !== digest) throw new Error(`tsdfs get ${source} returned different bytes`);
  await rm(output, { force: true });
  return size.mib / seconds;
}

function noteFor(size: Sizes, what: string): string {
  return `${size.mib} MiB, ${what}; CLI start-up included`;
}

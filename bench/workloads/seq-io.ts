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
  const entries: BenchEntry[] = [];

  let scanner: BenchEntry;
  const replicated = await startBenchCluster();
  try {
    entries.push(...(await writeAndRead(options, replicated, input, digest, size, baselines)));
    scanner = await measureScannerRate({
      cluster: replicated,
      quick: options.quick,
      replicaBytes: 3 * repetitions * size.bytes,
      diskReadMiBps: baselines.readMiBps,
      baselineName: baselines.readName,
      log: options.log,
    });
  } finally {
    await replicated.stop();
  }

  const single = await startBenchCluster({ config: { 'dfs.replication': '1' } });
  try {
    options.log('seq-write-rep1');
    const samples = await repeat(repetitions, (index) => putRate(single, input, `/rep1-${index}`, size));
    const replication = JSON.parse(await cliOk(single, ['stat', '/rep1-0', '--json'])) as { replication: number };
    if (replication.replication !== 1) throw new Error(`seq-write-rep1 wrote replication ${replication.replication}`);
    entries.unshift(
      entry({ name: 'seq-write-rep1', samples, unit: 'MiB/s', baseline: baselines.writeMiBps, baselineName: 'dd conv=fsync', better: 'higher', ...ratioAtLeast(0.8), notes: noteFor(size, 'tsdfs put, replication 1 (the namenode\'s default: the CLI ignores -D dfs.replication)') }),
    );
  } finally {
    await single.stop();
  }

  entries.push(...(await tokensOff(options, input, size, entries)));
  options.log('crc32c');
  entries.push(await measureChecksumRate(options.quick), scanner);
  return entries;
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

/** seq-write-rep3, seq-read (get to a file) and seq-read-cat (cat > /dev/null) on the default replication-3 cluster. */
async function writeAndRead(options: BenchOptions, cluster: Cluster, input: string, digest: string, size: Sizes, baselines: Baselines): Promise<BenchEntry[]> {
  options.log('seq-write-rep3');
  const writeSamples = await repeat(repetitions, (index) => putRate(cluster, input, `/rep3-${index}`, size));
  const source = `/rep3-${repetitions - 1}`;
  options.log('seq-read');
  const readSamples = await repeat(repetitions, (index) => getRate(cluster, source, join(options.workDir, `get-${index}.bin`), size, index === 0 ? digest : null));
  options.log('seq-read-cat');
  const catSamples = await repeat(repetitions, async () => {
    dropCaches();
    return size.mib / (await timed(() => cliToFile(cluster, ['cat', source], '/dev/null')));
  });
  const read = { unit: 'MiB/s', baseline: baselines.readMiBps, baselineName: baselines.readName, better: 'higher' as const, ...ratioAtLeast(0.8) };
  return [
    entry({ name: 'seq-write-rep3', samples: writeSamples, unit: 'MiB/s', baseline: baselines.writeMiBps / 3, baselineName: 'dd conv=fsync / 3', better: 'higher', ...ratioAtLeast(0.8), notes: noteFor(size, 'tsdfs put, replication 3, three copies on this one disk') }),
    entry({ name: 'seq-read', samples: readSamples, ...read, notes: noteFor(size, 'tsdfs get to a local file, page cache dropped before each') }),
    entry({ name: 'seq-read-cat', samples: catSamples, ...read, notes: noteFor(size, 'tsdfs cat > /dev/null, page cache dropped before each') }),
  ];
}

/** put-tokens-off / get-tokens-off: the same put (replication 3) and get with dfs.block.access.token.enable=false. */
async function tokensOff(options: BenchOptions, input: string, size: Sizes, tokensOn: BenchEntry[]): Promise<BenchEntry[]> {
  const cluster = await startBenchCluster({ config: { 'dfs.block.access.token.enable': 'false' } });
  try {
    options.log('put-tokens-off, get-tokens-off');
    const putSamples = await repeat(repetitions, (index) => putRate(cluster, input, `/rep3-${index}`, size));
    const getSamples = await repeat(repetitions, (index) => getRate(cluster, '/rep3-0', join(options.workDir, `get-off-${index}.bin`), size, null));
    const against = (name: string): { baseline: number | null; baselineName: string } => ({
      baseline: tokensOn.find((candidate) => candidate.name === name)?.value ?? null,
      baselineName: `${name} (tokens on)`,
    });
    const common = {
      unit: 'MiB/s',
      better: 'higher' as const,
      target: `ratio <= ${1 + maxTokenCost} (tokens cost < ${maxTokenCost * 100} %)`,
      meets: (_value: number, ratio: number | null) => ratio !== null && ratio <= 1 + maxTokenCost,
    };
    return [
      entry({ name: 'put-tokens-off', samples: putSamples, ...against('seq-write-rep3'), ...common, notes: noteFor(size, 'replication 3; ratio > 1 is what tokens cost') }),
      entry({ name: 'get-tokens-off', samples: getSamples, ...against('seq-read'), ...common, notes: noteFor(size, 'page cache dropped before each; ratio > 1 is what tokens cost') }),
    ];
  } finally {
    await cluster.stop();
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
  return `${size.mib} MiB, ${what}; CLI start-up included; ${repetitions} runs`;
}

// The block scanner's share of the disk: the datanodes are restarted with a scan period of
// a few seconds, so every replica they hold is due at once and the scanners run flat out
// (at their throttle), and the rate is read from `tsdfs_datanode_scanner_bytes_total`.
import type { Cluster } from '../../test/helpers/cluster.js';
import { waitUntil } from '../../test/helpers/cluster.js';
import { datanodeCounterSum } from './bench-cluster.js';
import { entry, mebibyte, repeat } from './measure.js';
import type { BenchEntry } from './types.js';

const scannedBytesMetric = 'tsdfs_datanode_scanner_bytes_total';
/** About 1 s: replicas found at start-up are spread over one period, so all are due within a second. */
const shortScanPeriodHours = '0.0003';
/** The scanner should leave the disk to users: at most this share of its read bandwidth. */
const maxDiskShare = 0.05;

export interface ScannerRateInput {
  cluster: Cluster;
  quick: boolean;
  /** Replica bytes the cluster holds (all datanodes together). */
  replicaBytes: number;
  /** The same run's `dd` read rate of this disk, MiB/s. */
  diskReadMiBps: number;
  baselineName: string;
  log(message: string): void;
}

export async function measureScannerRate(input: ScannerRateInput): Promise<BenchEntry> {
  const { cluster } = input;
  const windowSeconds = input.quick ? 2 : 10;
  input.log(`restarting ${cluster.datanodes.length} datanodes with dfs.datanode.scan.period.hours=${shortScanPeriodHours}`);
  await Promise.all(
    cluster.datanodes.map(async (handle) => {
      await handle.kill('SIGTERM');
      await handle.start({ 'dfs.datanode.scan.period.hours': shortScanPeriodHours });
    }),
  );
  await cluster.waitForLiveDatanodes(cluster.datanodes.length);
  await waitUntil('the block scanners to start reading', 30_000, async () => (await datanodeCounterSum(cluster, scannedBytesMetric)) > 0);
  const samples = await repeat(3, async () => {
    const before = await datanodeCounterSum(cluster, scannedBytesMetric);
    const start = Date.now();
    await new Promise((resolve) => setTimeout(resolve, windowSeconds * 1000));
    const after = await datanodeCounterSum(cluster, scannedBytesMetric);
    return (after - before) / mebibyte / ((Date.now() - start) / 1000);
  });
  const datanodes = cluster.datanodes.length;
  return entry({
    name: 'scanner',
    samples,
    unit: 'MiB/s',
    baseline: input.diskReadMiBps,
    baselineName: input.baselineName,
    target: `ratio <= ${maxDiskShare} (share of disk read bandwidth)`,
    meets: (_value, ratio) => ratio !== null && ratio <= maxDiskShare,
    better: 'higher',
    notes:
      `${datanodes} datanodes (one volume each, all on this disk) scanning ${(input.replicaBytes / mebibyte).toFixed(0)} MiB of replicas, ` +
      `scan period ${shortScanPeriodHours} h; ${windowSeconds} s windows of ${scannedBytesMetric}. ` +
      `Per volume ${(samples.reduce((a, b) => a + b, 0) / samples.length / datanodes).toFixed(2)} MiB/s: the scanner's throttle ` +
      '(1 MiB/s per volume, as HDFS\'s dfs.block.scanner.volume.bytes.per.second; not a config key here).',
  });
}

// The cluster the data-path workloads measure: the tests' real mini-cluster (a namenode and
// datanode processes on loopback) with quiet logs, and a `tsdfs` runner that throws on failure.
import { type Cluster, runCli, startCluster } from '../../test/helpers/cluster.js';
import { runCliToFile } from './measure.js';

/** Longest one benchmark CLI call may take before it is killed and the workload fails. */
export const cliTimeoutMs = 600_000;

export interface BenchClusterOptions {
  datanodes?: number;
  config?: Record<string, string>;
}

export function startBenchCluster(options: BenchClusterOptions = {}): Promise<Cluster> {
  return startCluster({ datanodes: options.datanodes ?? 3, config: { 'tsdfs.log.level': 'error', ...options.config } });
}

/** `tsdfs <args> -fs <cluster>`; throws with its stderr when it fails. Returns stdout. */
export async function cliOk(cluster: Cluster, args: string[]): Promise<string> {
  const result = await runCli([...args, '-fs', cluster.fsUri], { timeoutMs: cliTimeoutMs });
  if (result.code !== 0) throw new Error(`tsdfs ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}

/** `tsdfs <args> -fs <cluster> > stdoutPath` (e.g. `cat` to /dev/null without buffering it here). */
export function cliToFile(cluster: Cluster, args: string[], stdoutPath: string): Promise<void> {
  return runCliToFile([...args, '-fs', cluster.fsUri], stdoutPath, cliTimeoutMs);
}

/** Sum of one counter over every running datanode's `/metrics`. */
export async function datanodeCounterSum(cluster: Cluster, metric: string): Promise<number> {
  let total = 0;
  for (const handle of cluster.datanodes) {
    if (!handle.process?.running) continue;
    const response = await fetch(`http://${handle.address}/metrics`, { signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${metric} `) || candidate.startsWith(`${metric}{`));
    if (line) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

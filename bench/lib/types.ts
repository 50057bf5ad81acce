// The contract between the benchmark runner (`bench/run.ts`) and its workloads
// (`bench/workloads/*.ts`). Every workload measures tsdfs and, in the same run, the
// machine's own limit for the same work, and returns one entry per figure.

/** One figure of `bench/results/latest.json`, in the shape the benchmark issue fixes. */
export interface BenchEntry {
  /** Stable name, e.g. `seq-write-rep3`, `nn-ops-mkdirs-inproc`, so runs compare across commits. */
  name: string;
  /** Median of the repetitions. */
  value: number;
  /** `MiB/s`, `ops/s`, `s`, `MiB`, `% of one core`, `ms`. */
  unit: string;
  /** The machine's own figure for the same work, measured in the same run; null for absolute targets. */
  baseline: number | null;
  /** What the baseline is, e.g. `dd conv=fsync / 3`. */
  baselineName: string | null;
  /** value / baseline (or baseline / value for times, so that higher is always better); null without baseline. */
  ratio: number | null;
  /** The target as written in the issue, e.g. `ratio >= 0.8`, `value <= 1 s`. */
  target: string;
  /** Whether the target is met in this run. */
  met: boolean;
  min: number;
  max: number;
  /** Repetitions behind the median. */
  repetitions: number;
  /** Anything a reader needs to interpret the figure (sizes, what bounds it). */
  notes?: string;
}

export interface BenchOptions {
  /** `--quick`: the same workloads at reduced sizes; the whole suite in under 2 minutes. */
  quick: boolean;
  /** A fresh temporary directory this workload may use; the runner deletes it afterwards. */
  workDir: string;
  /** Progress lines for the person watching (stderr). */
  log(message: string): void;
}

export interface Workload {
  /** Group name shown in progress output, e.g. `seq-io`, `nn-ops`. */
  name: string;
  run(options: BenchOptions): Promise<BenchEntry[]>;
}

/** Median, min and max of at least one sample. */
export function summarize(samples: readonly number[]): { median: number; min: number; max: number } {
  if (samples.length === 0) throw new Error('summarize needs at least one sample');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number };
}

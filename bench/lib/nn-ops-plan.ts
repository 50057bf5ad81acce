// The NNThroughputBenchmark-style plan shared by the in-process and the RPC variants of
// nn-ops: one round runs mkdirs, create (+ complete), getfileinfo, listing, rename and
// delete over fresh paths under its own base directory, each op spread over a pool of
// concurrent workers, and times each phase on its own.
import { type BenchEntry, summarize } from './types.js';

export const nnOpNames = ['mkdirs', 'create', 'getfileinfo', 'listing', 'rename', 'delete'] as const;
export type NnOp = (typeof nnOpNames)[number];

/** What one worker can do to the namespace; sync answers (in-process reads) need no promise. */
export interface MetadataOps {
  mkdirs(path: string): unknown;
  /** create + complete of an empty file. */
  createEmpty(path: string): unknown;
  getFileInfo(path: string): unknown;
  /** One listing call: one page as the namenode returns it. */
  listing(path: string): unknown;
  rename(src: string, dst: string): unknown;
  delete(path: string): unknown;
}

export interface RoundSizes {
  /** Ops per phase for every op but listing (a multiple of `entriesPerDirectory`). */
  ops: number;
  /** Listing calls, each of a directory of `entriesPerDirectory` files. */
  listings: number;
}

/** Files per directory: listing reads one directory of this many entries (one full page). */
export const entriesPerDirectory = 1000;

export interface PhaseHooks {
  /** Called around each timed phase (e.g. to read the namenode's CPU time). */
  before?(op: NnOp): void;
  after?(op: NnOp, seconds: number): void;
}

/** One round under `base` (parent directories made first, untimed); returns ops/s per op. */
export async function runRound(workers: readonly MetadataOps[], base: string, sizes: RoundSizes, hooks: PhaseHooks = {}): Promise<Record<NnOp, number>> {
  const directories = Math.ceil(sizes.ops / entriesPerDirectory);
  await forEachIndex(workers, directories * 3, (worker, index) => {
    const kind = ['mkdirs', 'files', 'renamed'][index % 3] as string;
    return worker.mkdirs(`${base}/${kind}/d${Math.floor(index / 3)}`);
  });
  const dir = (index: number): string => `d${Math.floor(index / entriesPerDirectory)}`;
  const phases: Record<NnOp, [count: number, (worker: MetadataOps, index: number) => unknown]> = {
    mkdirs: [sizes.ops, (worker, i) => worker.mkdirs(`${base}/mkdirs/${dir(i)}/x${i}`)],
    create: [sizes.ops, (worker, i) => worker.createEmpty(`${base}/files/${dir(i)}/f${i}`)],
    getfileinfo: [sizes.ops, (worker, i) => worker.getFileInfo(`${base}/files/${dir(i)}/f${i}`)],
    listing: [sizes.listings, (worker, i) => worker.listing(`${base}/files/d${i % directories}`)],
    rename: [sizes.ops, (worker, i) => worker.rename(`${base}/files/${dir(i)}/f${i}`, `${base}/renamed/${dir(i)}/f${i}`)],
    delete: [sizes.ops, (worker, i) => worker.delete(`${base}/renamed/${dir(i)}/f${i}`)],
  };
  const rates = {} as Record<NnOp, number>;
  for (const op of nnOpNames) {
    const [count, step] = phases[op];
    hooks.before?.(op);
    const started = performance.now();
    await forEachIndex(workers, count, step);
    const seconds = (performance.now() - started) / 1000;
    hooks.after?.(op, seconds);
    rates[op] = count / seconds;
  }
  return rates;
}

/** Indexes 0..count-1 shared out to the workers, each doing one at a time (a closed loop per worker). */
async function forEachIndex(workers: readonly MetadataOps[], count: number, step: (worker: MetadataOps, index: number) => unknown): Promise<void> {
  let next = 0;
  const loop = async (worker: MetadataOps): Promise<void> => {
    for (let index = next++; index < count; index = next++) {
      const result = step(worker, index);
      if (result instanceof Promise) await result;
    }
  };
  await Promise.all(workers.map(loop));
}

/** One `nn-ops-<op>-<variant>` entry per op from the rounds' rates. */
export function nnOpsEntries(variant: 'inproc' | 'rpc', rounds: ReadonlyArray<Record<NnOp, number>>, targetOf: (op: NnOp) => number, notesOf: (op: NnOp) => string): BenchEntry[] {
  return nnOpNames.map((op) => {
    const { median, min, max } = summarize(rounds.map((round) => round[op]));
    const target = targetOf(op);
    return {
      name: `nn-ops-${op}-${variant}`,
      value: Math.round(median),
      unit: 'ops/s',
      baseline: null,
      baselineName: null,
      ratio: null,
      target: `value >= ${target} ops/s`,
      met: median >= target,
      min: Math.round(min),
      max: Math.round(max),
      repetitions: rounds.length,
      notes: notesOf(op),
    };
  });
}

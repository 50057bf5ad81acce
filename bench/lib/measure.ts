// Timing and the machine's own limits for the workloads: repetitions, `dd` to and from the
// disk, dropping the page cache, and `tsdfs` runs whose output goes straight to a file.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { cliPath } from '../../test/helpers/cluster.js';
import { type BenchEntry, summarize } from './types.js';

export const mebibyte = 1024 * 1024;

/** Seconds since `start` (from `process.hrtime.bigint()`). */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Runs `action` and returns how many seconds it took. */
export async function timed(action: () => Promise<unknown> | unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await action();
  return secondsSince(start);
}

/** `count` samples of `measure(repetition)`, one after the other. */
export async function repeat(count: number, measure: (repetition: number) => Promise<number>): Promise<number[]> {
  const samples: number[] = [];
  for (let repetition = 0; repetition < count; repetition++) samples.push(await measure(repetition));
  return samples;
}

/**
 * Writes dirty pages and empties the page cache, so the next read comes from the disk.
 * Needs root (and a writable /proc/sys); false when it could not, and then reads are
 * from the page cache, which the baseline's name must say.
 */
export function dropCaches(): boolean {
  try {
    execFileSync('sh', ['-c', 'sync && echo 3 > /proc/sys/vm/drop_caches'], { stdio: 'ignore', timeout: 120_000 });
    return true;
  } catch {
    return false;
  }
}

/** Baseline for reads: `dd` of `file` to /dev/null after dropping caches. Returns MiB/s and what it was. */
export function ddReadMiBps(file: string, sizeBytes: number): { rate: number; cachesDropped: boolean } {
  const cachesDropped = dropCaches();
  const start = process.hrtime.bigint();
  execFileSync('dd', [`if=${file}`, 'of=/dev/null', 'bs=4M'], { stdio: 'ignore', timeout: 600_000 });
  return { rate: sizeBytes / mebibyte / secondsSince(start), cachesDropped };
}

/** Baseline for writes: `dd` of `input` to `output` (same disk) with `conv=fsync`, in MiB/s. Removes `output`. */
export async function ddWriteMiBps(input: string, output: string, sizeBytes: number): Promise<number> {
  const start = process.hrtime.bigint();
  execFileSync('dd', [`if=${input}`, `of=${output}`, 'bs=4M', 'conv=fsync'], { stdio: 'ignore', timeout: 600_000 });
  const seconds = secondsSince(start);
  await rm(output, { force: true });
  return sizeBytes / mebibyte / seconds;
}

export function readBaselineName(cachesDropped: boolean, what = 'dd read'): string {
  return `${what}, ${cachesDropped ? 'caches dropped' : 'page cache (could not drop caches)'}`;
}

/**
 * Runs `tsdfs <args>` with its standard output going to `stdoutPath` (e.g. /dev/null), so a
 * `cat` of a large file is not collected in memory. Rejects on a non-zero exit or timeout.
 */
export function runCliToFile(args: string[], stdoutPath: string, timeoutMs = 300_000): Promise<void> {
  const out = openSync(stdoutPath, 'w');
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', out, 'pipe'], env: { ...process.env, TSDFS_DEBUG: '' } });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-4_000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`tsdfs ${args[0]} exited with ${code ?? signal}: ${stderr.trim()}`));
    });
  }).finally(() => closeSync(out));
}

export interface EntryInput {
  name: string;
  samples: readonly number[];
  unit: string;
  baseline: number | null;
  baselineName: string | null;
  target: string;
  /** `higher`: ratio = value / baseline (rates); `lower`: ratio = baseline / value (times). */
  better: 'higher' | 'lower';
  /** Whether the target is met, given the median and the ratio. */
  meets(value: number, ratio: number | null): boolean;
  notes?: string;
}

/** Builds an entry from samples: median, min, max and the ratio in the direction where higher is better. */
export function entry(input: EntryInput): BenchEntry {
  const { median, min, max } = summarize(input.samples);
  let ratio: number | null = null;
  if (input.baseline !== null && input.baseline > 0 && median > 0) {
    ratio = input.better === 'higher' ? median / input.baseline : input.baseline / median;
  }
  return {
    name: input.name,
    value: median,
    unit: input.unit,
    baseline: input.baseline,
    baselineName: input.baselineName,
    ratio,
    target: input.target,
    met: input.meets(median, ratio),
    min,
    max,
    repetitions: input.samples.length,
    ...(input.notes ? { notes: input.notes } : {}),
  };
}

/** `ratio >= threshold` as a target text and its check. */
export function ratioAtLeast(threshold: number): Pick<EntryInput, 'target' | 'meets'> {
  return { target: `ratio >= ${threshold}`, meets: (_value, ratio) => ratio !== null && ratio >= threshold };
}

/** Median of samples (for baselines). */
export function median(samples: readonly number[]): number {
  return summarize(samples).median;
}

// What the kernel says about a process: resident memory from /proc/<pid>/status and CPU
// time from /proc/<pid>/stat. Linux only, as is the benchmark machine.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ResidentMemory {
  /** VmRSS: every resident page, shared libraries and file mappings (LMDB's map) included. */
  rssBytes: number;
  /** RssAnon: anonymous pages only (the JS heap, malloc, stacks): what the process itself holds. */
  anonBytes: number;
}

export function residentMemoryOf(pid: number): ResidentMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rssBytes: statusKiB(status, 'VmRSS') * 1024, anonBytes: statusKiB(status, 'RssAnon') * 1024 };
}

function statusKiB(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (match?.[1] === undefined) throw new Error(`no ${field} in /proc status`);
  return Number(match[1]);
}

let clockTicksPerSecond: number | undefined;

function clockTicks(): number {
  if (clockTicksPerSecond === undefined) {
    try {
      clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicksPerSecond = 100;
    }
  }
  return clockTicksPerSecond;
}

/** utime + stime of a process so far, in seconds (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / clockTicks();
}

/** Measures a process's CPU over a stretch of work: share of one core, in percent. */
export class CpuWindow {
  private readonly startCpu: number;
  private readonly startMs = performance.now();

  constructor(private readonly pid: number) {
    this.startCpu = cpuSecondsOf(pid);
  }

  percentOfOneCore(): number {
    const elapsedSeconds = (performance.now() - this.startMs) / 1000;
    return (100 * (cpuSecondsOf(this.pid) - this.startCpu)) / elapsedSeconds;
  }
}

export const mebibyte = 1024 * 1024;

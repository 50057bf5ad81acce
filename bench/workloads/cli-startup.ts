// CLI start-up: every `tsdfs` call pays it before its first request, and a script calling the
// CLI in a loop pays it per call (on a Raspberry Pi, seven to ten times what it is here). CPU
// seconds (user + system) of `tsdfs ls /` and `tsdfs --help` against a bare `node -e 0`, the
// least any node program costs, in interleaved runs so a busy machine weighs on all alike.
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchCluster } from '../lib/bench-cluster.js';
import { entry, median } from '../lib/measure.js';
import type { BenchEntry, BenchOptions, Workload } from '../lib/types.js';

const fullRepetitions = 11;
const quickRepetitions = 5;
/** Start-up of our own on top of node's: module loading, schemas, config, the client. */
const targetOverNodeSeconds = 0.05;
/** One run of a short command; more means something hangs. */
const runTimeoutMs = 60_000;
/** bin/tsdfs.js, as users run it (dist/bench/workloads → the repository root). */
const cliEntry = fileURLToPath(new URL('../../../bin/tsdfs.js', import.meta.url));
const cpuReporter = new URL('../lib/cpu-at-exit.js', import.meta.url).href;

export const workload: Workload = { name: 'cli-startup', run };

async function run(options: BenchOptions): Promise<BenchEntry[]> {
  const repetitions = options.quick ? quickRepetitions : fullRepetitions;
  // `ls /` needs only the namenode; one datanode keeps the cluster's start short.
  const cluster = await startBenchCluster({ datanodes: 1 });
  try {
    const commands = {
      node: ['-e', '0'],
      help: [cliEntry, '--help'],
      ls: [cliEntry, 'ls', '/', '-fs', cluster.fsUri],
    };
    const samples: Record<keyof typeof commands, number[]> = { node: [], help: [], ls: [] };
    options.log(`${repetitions} interleaved runs of node -e 0, tsdfs --help, tsdfs ls /`);
    for (let repetition = 0; repetition < repetitions; repetition++) {
      for (const name of Object.keys(commands) as (keyof typeof commands)[]) {
        samples[name].push(await cpuSecondsOfRun(commands[name], join(options.workDir, `cpu-${name}-${repetition}`), options.workDir));
      }
    }
    const baseline = median(samples.node);
    const common = {
      unit: 's',
      baseline,
      baselineName: 'node -e 0 (CPU s)',
      better: 'lower' as const,
      target: `value <= baseline + ${targetOverNodeSeconds} s`,
      meets: (value: number) => value <= baseline + targetOverNodeSeconds,
    };
    const note = (what: string): string => `CPU seconds (user + system) of ${what}, median of ${repetitions} runs interleaved with node -e 0; ratio = baseline / value`;
    return [
      entry({ name: 'cli-startup-ls', samples: samples.ls, ...common, notes: note('tsdfs ls / (one RPC)') }),
      entry({ name: 'cli-startup-help', samples: samples.help, ...common, notes: note('tsdfs --help') }),
    ];
  } finally {
    await cluster.stop();
  }
}

/** Runs `node <args>` with the CPU reporter preloaded; its CPU seconds. Rejects unless it exits 0. */
async function cpuSecondsOfRun(args: string[], cpuFile: string, cwd: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', cpuReporter, ...args], {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, TSDFS_DEBUG: '', TSDFS_BENCH_CPU_FILE: cpuFile },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-2_000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), runTimeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`node ${args.join(' ')} exited with ${code ?? signal}: ${stderr.trim()}`));
    });
  });
  const seconds = Number(await readFile(cpuFile, 'utf8'));
  await rm(cpuFile, { force: true });
  return seconds;
}

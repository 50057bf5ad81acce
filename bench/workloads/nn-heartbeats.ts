// nn-heartbeats-1000dn (benchmark issue, workload 6): the namenode's CPU while 1,000
// simulated datanodes heartbeat every 3 s. The simulator runs in its own process, so only
// the namenode's utime+stime (from /proc) is counted.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatNameDir, startNamenodeProcess } from '../lib/namenode-process.js';
import { CpuWindow } from '../lib/proc-stats.js';
import { type BenchEntry, type BenchOptions, type Workload, summarize } from '../lib/types.js';

const datanodes = 1000;
const heartbeatIntervalSeconds = 3;
const repetitions = 3;
const targetPercent = 10;

interface Simulator {
  child: ChildProcess;
  registeredLine: string;
  /** Closes its stdin and resolves with the totals it prints. */
  stop(): Promise<string>;
}

function startSimulator(url: string, secretFile: string, clusterId: string, maxSeconds: number): Promise<Simulator> {
  const script = fileURLToPath(new URL('../lib/sim-datanodes-main.js', import.meta.url));
  const child = spawn(process.execPath, [script, url, secretFile, clusterId, String(datanodes), String(maxSeconds)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<string> => {
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    return stdout.trim().split('\n').at(-1) ?? '';
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`simulated datanodes did not register within 120 s: ${stderr}`));
    }, 120_000);
    void exited.then(() => reject(new Error(`simulator exited early: ${stderr}`)));
    child.stdout.on('data', () => {
      const line = /registered .*/.exec(stdout)?.[0];
      if (line === undefined) return;
      clearTimeout(timer);
      resolve({ child, registeredLine: line, stop });
    });
  });
}

async function run(options: BenchOptions): Promise<BenchEntry[]> {
  const windowSeconds = options.quick ? 4 : 15;
  const formatted = await formatNameDir(join(options.workDir, 'name'));
  const namenode = await startNamenodeProcess(formatted.nameDir, { settings: { 'dfs.heartbeat.interval': String(heartbeatIntervalSeconds) } });
  const samples: number[] = [];
  let simulatorTotals = '';
  let registered = '';
  try {
    const lifetimeSeconds = 60 + repetitions * windowSeconds;
    const simulator = await startSimulator(namenode.datanodeUrl, join(formatted.nameDir, 'cluster.secret'), formatted.clusterId, lifetimeSeconds);
    registered = simulator.registeredLine;
    options.log(`${datanodes} simulated datanodes ${registered}`);
    try {
      // One full interval first, so every node is in its steady heartbeat rhythm.
      await new Promise((resolve) => setTimeout(resolve, heartbeatIntervalSeconds * 1000));
      for (let round = 0; round < repetitions; round++) {
        const window = new CpuWindow(namenode.pid);
        await new Promise((resolve) => setTimeout(resolve, windowSeconds * 1000));
        samples.push(window.percentOfOneCore());
        options.log(`window ${round + 1}/${repetitions}: namenode at ${samples.at(-1)?.toFixed(1)} % of one core`);
      }
    } finally {
      simulatorTotals = await simulator.stop();
    }
  } finally {
    await namenode.stop();
  }
  const { median, min, max } = summarize(samples);
  return [
    {
      name: 'nn-heartbeats-1000dn',
      value: Math.round(median * 10) / 10,
      unit: '% of one core',
      baseline: null,
      baselineName: null,
      ratio: null,
      target: `value <= ${targetPercent} %`,
      met: median <= targetPercent,
      min: Math.round(min * 10) / 10,
      max: Math.round(max * 10) / 10,
      repetitions,
      notes: `namenode process utime+stime (/proc/<pid>/stat) over ${repetitions} consecutive ${windowSeconds} s windows, after all ${datanodes} simulated datanodes registered (${registered}) and one interval passed; each a real ws link with the HMAC handshake, heartbeat every ${heartbeatIntervalSeconds} s (spread over the interval), run in a separate simulator process; the namenode's own timers (redundancy tick every 3 s, lease monitor) included; simulator totals: ${simulatorTotals}`,
    },
  ];
}

export const workload: Workload = { name: 'nn-heartbeats', run };

// A real namenode process on a name dir the benchmark prepared (formatted, perhaps filled
// offline), started the way `tsdfs namenode` starts, optionally with extra node flags
// (`--cpu-prof`) so a missed target can be profiled.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseConfig } from '../../config/index.js';
import { formatNamenode } from '../../namenode/main.js';
import { readClusterSecret } from '../../protocol/auth.js';
import { cliPath } from '../../test/helpers/cluster.js';

/** Safe mode ends as soon as the threshold is met (no 30 s extension), logs only warnings. */
export const benchNamenodeSettings: Record<string, string> = {
  'dfs.namenode.safemode.extension': '0',
  'tsdfs.log.level': 'warn',
};

export interface FormattedNameDir {
  nameDir: string;
  clusterId: string;
  clusterSecret: Buffer;
}

export async function formatNameDir(nameDir: string): Promise<FormattedNameDir> {
  const format = await formatNamenode(parseConfig({ 'dfs.namenode.name.dir': nameDir }));
  return { nameDir, clusterId: format.clusterId, clusterSecret: readClusterSecret(join(nameDir, 'cluster.secret')) };
}

export interface NamenodeProcess {
  pid: number;
  /** host:port */
  address: string;
  /** `http://host:port` */
  httpUrl: string;
  /** `ws://host:port/datanode` */
  datanodeUrl: string;
  /** The last lines it wrote to stderr (logs; with `--inspect`, the debugger's URL). */
  stderrText(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  settings?: Record<string, string>;
  /** Flags for node before the script, e.g. `--cpu-prof --cpu-prof-dir=DIR`. */
  nodeFlags?: string[];
  /** A namenode loading a million blocks takes a while to listen. */
  startTimeoutMs?: number;
}

export function startNamenodeProcess(nameDir: string, options: StartOptions = {}): Promise<NamenodeProcess> {
  const settings = { ...benchNamenodeSettings, ...options.settings, 'dfs.namenode.name.dir': nameDir, 'dfs.namenode.http-address': '127.0.0.1:0' };
  const defines = Object.entries(settings).flatMap(([key, value]) => ['-D', `${key}=${value}`]);
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), cliPath, 'namenode', ...defines], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr.push(text);
    if (stderr.length > 50) stderr.shift();
  });
  const timeoutMs = options.startTimeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`namenode did not listen within ${timeoutMs} ms: ${stderr.join('')}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`namenode exited with ${code} before listening: ${stderr.join('')}`));
    });
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      const address = /listening on (\S+)/.exec(stdout)?.[1];
      if (address === undefined) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        pid: child.pid ?? -1,
        address,
        httpUrl: `http://${address}`,
        datanodeUrl: `ws://${address}/datanode`,
        stderrText: () => stderr.join(''),
        stop: () => stopChild(child),
      });
    });
  });
}

/** SIGTERM (so a --cpu-prof profile is written), SIGKILL after 20 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** GET /status as JSON (simple auth: no token needed). */
export async function namenodeStatus(httpUrl: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${httpUrl}/status`, { headers: { 'x-tsdfs-user': 'bench' } });
  if (!response.ok) throw new Error(`/status answered ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

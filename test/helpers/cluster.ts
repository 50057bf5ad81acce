// A real mini-cluster for tests: one namenode and N datanodes as separate processes on
// loopback, port 0, in a temp dir that is removed afterwards. Scenarios read like a script:
//   await using cluster = await startCluster({ datanodes: 3 });
//   await cluster.datanode(1).kill();
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DfsClient } from '../../client-lib/index.js';
import { defaultUserName } from '../../client-lib/identity.js';
import { parseConfig } from '../../config/index.js';
import { readClusterSecret } from '../../protocol/auth.js';
import { issueUserToken } from '../../protocol/user-token.js';

export const cliPath = resolve(dirname(fileURLToPath(import.meta.url)), '../../cli/main.js');

/** Short intervals so tests see liveness and reports quickly. */
export const fastTestConfig: Record<string, string> = {
  'dfs.heartbeat.interval': '1',
  'dfs.namenode.heartbeat.recheck-interval': '2000',
  'dfs.namenode.stale.datanode.interval': '3000',
  'dfs.namenode.safemode.extension': '0',
  'tsdfs.log.level': 'warn',
};

export interface ClusterOptions {
  datanodes: number;
  /** Extra -D settings for every process. */
  config?: Record<string, string>;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function defines(config: Record<string, string>): string[] {
  return Object.entries(config).flatMap(([key, value]) => ['-D', `${key}=${value}`]);
}

/** Runs `tsdfs <args>` as a user would and collects what it prints. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; input?: Buffer | string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: { ...process.env, TSDFS_DEBUG: '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    child.stdin.end(options.input ?? '');
  });
}

/**
 * Server processes still running. A test that fails half-way can leave its cluster behind
 * when the runner ends the process (--test-force-exit, a timeout); whatever is left then is
 * killed as this process exits, so no stray cluster spoils later runs or benchmarks.
 */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A server process whose stdout announces `listening on HOST:PORT`. */
export class ServerProcess {
  readonly stderrLines: string[] = [];
  private exitPromise: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly address: string,
    readonly uuid: string,
  ) {
    this.exitPromise = new Promise((resolvePromise) => {
      if (child.exitCode !== null) resolvePromise(child.exitCode);
      else child.once('exit', (code) => resolvePromise(code));
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  static start(args: string[], what: string, timeoutMs = 30_000): Promise<ServerProcess> {
    const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    child.once('exit', () => running.delete(child));
    const stderr: string[] = [];
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr.push(text);
      if (stderr.length > 200) stderr.shift();
    });
    return new Promise((resolvePromise, reject) => {
      let stdout = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${what} did not start within ${timeoutMs} ms: ${stderr.join('')}`));
      }, timeoutMs);
      child.stdout?.setEncoding('utf8').on('data', (text: string) => {
        stdout += text;
        const match = /listening on (\S+)(?: uuid=(\S+))?/.exec(stdout);
        if (match?.[1]) {
          clearTimeout(timer);
          const server = new ServerProcess(child, match[1], match[2] ?? '');
          server.stderrLines.push(...stderr);
          child.stderr?.on('data', (more: string) => server.stderrLines.push(more));
          resolvePromise(server);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${what} exited with ${code} before listening: ${stderr.join('')}`));
      });
    });
  }

  /** Sends a signal to this process by its PID and waits until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exitPromise;
    clearTimeout(timer);
  }

  exited(): Promise<number | null> {
    return this.exitPromise;
  }
}

export class DatanodeHandle {
  process: ServerProcess | null = null;

  constructor(
    readonly index: number,
    readonly dataDir: string,
    private readonly cluster: Cluster,
  ) {}

  get uuid(): string {
    return this.process?.uuid ?? '';
  }

  get address(): string {
    return this.process?.address ?? '';
  }

  async start(extraConfig: Record<string, string> = {}): Promise<void> {
    this.process = await ServerProcess.start(
      ['datanode', ...defines({ ...this.cluster.datanodeConfig(this.dataDir), ...extraConfig })],
      `datanode ${this.index}`,
    );
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.process?.kill(signal);
  }

  async restart(): Promise<void> {
    await this.kill('SIGTERM');
    await this.start();
  }
}

export class Cluster {
  namenode!: ServerProcess;
  readonly datanodes: DatanodeHandle[] = [];
  private readonly clients: DfsClient[] = [];

  constructor(
    readonly dir: string,
    readonly config: Record<string, string>,
  ) {}

  get fsUri(): string {
    return `tsdfs://${this.namenode.address}`;
  }

  get nameDir(): string {
    return join(this.dir, 'name');
  }

  namenodeConfig(address = '127.0.0.1:0'): Record<string, string> {
    return { ...this.config, 'dfs.namenode.name.dir': this.nameDir, 'dfs.namenode.http-address': address };
  }

  datanodeConfig(dataDir: string): Record<string, string> {
    return {
      ...this.config,
      'fs.defaultFS': this.fsUri,
      'dfs.datanode.data.dir': dataDir,
      'dfs.datanode.address': '127.0.0.1:0',
      'dfs.datanode.hostname': '127.0.0.1',
      // Datanodes have no name dir: they read the secret `namenode -format` wrote, as on a real host.
      'tsdfs.cluster.secret.file': this.secretFile,
    };
  }

  /** The cluster secret `namenode -format` wrote (the datanode handshake and block tokens derive from it). */
  get secretFile(): string {
    return join(this.nameDir, 'cluster.secret');
  }

  datanode(index: number): DatanodeHandle {
    const handle = this.datanodes[index];
    if (!handle) throw new Error(`no datanode ${index}`);
    return handle;
  }

  async startNamenode(address?: string): Promise<void> {
    this.namenode = await ServerProcess.start(['namenode', ...defines(this.namenodeConfig(address))], 'namenode');
  }

  /**
   * Restarts the namenode on the same address, as an operator would; the datanodes
   * reconnect by themselves (or are restarted too with `restartDatanodes`).
   */
  async restartNamenode(options: { restartDatanodes?: boolean } = {}): Promise<void> {
    const address = this.namenode.address;
    await this.namenode.kill('SIGTERM');
    await this.startNamenode(address);
    if (options.restartDatanodes ?? false) {
      for (const handle of this.datanodes) if (handle.process?.running) await handle.restart();
    }
  }

  /** The cluster's tsdfs.tls.* settings, which clients need too (the CA; the others say "use TLS"). */
  get tlsConfig(): Record<string, string> {
    return Object.fromEntries(Object.entries(this.config).filter(([key]) => key.startsWith('tsdfs.tls.')));
  }

  /** In `tsdfs.auth=token` clusters the client gets a token for its user (default: the OS user, the superuser). */
  client(user?: string): DfsClient {
    const token = this.config['tsdfs.auth'] === 'token' ? this.issueToken(user ?? defaultUserName({})) : undefined;
    const tls = this.tlsConfig;
    const config = Object.keys(tls).length > 0 ? { config: parseConfig(tls) } : {};
    const client = new DfsClient({ namenode: this.fsUri, ...config, ...(user ? { user } : {}), ...(token ? { token } : {}) });
    this.clients.push(client);
    return client;
  }

  /** What `tsdfs dfsadmin -issueToken USER` prints on the namenode's host. */
  issueToken(user: string, days?: number): string {
    return issueUserToken(readClusterSecret(join(this.nameDir, 'cluster.secret')), user, Date.now(), days);
  }

  /** `tsdfs <args> -fs <this cluster>` (with the cluster's TLS settings, if any) */
  cli(args: string[], options: { env?: NodeJS.ProcessEnv; input?: Buffer | string } = {}): Promise<CliResult> {
    return runCli([...args, ...defines(this.tlsConfig), '-fs', this.fsUri], options);
  }

  async waitForLiveDatanodes(count: number, timeoutMs = 30_000): Promise<void> {
    const client = this.client();
    await waitUntil(`${count} live datanodes`, timeoutMs, async () => {
      const report = await client.rpc('datanodeReport', { type: 'live' });
      return report.live.length === count;
    });
  }

  /** Waits until every block of `path` has `replicas` live replicas on distinct datanodes. */
  async waitForReplication(path: string, replicas: number, timeoutMs = 60_000): Promise<void> {
    const client = this.client();
    await waitUntil(`${path} at ${replicas} replicas`, timeoutMs, async () => {
      const report = await client.rpc('fsck', { path, files: true });
      return report.files.every((file) =>
        file.blocks.every((block) => block.replicas.filter((r) => r.state === 'live').length === replicas),
      );
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.close().catch(() => {})));
    await Promise.all(this.datanodes.map((handle) => handle.kill('SIGTERM')));
    await this.namenode?.kill('SIGTERM');
    await rm(this.dir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), 'tsdfs-test-'));
  const cluster = new Cluster(dir, { ...fastTestConfig, ...options.config });
  try {
    const format = await runCli(['namenode', '-format', ...defines(cluster.namenodeConfig())]);
    if (format.code !== 0) throw new Error(`namenode -format failed: ${format.stderr}`);
    await cluster.startNamenode();
    for (let index = 0; index < options.datanodes; index++) {
      cluster.datanodes.push(new DatanodeHandle(index, join(dir, `dn${index}`), cluster));
    }
    await Promise.all(cluster.datanodes.map((handle) => handle.start()));
    await cluster.waitForLiveDatanodes(options.datanodes);
    return cluster;
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

export async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

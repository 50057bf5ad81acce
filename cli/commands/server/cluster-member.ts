// One process of the mini-cluster: started with `node dist/cli/main.js <role> …`, its
// stderr (pino logs) going straight to `<dir>/logs/<name>.log`, ready once its stdout says
// `listening on HOST:PORT`, stopped by PID with SIGTERM and, after a grace period, SIGKILL.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, createWriteStream, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The compiled CLI entry, which every member runs with its role. */
export const cliEntryPath = fileURLToPath(new URL('../../main.js', import.meta.url));
/** A Pi with an SD card can take a while to load modules and open LMDB. */
export const startTimeoutMs = 60_000;
/** After SIGTERM, how long a member may take to close before SIGKILL. */
export const stopGraceMs = 5_000;

export interface MemberExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ClusterMember {
  readonly child: ChildProcess;
  readonly exited: Promise<MemberExit>;
  private stopping = false;

  constructor(
    readonly name: string,
    readonly logFile: string,
    args: string[],
    env: NodeJS.ProcessEnv,
  ) {
    const logFd = openSync(logFile, 'a');
    try {
      // detached: a Ctrl-C in the terminal reaches only the launcher, which stops the
      // members in order (datanodes, then the namenode) instead of all at once.
      this.child = spawn(process.execPath, [cliEntryPath, ...args], { stdio: ['ignore', 'pipe', logFd], env, detached: true });
    } finally {
      closeSync(logFd);
    }
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Resolves with the `HOST:PORT` the member announces; rejects if it exits first. */
  waitUntilListening(): Promise<string> {
    const stdout = this.child.stdout;
    if (!stdout) return Promise.reject(new Error(`${this.name} has no stdout`));
    const log = createWriteStream(this.logFile, { flags: 'a' });
    return new Promise((resolve, reject) => {
      let seen = '';
      let ready = false;
      stdout.once('end', () => log.end());
      const timer = setTimeout(() => reject(new Error(`${this.name} did not start within ${startTimeoutMs / 1000} s`)), startTimeoutMs);
      stdout.setEncoding('utf8').on('data', (text: string) => {
        log.write(text);
        if (ready) return;
        seen += text;
        const match = /listening on (\S+)/.exec(seen);
        if (match?.[1]) {
          ready = true;
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      void this.exited.then(async (exit) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${describeExit(exit)}) before it was ready:\n${await this.logTail()}`));
      });
    });
  }

  /** The last lines of the member's log, to say why it failed. */
  async logTail(lines = 8): Promise<string> {
    const text = await readFile(this.logFile, 'utf8').catch(() => '');
    return text.trimEnd().split('\n').slice(-lines).map((line) => `  ${line}`).join('\n');
  }

  /** SIGTERM by PID, SIGKILL if still there after the grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), stopGraceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export function describeExit(exit: MemberExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}

// The commands that write file data (put, cp) run in a node started with a
// larger initial V8 heap. A CLI process has ~10 MB of live objects, so V8 sizes its heap
// limits from that, and the 64 KiB socket buffers a transfer allocates (off-heap, but
// counted towards those limits) set off a full mark-compact about every 16 MB: a fifth of
// the CPU of a `get`. V8 reads the initial heap size only at start-up, so the command
// starts node again with the flag (one extra process start, 60-100 ms of CPU) and passes its
// exit code on; the relaunched process dies with its launcher.
// A put of local files that hold under 64 MiB in all is not relaunched (the launcher sizes
// them with a bounded walk). Measured, `get` of 512 MiB: 1.78 -> 1.39 s of CPU (user+sys),
// same max RSS.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const bulkHeapFlag = '--initial-heap-size=64';
/** Command names (and aliases) that move file data; `dfs -get` and friends count too. */
// get and cat are not relaunched: their raw block reads (client-lib/read/raw-replica-reader.ts)
// read into reused slabs and make almost no garbage, so the relaunch only cost its start-up:
// 512 MiB, CLI CPU with relaunch vs without, get 1.0 -> 0.86 s, cat 0.75 -> 0.67 s. (A TLS
// cluster reads through node:http and pays more GC without the larger heap.)
const bulkCommands = new Set(['put', 'copyFromLocal', 'cp']);
const forwardedSignals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** Set for the relaunched process, whose IPC channel is the lifeline to its launcher. */
const lifelineEnv = 'TSDFS_BULK_HEAP_CHILD';

/**
 * In the relaunched process: dies as its launcher did when the launcher goes (killed by
 * PID, even SIGKILL), so `kill -9` of a `tsdfs put` still stops the writer and its lease
 * renewals, as a single process would.
 */
export function followLauncher(env: NodeJS.ProcessEnv): void {
  if (env[lifelineEnv] !== '1' || process.channel === undefined) return;
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGKILL'));
}

/** Whether `argv` names a bulk command and this node was not started with an initial heap size already. */
export function wantsBulkHeap(argv: readonly string[], execArgv: readonly string[]): boolean {
  if (execArgv.some((arg) => arg.startsWith('--initial-heap-size') || arg.startsWith('--initial-old-space-size'))) return false;
  const rest = withoutGenericOptions(argv);
  const dfsForm = rest[0] === 'dfs' || rest[0] === 'fs';
  const name = dfsForm ? rest[1]?.replace(/^-/, '') : rest[0];
  if (name === undefined || !bulkCommands.has(name)) return false;
  // A put of local files we can size cheaply pays the relaunch only when it moves enough data.
  if (localSourceCommands.has(name)) return !localSourcesBelow(rest.slice(dfsForm ? 2 : 1), relaunchMinBytes);
  return true;
}

/** Below this many bytes a put's relaunch (60-100 ms of CPU) costs more than the GCs it saves. */
export const relaunchMinBytes = 64 * 1024 * 1024;
const localSourceCommands = new Set(['put', 'copyFromLocal']);
/** Entries a put's sources may hold before the launcher stops counting and relaunches anyway. */
const maxEntriesCounted = 2000;

/**
 * Whether the local sources of `put <args>` (every argument but flags and the destination)
 * certainly hold fewer than `limit` bytes: each exists, none is stdin, and their trees have
 * at most `maxEntriesCounted` entries. Anything unsure answers false (relaunch).
 */
function localSourcesBelow(args: readonly string[], limit: number): boolean {
  const sources = args.filter((arg) => arg === '-' || !arg.startsWith('-')).slice(0, -1);
  if (sources.length === 0 || sources.includes('-')) return false;
  let bytes = 0;
  let entries = 0;
  const pending = [...sources];
  try {
    for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
      if (++entries > maxEntriesCounted) return false;
      const status = statSync(path);
      if (status.isDirectory()) pending.push(...readdirSync(path).map((name) => join(path as string, name)));
      else bytes += status.size;
      if (bytes >= limit) return false;
    }
  } catch {
    return false; // the command itself reports a missing or unreadable source
  }
  return true;
}

/**
 * Runs `script argv` in a new node with the bulk heap flag, stdio shared; resolves to its
 * exit code (128 + signal number when a signal ended it), or null when it could not start.
 */
export async function runWithBulkHeap(script: string, argv: readonly string[]): Promise<number | null> {
  // Imported here: every other command's start-up skips them (child_process costs ~3 ms of CPU).
  const [{ spawn }, { constants }] = await Promise.all([import('node:child_process'), import('node:os')]);
  return new Promise((resolve) => {
    // The IPC channel is only a lifeline: it closes when this process dies, even by SIGKILL.
    const child = spawn(process.execPath, [...process.execArgv, bulkHeapFlag, script, ...argv], {
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, [lifelineEnv]: '1' },
    });
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    for (const signal of forwardedSignals) process.on(signal, forward);
    child.once('error', () => resolve(null));
    child.once('exit', (code, signal) => {
      for (const name of forwardedSignals) process.off(name, forward);
      resolve(code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)));
    });
  });
}

/**
 * The arguments that are not generic options (`--config F`, `-conf F`, `-fs U`,
 * `--fs U`, `-D k=v`, and their `=`/attached forms), as args.ts reads them. Kept here, free
 * of imports, so a launcher that relaunches never loads the CLI and its config schema
 * (~0.2 s of CPU). A malformed option just means no relaunch; the runner reports it.
 */
function withoutGenericOptions(argv: readonly string[]): string[] {
  const rest: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index] as string;
    if (token === '--') break;
    if (/^(--config|-conf|-fs|--fs)=/.test(token) || (token.startsWith('-D') && token.length > 2)) continue;
    if (['--config', '-conf', '-fs', '--fs', '-D'].includes(token)) index++;
    else rest.push(token);
  }
  return rest;
}

// Path helpers shared by the file shell commands: how HDFS shows paths (as typed, children
// joined on), stat-or-nothing, tree walks, and "report each failed argument, go on".
import { baseName, joinPath } from '../../protocol/paths.js';
import type { FileStatus } from '../../protocol/common.js';
import type { CommandIo } from '../command.js';
import type { ShellClient } from './client.js';
import { ReportedFailure, describeError, hasCode, pathError } from './errors.js';

/** A path both as the user typed it (for messages) and as resolved (for the RPC). */
export interface ShellPath {
  shown: string;
  absolute: string;
}

export function shellPath(client: ShellClient, typed: string): ShellPath {
  // `.` and `` mean the home directory, as in HDFS; a trailing slash only says "a directory".
  if (typed === '' || typed === '.') return { shown: typed, absolute: client.homeDirectory() };
  let trimmed = typed.length > 1 ? typed.replace(/\/+$/, '') || '/' : typed;
  if (/^[a-z]+:\/\/[^/]*$/i.test(trimmed)) trimmed += '/';
  return { shown: typed, absolute: client.resolve(trimmed) };
}

/** A child as HDFS shows it: `dir/name`, `/name` under root, `name` under `.` (home). */
export function childPath(parent: ShellPath, name: string): ShellPath {
  const shown = parent.shown === '' || parent.shown === '.' ? name : `${parent.shown.replace(/\/+$/, '')}/${name}`;
  return { shown, absolute: joinPath(parent.absolute, name) };
}

/** The entry's own name, whether the listing carries full paths or names. */
export function entryName(status: FileStatus): string {
  return status.path.includes('/') ? baseName(status.path.replace(/\/+$/, '')) : status.path;
}

export async function statOrNull(client: ShellClient, path: string): Promise<FileStatus | null> {
  try {
    return await client.stat(path);
  } catch (error) {
    if (hasCode(error, 'FileNotFound')) return null;
    throw error;
  }
}

/** The status, or HDFS's "No such file or directory" naming the path as typed. */
export async function requireStatus(client: ShellClient, path: ShellPath): Promise<FileStatus> {
  const status = await statOrNull(client, path.absolute);
  if (status === null) throw pathError(path.shown, 'No such file or directory');
  return status;
}

export interface TreeEntry {
  path: ShellPath;
  status: FileStatus;
}

/** Depth-first, parents before children, as `ls -R` prints and `chmod -R` applies. */
export async function* walkTree(client: ShellClient, root: ShellPath, status: FileStatus): AsyncGenerator<TreeEntry> {
  yield { path: root, status };
  if (status.type !== 'directory') return;
  for await (const child of client.list(root.absolute)) {
    yield* walkTree(client, childPath(root, entryName(child)), child);
  }
}

/** Writes `<cmd>: <message>` for a failure (with the stack when TSDFS_DEBUG=1). */
export function reportFailure(io: CommandIo, error: unknown, path?: string): void {
  if (error instanceof ReportedFailure) return;
  io.stderr.write(`${io.invokedAs}: ${describeError(error, path)}\n`);
  if (io.env.TSDFS_DEBUG !== '1') return;
  // The wrapped original (see transfer.ts) holds the stack worth reading.
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) io.stderr.write(`${cause.stack ?? cause.message}\n`);
}

/**
 * Runs `action` for each argument; a failure is reported and the rest still run, as
 * HDFS's shell does (`ls /a /nope /b`). Returns the exit code: 1 if anything failed.
 */
export async function forEachArgument(io: CommandIo, items: readonly string[], action: (item: string) => Promise<void>): Promise<number> {
  let exitCode = 0;
  for (const item of items) {
    try {
      await action(item);
    } catch (error) {
      reportFailure(io, error, item);
      exitCode = 1;
    }
  }
  return exitCode;
}

/** Runs `worker` over `items` with at most `concurrency` at once; the first error wins. */
export async function runConcurrently<T>(items: readonly T[], concurrency: number, worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await worker(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  if (failure) throw failure.error;
}

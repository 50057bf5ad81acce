// Copies between the local disk and tsdfs (put/get) and inside tsdfs (cp), file by file
// or whole trees with several files in flight. Like HDFS, a copy is written under
// `<name>._COPYING_` and renamed into place once complete, so a half-written file is never
// seen under its real name; a failed copy removes its temporary file.
import { createWriteStream } from 'node:fs';
import { localFileStream, readSmallLocalFile } from '../../client-lib/local-file.js';
import { packetDataBytes } from '../../protocol/limits.js';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type { FileStatus } from '../../protocol/common.js';
import { isSameOrDescendant } from '../../protocol/paths.js';
import type { CommandIo } from '../command.js';
import { octalString } from '../format/permission.js';
import type { ShellClient } from './client.js';
import { ReportedFailure, ShellError, describeError, pathError } from './errors.js';
import { type ShellPath, childPath, reportFailure, runConcurrently, statOrNull, walkTree } from './paths.js';
import { type ProgressTicker, type TransferProgress, countingStream } from './progress.js';

export const copyingSuffix = '._COPYING_';
/**
 * Files copied at once in a directory copy: a small file is mostly waiting (RPCs, durable
 * commits, fsyncs on three datanodes), so many in flight hide those round trips and let the
 * namenode group its commits. 8 left the cluster idle half the time; 32 keeps it busy.
 */
export const directoryCopyConcurrency = 32;
/**
 * A file of at most this many bytes is read whole and written as one buffer, without the
 * stream machinery (one packet: the write looks the same on the wire). 32 in flight hold
 * at most 32 MiB.
 */
export const smallFileBytes = packetDataBytes;
/** A file at least this large streams many packets (up to 16 MiB unacknowledged each)… */
export const largeFileBytes = 8 * 1024 * 1024;
/** …so only this many of them are copied at once, bounding the command's memory. */
export const largeFileConcurrency = 4;
/** Slots for large files, shared by every copy of this process (each holds one while it streams). */
const largeFileSlots = { free: largeFileConcurrency, waiting: [] as Array<() => void> };

/** Runs one file's transfer, waiting first for a large-file slot when it has `bytes` ≥ largeFileBytes. */
async function withFileSlot<T>(bytes: number, transfer: () => Promise<T>): Promise<T> {
  if (bytes < largeFileBytes) return transfer();
  while (largeFileSlots.free === 0) await new Promise<void>((resolve) => largeFileSlots.waiting.push(resolve));
  largeFileSlots.free -= 1;
  try {
    return await transfer();
  } finally {
    largeFileSlots.free += 1;
    largeFileSlots.waiting.shift()?.();
  }
}


export interface TransferContext {
  io: CommandIo;
  client: ShellClient;
  overwrite: boolean;
  /** `put -p`: keep the local permission bits. */
  preservePermission?: boolean;
  progress: TransferProgress;
  /** The targets lie in a directory this command just created, so none can exist yet: skip the stat per file. */
  targetsNew?: boolean;
}

/** Runs `action`, turning any failure into a message about `shown` (the path at fault). */
async function onPath<T>(shown: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof ShellError || error instanceof ReportedFailure) throw error;
    const wrapped = new ShellError(describeError(error, shown));
    wrapped.cause = error;
    throw wrapped;
  }
}

// ---- tsdfs side ----------------------------------------------------------------------

async function refuseExistingRemote(client: ShellClient, target: ShellPath, overwrite: boolean): Promise<void> {
  const existing = await onPath(target.shown, () => statOrNull(client, target.absolute));
  if (existing === null) return;
  if (existing.type === 'directory') throw pathError(target.shown, 'Is a directory');
  if (!overwrite) throw pathError(target.shown, 'File exists');
}

interface RemoteFileSource {
  open: () => Promise<Readable>;
  /**
   * The whole source in one fresh buffer, for a small one; null when it cannot be had that
   * way after all (a local file changed size), and `open` streams it instead.
   */
  readWhole?: () => Promise<Buffer | null>;
  totalBytes: number;
  /** False for standard input: its size shows only at its end. */
  sizeKnown: boolean;
  /** A local file's read stream gives fresh buffers that nobody reuses: the writer may keep them. */
  freshChunks: boolean;
}

/** A small source's bytes in one buffer (see smallFileBytes); null means stream it. */
async function readWholeIfSmall(source: RemoteFileSource): Promise<Buffer | null> {
  if (source.readWhole === undefined) return null;
  if (!source.sizeKnown || source.totalBytes > smallFileBytes) return null;
  // Read inside the copy's error handling, as a stream's bytes are: a failure names the target.
  return source.readWhole();
}

/** Streams `source` into `target` via the `._COPYING_` file. */
async function writeRemoteFile(context: TransferContext, source: RemoteFileSource, target: ShellPath): Promise<void> {
  const { totalBytes } = source;
  const { client } = context;
  if (context.targetsNew !== true) await refuseExistingRemote(client, target, context.overwrite);
  const temporary = target.absolute + copyingSuffix;
  const ticker = context.progress.track(target.shown, totalBytes);
  try {
    await onPath(target.shown, async () => {
      // Without an existing target to replace, `complete` itself renames the file into place.
      const landsOnComplete = context.targetsNew === true || !context.overwrite;
      const options = {
        overwrite: true,
        // An empty source needs no block: do not have `create` allocate one only to abandon it.
        firstBlock: !source.sizeKnown || totalBytes > 0,
        adoptChunks: source.freshChunks,
        ...(landsOnComplete ? { renameTo: target.absolute } : {}),
      };
      const whole = client.writeFile === undefined ? null : await readWholeIfSmall(source);
      if (whole !== null && client.writeFile !== undefined) {
        // The whole buffer is fresh: the writer may keep it rather than copy it.
        await client.writeFile(temporary, whole, { ...options, firstBlock: whole.length > 0, adoptChunks: true });
        ticker.advance(whole.length);
      } else {
        // The sink is made only once it is piped at once: its `create` goes out as it is made,
        // and a refusal arriving while a large file waited for its slot was an 'error' nobody
        // listened to yet, which ended the whole command.
        await withFileSlot(totalBytes, async () => {
          const input = await source.open();
          return pipeline(input, countingStream(ticker), await client.createWriteStream(temporary, options));
        });
      }
      if (landsOnComplete) return;
      if (context.overwrite && (await client.exists(target.absolute))) await client.rm(target.absolute);
      await client.mv(temporary, target.absolute);
    });
  } catch (error) {
    await removeTemporary(client, temporary);
    throw error;
  } finally {
    ticker.finish();
  }
}

/**
 * Removes a failed copy's `._COPYING_` file. Only a file: `create` (with overwrite) would have
 * replaced a file there, but a directory by that name is the user's own and made it fail.
 */
async function removeTemporary(client: ShellClient, temporary: string): Promise<void> {
  try {
    if ((await statOrNull(client, temporary))?.type === 'file') await client.rm(temporary);
  } catch {
    // Best effort: the namenode may be what failed.
  }
}

export async function uploadFile(context: TransferContext, local: string, target: ShellPath): Promise<void> {
  const localStatus = await onPath(local, () => stat(local));
  if (localStatus.isDirectory()) return uploadDirectory(context, local, target);
  const open = async (): Promise<Readable> => localFileStream(local, localStatus.size);
  const readWhole = (): Promise<Buffer | null> => readSmallLocalFile(local, localStatus.size);
  await writeRemoteFile(context, { open, readWhole, totalBytes: localStatus.size, sizeKnown: true, freshChunks: true }, target);
  if (context.preservePermission) {
    await onPath(target.shown, () => context.client.chmod(target.absolute, octalString(localStatus.mode)));
  }
}

/** `put -` : standard input into one file. */
export async function uploadStream(context: TransferContext, input: Readable, target: ShellPath): Promise<void> {
  await writeRemoteFile(context, { open: async () => input, totalBytes: 0, sizeKnown: false, freshChunks: false }, target);
}

/** Makes `target` a directory; true when it did not exist before. */
async function makeRemoteDirectory(client: ShellClient, target: ShellPath): Promise<boolean> {
  const existing = await onPath(target.shown, () => statOrNull(client, target.absolute));
  if (existing?.type === 'directory') return false;
  if (existing) throw pathError(target.shown, 'File exists');
  await onPath(target.shown, () => client.mkdir(target.absolute, { parents: true }));
  return true;
}

/** `shown`/`absolute` of `relative` (a/b/c) below `base`. */
function descend(base: ShellPath, relative: string): ShellPath {
  return relative.split('/').reduce((path, name) => childPath(path, name), base);
}

export async function uploadDirectory(context: TransferContext, localRoot: string, target: ShellPath): Promise<void> {
  const created = await makeRemoteDirectory(context.client, target);
  const files: string[] = [];
  for await (const entry of walkLocal(localRoot)) {
    if (entry.directory) await makeRemoteDirectory(context.client, descend(target, entry.relative));
    else files.push(entry.relative);
  }
  // Into a tree we just made, no file can be in the way (the final rename would still refuse one).
  const fileContext = created ? { ...context, targetsNew: true } : context;
  await copyEach(fileContext, files, (relative) => descend(target, relative).shown, (relative) => uploadFile(fileContext, join(localRoot, relative), descend(target, relative)));
}

// ---- local side ----------------------------------------------------------------------

interface LocalEntry {
  relative: string;
  directory: boolean;
}

/** The local tree below `root`, parents before children, names sorted. */
async function* walkLocal(root: string, relative = ''): AsyncGenerator<LocalEntry> {
  const entries = await onPath(join(root, relative), () => readdir(join(root, relative), { withFileTypes: true }));
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    const entryRelative = relative === '' ? entry.name : `${relative}/${entry.name}`;
    // Follow symbolic links as `put` reads through them.
    const directory = entry.isDirectory() || (entry.isSymbolicLink() && (await stat(join(root, entryRelative))).isDirectory());
    yield { relative: entryRelative, directory };
    if (directory) yield* walkLocal(root, entryRelative);
  }
}

async function refuseExistingLocal(local: string, overwrite: boolean): Promise<void> {
  const existing = await stat(local).catch(() => null);
  if (existing === null) return;
  if (existing.isDirectory()) throw pathError(local, 'Is a directory');
  if (!overwrite) throw pathError(local, 'File exists');
}

export async function downloadFile(context: TransferContext, source: ShellPath, status: FileStatus, local: string): Promise<void> {
  if (status.type === 'directory') return downloadDirectory(context, source, status, local);
  await refuseExistingLocal(local, context.overwrite);
  const temporary = local + copyingSuffix;
  const ticker = context.progress.track(source.shown, status.length);
  try {
    await withFileSlot(status.length, () => onPath(local, () => downloadInto(context.client, source.absolute, temporary, ticker)));
    await rename(temporary, local);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => {});
    throw error;
  } finally {
    ticker.finish();
  }
}

/** The file's bytes into a new local file; the file stream's memory is reused as each write completes. */
async function downloadInto(client: ShellClient, path: string, local: string, ticker: ProgressTicker): Promise<void> {
  const sink = createWriteStream(local, { highWaterMark: packetDataBytes });
  if (client.writeFileTo === undefined) {
    const input = await client.createReadStream(path);
    return pipeline(input, countingStream(ticker), sink);
  }
  let shown = 0;
  const onProgress = (bytes: number): void => {
    ticker.advance(bytes - shown);
    shown = bytes;
  };
  try {
    await client.writeFileTo(path, sink, { reuseBuffers: true, onProgress });
  } catch (error) {
    sink.destroy();
    throw error;
  }
  await finished(sink.end());
}

export async function downloadDirectory(context: TransferContext, source: ShellPath, status: FileStatus, localRoot: string): Promise<void> {
  const files: Array<{ path: ShellPath; status: FileStatus; local: string }> = [];
  for await (const entry of walkTree(context.client, source, status)) {
    const relative = entry.path.absolute.slice(source.absolute.length).replace(/^\/+/, '');
    const local = relative === '' ? localRoot : join(localRoot, relative);
    if (entry.status.type === 'directory') await onPath(local, () => mkdir(local, { recursive: true }));
    else files.push({ ...entry, local });
  }
  await copyEach(context, files, (file) => file.local, (file) => downloadFile(context, file.path, file.status, file.local));
}

// ---- inside tsdfs --------------------------------------------------------------------

export async function copyRemote(context: TransferContext, source: ShellPath, status: FileStatus, target: ShellPath): Promise<void> {
  if (status.type === 'file') {
    const { client } = context;
    const open = async (): Promise<Readable> => onPath(source.shown, async () => client.createReadStream(source.absolute));
    const readFile = client.readFile?.bind(client);
    const readWhole = readFile === undefined ? undefined : () => readFile(source.absolute);
    return writeRemoteFile(context, { open, ...(readWhole ? { readWhole } : {}), totalBytes: status.length, sizeKnown: true, freshChunks: false }, target);
  }
  if (isSameOrDescendant(source.absolute, target.absolute)) {
    throw new ShellError(`\`${source.shown}' to \`${target.shown}': is a subdirectory of itself`);
  }
  const files: Array<{ path: ShellPath; status: FileStatus; target: ShellPath }> = [];
  let created = false;
  for await (const entry of walkTree(context.client, source, status)) {
    const relative = entry.path.absolute.slice(source.absolute.length).replace(/^\/+/, '');
    const entryTarget = relative === '' ? target : descend(target, relative);
    if (entry.status.type !== 'directory') files.push({ ...entry, target: entryTarget });
    else if ((await makeRemoteDirectory(context.client, entryTarget)) && relative === '') created = true;
  }
  const fileContext = created ? { ...context, targetsNew: true } : context;
  await copyEach(fileContext, files, (file) => file.target.shown, (file) => copyRemote(fileContext, file.path, file.status, file.target));
}

/**
 * Copies every item with bounded concurrency; each failure is reported, the rest go on.
 * A failure names the file (`shown`) unless its message opens with a path: out of a thousand
 * files, "the datanode closed the connection" alone does not say which one to copy again.
 */
async function copyEach<T>(context: TransferContext, items: readonly T[], shown: (item: T) => string, copy: (item: T) => Promise<void>): Promise<void> {
  let failures = 0;
  await runConcurrently(items, directoryCopyConcurrency, async (item) => {
    try {
      await copy(item);
    } catch (error) {
      failures += 1;
      reportFailure(context.io, namingFile(error, shown(item)));
    }
  });
  if (failures > 0) throw new ReportedFailure(`${failures} file(s) failed`);
}

function namingFile(error: unknown, shown: string): unknown {
  if (error instanceof ReportedFailure) return error;
  const text = describeError(error, shown);
  // A message that opens with a path (`src': No such file...) already says which file.
  const named = new ShellError(/^`[^']*'/.test(text) ? text : `\`${shown}': ${text}`);
  named.cause = error;
  return named;
}

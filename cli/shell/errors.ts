// Turning failures into the one-line messages HDFS's shell prints:
//   ls: `/nope': No such file or directory
// Known codes get HDFS's wording with the path as the user typed it; anything else keeps
// the server's message. Stack traces only with TSDFS_DEBUG=1 (the runner decides).
import { DfsError, type ErrorCode } from '../../protocol/errors.js';

/** A failure whose message is already what the user should read. */
export class ShellError extends Error {
  override readonly name = 'ShellError';
}

/** HDFS shell wording for errors about one path. */
const pathMessageByCode: Partial<Record<ErrorCode, string>> = {
  FileNotFound: 'No such file or directory',
  FileAlreadyExists: 'File exists',
  PathIsDirectory: 'Is a directory',
  PathIsNotDirectory: 'Is not a directory',
  ParentNotDirectory: 'Is not a directory',
  PathIsNotEmptyDirectory: 'Directory is not empty',
};

/** Node's local file system errors, for put/get's local side. */
const pathMessageBySystemCode: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EEXIST: 'File exists',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Is not a directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOSPC: 'No space left on device',
};

export function pathError(path: string, text: string): ShellError {
  return new ShellError(`\`${path}': ${text}`);
}

/** The message to print after `<cmd>: ` for `error`, which happened on `path` if given. */
export function describeError(error: unknown, path?: string): string {
  if (error instanceof ShellError) return error.message;
  if (error instanceof DfsError) return describeDfsError(error, path);
  const connection = connectionFailure(error);
  if (connection) return connection;
  const systemCode = (error as NodeJS.ErrnoException | undefined)?.code;
  const localText = systemCode ? pathMessageBySystemCode[systemCode] : undefined;
  if (localText && path !== undefined) return `\`${path}': ${localText}`;
  return error instanceof Error ? error.message : String(error);
}

function describeDfsError(error: DfsError, path: string | undefined): string {
  const text = pathMessageByCode[error.code];
  if (text && path !== undefined) return `\`${path}': ${text}`;
  if (error.code === 'AccessDenied' && !/^permission denied/i.test(error.message)) return `Permission denied: ${error.message}`;
  if (error.code === 'Unavailable' && error.message.includes('ECONNREFUSED')) {
    return `${error.message} (is the cluster running? start one with: npx tsdfs cluster)`;
  }
  return error.message;
}

/** Finds ECONNREFUSED & co. anywhere in the cause chain (fetch wraps them in TypeError). */
function connectionFailure(error: unknown): string | undefined {
  for (let cause = error, depth = 0; cause && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ECONNRESET' || code === 'ETIMEDOUT') {
      const address = (cause as { address?: string; port?: number }).address;
      const port = (cause as { port?: number }).port;
      const where = address ? ` ${address}${port ? `:${port}` : ''}` : '';
      return `cannot reach the namenode${where} (${code}); is the cluster running? (tsdfs cluster, or -fs tsdfs://HOST:PORT)`;
    }
  }
  return undefined;
}

/** Whether `error` is a DfsError with `code`. */
export function hasCode(error: unknown, code: ErrorCode): boolean {
  return error instanceof DfsError && error.code === code;
}

/** A failure already printed (e.g. one file of a directory put); counts, prints nothing more. */
export class ReportedFailure extends Error {
  override readonly name = 'ReportedFailure';
}

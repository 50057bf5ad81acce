// Where each source of put/get/cp lands, HDFS style: inside <dst> when it is an existing
// directory, else at <dst> itself (one source only).
import type { FileStatus } from '../../../protocol/common.js';
import { pathError } from '../../shell/errors.js';
import { type ShellPath, childPath } from '../../shell/paths.js';

/** Checks that several sources go into a directory. */
export function checkManySourcesTarget(sourceCount: number, destination: ShellPath, status: FileStatus | null): void {
  if (sourceCount > 1 && status?.type !== 'directory') {
    throw pathError(destination.shown, status ? 'Is not a directory' : 'No such file or directory');
  }
}

export function remoteTarget(destination: ShellPath, status: FileStatus | null, sourceName: string): ShellPath {
  return status?.type === 'directory' ? childPath(destination, sourceName) : destination;
}

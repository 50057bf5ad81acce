// Where each source of put/get/cp lands, HDFS style: inside <dst> when it is an existing
// directory, else at <dst> itself (one source only).
import type { FileStatus } from '../../../protocol/common.js';
import { parentPath } from '../../../protocol/paths.js';
import type { ShellClient } from '../../shell/client.js';
import { pathError } from '../../shell/errors.js';
import { type ShellPath, childPath, statOrNull } from '../../shell/paths.js';

/**
 * A new <dst> needs an existing parent directory, as in HDFS (the namenode's `create`
 * would quietly make the parents).
 */
export async function checkNewTargetParent(client: ShellClient, destination: ShellPath, status: FileStatus | null): Promise<void> {
  if (status !== null) return;
  const parent = await statOrNull(client, parentPath(destination.absolute));
  if (parent === null) throw pathError(destination.shown, 'No such file or directory');
  if (parent.type !== 'directory') throw pathError(destination.shown, 'Is not a directory');
}

/** Checks that several sources go into a directory. */
export function checkManySourcesTarget(sourceCount: number, destination: ShellPath, status: FileStatus | null): void {
  if (sourceCount > 1 && status?.type !== 'directory') {
    throw pathError(destination.shown, status ? 'Is not a directory' : 'No such file or directory');
  }
}

export function remoteTarget(destination: ShellPath, status: FileStatus | null, sourceName: string): ShellPath {
  return status?.type === 'directory' ? childPath(destination, sourceName) : destination;
}

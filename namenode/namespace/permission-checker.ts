// HDFS's permission model as pure functions: an inode's owner, group and mode against a
// caller's user, groups and superuser status. No store, no clock: the namespace hands in
// the inodes it resolved and gets back nothing (allowed) or an AccessDenied DfsError with
// HDFS's wording, e.g.
//   Permission denied: user=bob, access=WRITE, inode="/user/alice":alice:supergroup:drwxr-xr-x
import { DfsError } from '../../protocol/errors.js';

/** HDFS's FsAction bits: READ 4, WRITE 2, EXECUTE 1 (combinations allowed). */
export const FsAction = {
  NONE: 0,
  EXECUTE: 1,
  WRITE: 2,
  WRITE_EXECUTE: 3,
  READ: 4,
  READ_EXECUTE: 5,
  READ_WRITE: 6,
  ALL: 7,
} as const;
export type FsAction = (typeof FsAction)[keyof typeof FsAction];

const actionNames = ['NONE', 'EXECUTE', 'WRITE', 'WRITE_EXECUTE', 'READ', 'READ_EXECUTE', 'READ_WRITE', 'ALL'] as const;

export function actionName(action: FsAction): string {
  return actionNames[action] ?? String(action);
}

export const stickyBit = 0o1000;

/** Who is asking: resolved once per request from the user name (groups from the OS). */
export interface CallerIdentity {
  user: string;
  groups: readonly string[];
  superuser: boolean;
}

/** What the checker needs of an inode, plus the path it was reached by (for messages). */
export interface InodeView {
  path: string;
  type: 'file' | 'directory';
  owner: string;
  group: string;
  mode: number;
}

/** `drwxr-xr-x`, `-rw-r--r--`, `drwxrwxrwt` (sticky and others-x), `drwxrwxrwT` (sticky only). */
export function symbolicMode(type: InodeView['type'], mode: number): string {
  const triple = (bits: number) => `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${bits & 1 ? 'x' : '-'}`;
  let others = triple(mode & 7);
  if (mode & stickyBit) others = others.slice(0, 2) + (mode & 1 ? 't' : 'T');
  return `${type === 'directory' ? 'd' : '-'}${triple((mode >> 6) & 7)}${triple((mode >> 3) & 7)}${others}`;
}

/** `"/user/alice":alice:supergroup:drwxr-xr-x`, as HDFS names an inode in denials. */
export function describeInode(inode: InodeView): string {
  return `"${inode.path}":${inode.owner}:${inode.group}:${symbolicMode(inode.type, inode.mode)}`;
}

/** The permission class that applies to the caller: owner bits, else group bits, else other bits. */
export function permittedActions(inode: InodeView, caller: CallerIdentity): number {
  if (inode.owner === caller.user) return (inode.mode >> 6) & 7;
  if (caller.groups.includes(inode.group)) return (inode.mode >> 3) & 7;
  return inode.mode & 7;
}

export function isAllowed(inode: InodeView, caller: CallerIdentity, access: FsAction): boolean {
  if (caller.superuser) return true;
  return (permittedActions(inode, caller) & access) === access;
}

export function checkAccess(inode: InodeView, caller: CallerIdentity, access: FsAction): void {
  if (isAllowed(inode, caller, access)) return;
  throw new DfsError('AccessDenied', `Permission denied: user=${caller.user}, access=${actionName(access)}, inode=${describeInode(inode)}`);
}

/** EXECUTE on a directory on the way to the target (HDFS's traverse check). */
export function checkTraverse(directory: InodeView, caller: CallerIdentity): void {
  checkAccess(directory, caller, FsAction.EXECUTE);
}

/**
 * In a sticky directory (/tmp, 1777) only the entry's owner, the directory's owner or a
 * superuser may delete or rename the entry; write permission on the directory is not enough.
 */
export function checkStickyBit(parent: InodeView, child: InodeView, caller: CallerIdentity): void {
  if (caller.superuser || (parent.mode & stickyBit) === 0) return;
  if (parent.owner === caller.user || child.owner === caller.user) return;
  throw new DfsError(
    'AccessDenied',
    `Permission denied by sticky bit: user=${caller.user}, path=${describeInode(child)}, parent=${describeInode(parent)}`,
  );
}

/** setPermission and setOwner: only the inode's owner or a superuser. */
export function checkOwner(inode: InodeView, caller: CallerIdentity): void {
  if (caller.superuser || inode.owner === caller.user) return;
  throw new DfsError('AccessDenied', `Permission denied. user=${caller.user} is not the owner of inode=${inode.path}`);
}

/**
 * setOwner's extra rules (HDFS): a non-superuser owner may not give the inode away, and may
 * change its group only to a group they belong to.
 */
export function checkOwnerChange(inode: InodeView, caller: CallerIdentity, owner: string | undefined, group: string | undefined): void {
  checkOwner(inode, caller);
  if (caller.superuser) return;
  if (owner !== undefined && owner !== inode.owner) {
    throw new DfsError('AccessDenied', `User ${caller.user} is not a super user (non-super user cannot change owner).`);
  }
  if (group !== undefined && group !== inode.group && !caller.groups.includes(group)) {
    throw new DfsError('AccessDenied', `User ${caller.user} does not belong to ${group}`);
  }
}

/** datanodeReport, setSafeMode enter/leave, refreshNodes, printTopology: superusers only. */
export function checkSuperuser(caller: CallerIdentity, what: string): void {
  if (caller.superuser) return;
  throw new DfsError('AccessDenied', `Access denied for user ${caller.user}. Superuser privilege is required (${what})`);
}

// Permission checks on paths, as HDFS's FSPermissionChecker.checkPermission does them:
// resolve the path's inodes, then check owner, traverse (EXECUTE on every ancestor),
// ancestor / parent / path access, the sticky bit and, for whole subtrees, sub-access.
// The decisions are the pure functions of permission-checker.ts; this file only reads
// inodes. `dfs.permissions.enabled=false` makes every caller pass, as in HDFS (owners are
// still recorded).
import type { Config } from '../../config/index.js';
import { joinPath, pathComponents } from '../../protocol/paths.js';
import type { NamenodeStore } from '../storage/namenode-store.js';
import type { InodeRecord } from '../storage/records.js';
import { childOf, rootInode } from './inode-paths.js';
import type { Caller } from './namespace-context.js';
import {
  type CallerIdentity,
  type FsAction,
  type InodeView,
  checkAccess,
  checkOwner,
  checkStickyBit,
  checkSuperuser,
  checkTraverse,
} from './permission-checker.js';
import type { GroupLookup } from './user-groups.js';

export interface PermissionSettings {
  enabled: boolean;
  /** The namenode's OS user: always a superuser. */
  superuser: string;
  /** `dfs.permissions.superusergroup`: its members are superusers. */
  superuserGroup: string;
  groupsOf: GroupLookup;
}

/** What one operation needs, in HDFS's terms. */
export interface PathAccess {
  /** The caller must own the last inode (setPermission, setOwner). */
  owner?: boolean;
  /** On the deepest existing ancestor (create / mkdirs of new entries). */
  ancestorAccess?: FsAction;
  /** On the parent directory, if it exists (delete, rename). */
  parentAccess?: FsAction;
  /** On the last inode, if it exists. */
  access?: FsAction;
  /** On every directory of the subtree under the last inode (recursive delete, summaries). */
  subAccess?: FsAction;
  /** Skip empty directories in the sub-access walk (HDFS does for delete). */
  ignoreEmptyDirectories?: boolean;
  /** Delete / rename: honour the parent's sticky bit. */
  sticky?: boolean;
}

/** An inode along a path with the path that reached it. */
export interface ResolvedInode {
  inode: InodeRecord;
  view: InodeView;
}

export function viewOf(inode: InodeRecord, path: string): InodeView {
  return { path, type: inode.type, owner: inode.owner, group: inode.group, mode: inode.mode };
}

export function permissionSettingsOf(config: Config, superuser: string, groupsOf: GroupLookup): PermissionSettings {
  return {
    enabled: config['dfs.permissions.enabled'],
    superuser,
    superuserGroup: config['dfs.permissions.superusergroup'],
    groupsOf,
  };
}

export class FsPermissions {
  constructor(
    private readonly store: NamenodeStore,
    readonly settings: PermissionSettings,
  ) {}

  /** The caller's groups and superuser status; with permissions off everyone passes. */
  identify(caller: Caller): CallerIdentity {
    const groups = this.settings.groupsOf(caller.user);
    const superuser = !this.settings.enabled || caller.user === this.settings.superuser || groups.includes(this.settings.superuserGroup);
    return { user: caller.user, groups, superuser };
  }

  requireSuperuser(caller: Caller, what: string): void {
    checkSuperuser(this.identify(caller), what);
  }

  /** Checks `wanted` for `caller` on the normalised `path`; throws AccessDenied. */
  check(caller: Caller | CallerIdentity, path: string, wanted: PathAccess = {}): void {
    const identity = 'groups' in caller ? caller : this.identify(caller);
    if (identity.superuser) return;
    const depth = pathComponents(path).length;
    const resolved = this.resolve(path);
    // resolved[i] is the inode of the path's first i components.
    const last = resolved.length === depth + 1 ? resolved[depth] : undefined;
    const ancestors = resolved.slice(0, depth);
    const parent = depth > 0 && ancestors.length === depth ? ancestors[depth - 1] : undefined;
    if (wanted.owner && last) checkOwner(last.view, identity);
    for (const { inode, view } of ancestors) if (inode.type === 'directory') checkTraverse(view, identity);
    const deepest = ancestors.at(-1);
    if (wanted.ancestorAccess !== undefined && deepest?.inode.type === 'directory') checkAccess(deepest.view, identity, wanted.ancestorAccess);
    if (wanted.parentAccess !== undefined && parent?.inode.type === 'directory') checkAccess(parent.view, identity, wanted.parentAccess);
    if (wanted.sticky && parent && last) checkStickyBit(parent.view, last.view, identity);
    if (wanted.access !== undefined && last) checkAccess(last.view, identity, wanted.access);
    if (wanted.subAccess !== undefined && last) this.checkSubtree(last, identity, wanted.subAccess, wanted.ignoreEmptyDirectories ?? false);
  }

  /**
   * The inodes from the root along `path`, stopping at the first missing component or at a
   * file with components after it (the operation itself reports those).
   */
  resolve(path: string): ResolvedInode[] {
    const root = rootInode(this.store);
    const resolved: ResolvedInode[] = [{ inode: root, view: viewOf(root, '/') }];
    let current = root;
    let walked = '/';
    for (const name of pathComponents(path)) {
      if (current.type !== 'directory') break;
      const child = childOf(this.store, current.id, name);
      if (child === undefined) break;
      walked = joinPath(walked, name);
      resolved.push({ inode: child, view: viewOf(child, walked) });
      current = child;
    }
    return resolved;
  }

  /** `access` on every directory below (and including) `top`; an explicit stack, read as it goes. */
  private checkSubtree(top: ResolvedInode, identity: CallerIdentity, access: FsAction, ignoreEmpty: boolean): void {
    const pending: ResolvedInode[] = [top];
    while (pending.length > 0) {
      const { inode, view } = pending.pop() as ResolvedInode;
      if (inode.type !== 'directory') continue;
      if (ignoreEmpty && inode.childrenNum === 0) continue;
      checkAccess(view, identity, access);
      for (const { value: childId } of this.store.children.getRange({ start: [inode.id, ''], end: [inode.id + 1, ''] })) {
        const child = this.store.inodes.get(childId);
        if (child?.type === 'directory') pending.push({ inode: child, view: viewOf(child, joinPath(view.path, child.name)) });
      }
    }
  }
}

// Path operations on the namespace that do not write file data: mkdirs, status, listing,
// delete, rename, replication/permission/owner changes, content summaries. Each mutation
// is one LMDB transaction, committed before it returns; in-memory state follows after.
import type { ContentSummary } from '../../protocol/client-namenode.js';
import type { FileStatus } from '../../protocol/common.js';
import { DfsError } from '../../protocol/errors.js';
import { listingPageEntries, maxPathComponentBytes } from '../../protocol/limits.js';
import { baseName, isSameOrDescendant, joinPath, normalizePath, parentPath, pathComponents } from '../../protocol/paths.js';
import type { InodeRecord } from '../storage/records.js';
import { fileStatusOf } from './file-status.js';
import { viewOf } from './fs-permissions.js';
import { childOf, lookupPath, requireInode, requireParentDirectory, rootInode } from './inode-paths.js';
import type { Caller, NamespaceContext } from './namespace-context.js';
import { FsAction, checkOwnerChange } from './permission-checker.js';
import { defaultDirectoryMode, newInodeMode, parsePermission, parseUmask } from './permission.js';
import { type DeletedSubtree, deleteSubtree, insertNewChild, linkChild, unlinkChild } from './tree-edits.js';

export class Namespace {
  constructor(private readonly context: NamespaceContext) {}

  private get store() {
    return this.context.store;
  }

  private get maxDirectoryItems(): number {
    return this.context.config['dfs.namenode.fs-limits.max-directory-items'];
  }

  private get permissions() {
    return this.context.permissions;
  }

  async mkdirs(rawPath: string, permission: string | undefined, createParent: boolean, caller: Caller): Promise<{ created: boolean }> {
    const path = normalizePath(rawPath);
    this.context.safeMode.checkWritable(`create directory ${path}`);
    const now = this.context.clock();
    checkComponentLengths(this.context, path);
    const identity = this.permissions.identify(caller);
    const created = await this.store.write(() => {
      // HDFS: an existing directory needs only traverse; a new one WRITE on its deepest existing
      // ancestor. A superuser passes every check, so the extra walk is skipped for one.
      if (!identity.superuser) this.permissions.check(identity, path, lookupPath(this.store, path) === undefined ? { ancestorAccess: FsAction.WRITE } : {});
      return this.mkdirsInTransaction(path, permission, createParent, caller, now);
    });
    return { created };
  }

  /** Creates the missing directories of `path`; true when at least the last one was new. */
  mkdirsInTransaction(path: string, permission: string | undefined, createParent: boolean, caller: Caller, now: number): boolean {
    return this.makeDirectories(path, permission, createParent, caller, now).created;
  }

  /** As mkdirsInTransaction, also returning the directory at `path` as it now stands in the transaction. */
  makeDirectories(path: string, permission: string | undefined, createParent: boolean, caller: Caller, now: number): { created: boolean; directory: InodeRecord } {
    const components = pathComponents(path);
    const umask = parseUmask(this.context.config['dfs.umaskmode']);
    // The path walked so far, built only for an error message.
    const walked = (index: number): string => `/${components.slice(0, index + 1).join('/')}`;
    let current = rootInode(this.store);
    let created = false;
    for (let index = 0; index < components.length; index++) {
      const name = components[index] as string;
      const isLast = index === components.length - 1;
      const existing = childOf(this.store, current.id, name);
      if (existing !== undefined) {
        if (existing.type !== 'directory') {
          if (isLast) throw new DfsError('FileAlreadyExists', `Path is not a directory: ${walked(index)}`);
          throw new DfsError('ParentNotDirectory', `Parent path is not a directory: ${walked(index)}`);
        }
        current = existing;
        continue;
      }
      if (!isLast && !createParent) throw new DfsError('FileNotFound', `Parent directory does not exist: ${walked(index)}`);
      const mode = newInodeMode(isLast ? permission : undefined, defaultDirectoryMode, umask);
      current = insertNewChild(this.store, current, name, { type: 'directory', owner: caller.user, group: current.group, mode, now }, this.maxDirectoryItems);
      created = isLast;
    }
    return { created, directory: current };
  }

  getFileInfo(rawPath: string, caller: Caller): { status: FileStatus | null } {
    const path = normalizePath(rawPath);
    this.permissions.check(caller, path);
    const inode = lookupPath(this.store, path);
    return { status: inode === undefined ? null : fileStatusOf(inode, path) };
  }

  /** One page of a directory, in name order after `startAfter`; a file lists itself. */
  listing(rawPath: string, startAfter: string | undefined, caller: Caller): { entries: FileStatus[]; remaining: number } {
    const path = normalizePath(rawPath);
    const inode = lookupPath(this.store, path);
    // HDFS: READ_EXECUTE to list a directory; a file lists itself after traverse.
    this.permissions.check(caller, path, inode?.type === 'directory' ? { access: FsAction.READ_EXECUTE } : {});
    if (inode === undefined) throw new DfsError('FileNotFound', `File does not exist: ${path}`);
    if (inode.type === 'file') return { entries: [fileStatusOf(inode, path)], remaining: 0 };
    const end: [number, string] = [inode.id + 1, ''];
    const range = this.store.children.getRange({ start: [inode.id, startAfter ?? ''], end, limit: listingPageEntries + 1 });
    const entries: FileStatus[] = [];
    for (const { key, value: childId } of range) {
      if (key[1] === startAfter) continue;
      if (entries.length === listingPageEntries) break;
      const child = this.store.inodes.get(childId);
      if (child) entries.push(fileStatusOf(child, joinPath(path, child.name)));
    }
    const last = entries.at(-1);
    const remaining =
      last === undefined || entries.length < listingPageEntries
        ? 0
        : this.store.children.getKeysCount({ start: [inode.id, baseName(last.path)], end }) - 1;
    return { entries, remaining: Math.max(0, remaining) };
  }

  async delete(rawPath: string, recursive: boolean, caller: Caller): Promise<{ deleted: boolean }> {
    const path = normalizePath(rawPath);
    if (path === '/') throw new DfsError('InvalidRequest', 'Cannot delete the root directory /');
    this.context.safeMode.checkWritable(`delete ${path}`);
    const now = this.context.clock();
    const freed = await this.store.write(() => {
      // WRITE on the parent, the sticky bit, and for a tree everything in it (HDFS's subAccess ALL).
      const subtree = recursive ? { subAccess: FsAction.ALL, ignoreEmptyDirectories: true } : {};
      this.permissions.check(caller, path, { parentAccess: FsAction.WRITE, sticky: true, ...subtree });
      const inode = lookupPath(this.store, path);
      if (inode === undefined) return undefined;
      if (inode.type === 'directory' && inode.childrenNum > 0 && !recursive) {
        throw new DfsError('PathIsNotEmptyDirectory', `${path} is non empty: it has ${inode.childrenNum} entries (use recursive delete)`);
      }
      return deleteSubtree(this.store, inode, now);
    });
    if (freed === undefined) return { deleted: false };
    this.afterDelete(freed);
    return { deleted: true };
  }

  /** After a commit that removed inodes: their replicas go, their leases end. */
  afterDelete(freed: DeletedSubtree): void {
    for (const blockId of freed.blockIds) this.context.blockManager.forgetBlock(blockId);
    for (const fileId of freed.openFileIds) this.context.leases.remove(fileId);
  }

  /** HDFS rename: into an existing directory, never over a file, never into its own subtree. */
  async rename(rawSrc: string, rawDst: string, caller: Caller): Promise<{ renamed: boolean; dst: string }> {
    const src = normalizePath(rawSrc);
    const dst = normalizePath(rawDst);
    if (src === '/') throw new DfsError('InvalidPath', 'Cannot rename the root directory /');
    this.context.safeMode.checkWritable(`rename ${src} to ${dst}`);
    const now = this.context.clock();
    const finalDst = await this.store.write(() => this.renameInTransaction(src, dst, caller, now));
    return { renamed: true, dst: finalDst };
  }

  /** Inside a transaction (rename, or complete with `renameTo`): the path the source ends up at. */
  renameInTransaction(src: string, dst: string, caller: Caller, now: number): string {
    // HDFS: WRITE on the source's parent (sticky bit honoured) and on the destination's.
    this.permissions.check(caller, src, { parentAccess: FsAction.WRITE, sticky: true });
    const inode = requireInode(this.store, src);
    const target = lookupPath(this.store, dst);
    const finalDst = target?.type === 'directory' ? joinPath(dst, baseName(src)) : dst;
    this.permissions.check(caller, finalDst, { ancestorAccess: FsAction.WRITE });
    checkComponentLengths(this.context, finalDst);
    if (finalDst === src) return src;
    if (isSameOrDescendant(src, finalDst)) {
      throw new DfsError('InvalidPath', `Cannot move ${src} into its own subtree ${finalDst}`);
    }
    // When the destination is not a directory, `target` already says what stands there.
    const existing = finalDst === dst ? target : lookupPath(this.store, finalDst);
    if (existing !== undefined) throw new DfsError('FileAlreadyExists', `Rename destination ${finalDst} already exists`);
    const newParent = requireParentDirectory(this.store, parentPath(finalDst));
    unlinkChild(this.store, inode, now);
    inode.name = baseName(finalDst);
    // Re-read: unlinking may have just changed this directory (a rename within one parent).
    const freshParent = this.store.inodes.get(newParent.id) ?? newParent;
    linkChild(this.store, freshParent, inode, now, this.maxDirectoryItems);
    this.moveLeasePaths(inode, src, finalDst);
    return finalDst;
  }

  /**
   * Lease records name their file's path; open files under the moved tree follow it. Records
   * are keyed by file id, so a moved file needs only its own; a directory scans them all.
   */
  private moveLeasePaths(moved: InodeRecord, src: string, dst: string): void {
    if (moved.type === 'file') {
      const lease = this.store.leases.get(moved.id);
      if (lease !== undefined && lease.path === src) this.store.leases.put(moved.id, { ...lease, path: dst });
      return;
    }
    for (const { key, value } of [...this.store.leases.getRange()]) {
      if (!isSameOrDescendant(src, value.path)) continue;
      this.store.leases.put(key, { ...value, path: dst + value.path.slice(src.length) });
    }
  }

  async setReplication(rawPath: string, replication: number, caller: Caller): Promise<{ changed: boolean }> {
    const path = normalizePath(rawPath);
    const minimum = this.context.config['dfs.namenode.replication.min'];
    if (replication < minimum) throw new DfsError('InvalidRequest', `Requested replication ${replication} is less than the required minimum ${minimum}`);
    this.context.safeMode.checkWritable(`set replication of ${path}`);
    const file = await this.store.write(() => {
      this.permissions.check(caller, path, { access: FsAction.WRITE });
      const inode = requireInode(this.store, path);
      if (inode.type !== 'file') return undefined;
      inode.replication = replication;
      this.store.inodes.put(inode.id, inode);
      return inode;
    });
    if (file === undefined) return { changed: false };
    for (const blockId of file.blockIds) this.context.blockManager.setExpectedReplication(blockId, replication);
    return { changed: true };
  }

  async setPermission(rawPath: string, permission: string, caller: Caller): Promise<Record<string, never>> {
    const path = normalizePath(rawPath);
    this.context.safeMode.checkWritable(`set permission of ${path}`);
    await this.updateInode(path, (inode) => {
      this.permissions.check(caller, path, { owner: true });
      inode.mode = parsePermission(permission);
    });
    return {};
  }

  async setOwner(rawPath: string, owner: string | undefined, group: string | undefined, caller: Caller): Promise<Record<string, never>> {
    const path = normalizePath(rawPath);
    if (owner === undefined && group === undefined) throw new DfsError('InvalidRequest', 'setOwner needs an owner, a group or both');
    this.context.safeMode.checkWritable(`set owner of ${path}`);
    const identity = this.permissions.identify(caller);
    await this.updateInode(path, (inode) => {
      this.permissions.check(identity, path);
      checkOwnerChange(viewOf(inode, path), identity, owner, group);
      if (owner !== undefined) inode.owner = owner;
      if (group !== undefined) inode.group = group;
    });
    return {};
  }

  private updateInode(path: string, change: (inode: InodeRecord) => void): Promise<void> {
    return this.store.write(() => {
      const inode = requireInode(this.store, path);
      change(inode);
      this.store.inodes.put(inode.id, inode);
    });
  }

  getContentSummary(rawPath: string, caller: Caller): ContentSummary {
    const path = normalizePath(rawPath);
    // HDFS: READ_EXECUTE on every directory of the subtree (superusers skip the extra walk).
    this.permissions.check(caller, path, { subAccess: FsAction.READ_EXECUTE });
    const summary: ContentSummary = { length: 0, fileCount: 0, directoryCount: 0, spaceConsumed: 0, quota: -1, spaceQuota: -1 };
    for (const { inode } of this.walk(requireInode(this.store, path), path)) {
      if (inode.type === 'directory') {
        summary.directoryCount++;
        continue;
      }
      summary.fileCount++;
      summary.length += inode.length;
      summary.spaceConsumed += inode.length * inode.replication;
    }
    return summary;
  }

  /** Every inode of a subtree with its path, depth first in name order, read from LMDB as it goes. */
  *walk(top: InodeRecord, topPath: string): Generator<{ inode: InodeRecord; path: string }> {
    const pending: Array<{ inode: InodeRecord; path: string }> = [{ inode: top, path: topPath }];
    while (pending.length > 0) {
      const entry = pending.pop() as { inode: InodeRecord; path: string };
      yield entry;
      if (entry.inode.type !== 'directory') continue;
      const range = this.store.children.getRange({ start: [entry.inode.id, ''], end: [entry.inode.id + 1, ''] });
      const children: Array<{ inode: InodeRecord; path: string }> = [];
      for (const { value: childId } of range) {
        const child = this.store.inodes.get(childId);
        if (child) children.push({ inode: child, path: joinPath(entry.path, child.name) });
      }
      // Reversed so that popping visits children in name order.
      pending.push(...children.reverse());
    }
  }
}

/**
 * HDFS's `dfs.namenode.fs-limits.max-component-length` for names being created (the wire
 * already refuses more than 255 bytes; the setting may lower it, 0 leaves the wire's).
 */
export function checkComponentLengths(context: NamespaceContext, path: string): void {
  const limit = context.config['dfs.namenode.fs-limits.max-component-length'] || maxPathComponentBytes;
  // No component is longer than the path: a path of at most a third of the limit needs no split.
  if (path.length * 3 <= limit) return;
  const names = pathComponents(path);
  for (const [index, name] of names.entries()) {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: only a name longer than a third of the limit needs counting.
    if (name.length * 3 <= limit) continue;
    const length = Buffer.byteLength(name, 'utf8');
    if (length > limit) {
      const parent = `/${names.slice(0, index).join('/')}`;
      throw new DfsError('LimitExceeded', `The maximum path component name limit of ${name.slice(0, 40)}${name.length > 40 ? '...' : ''} in directory ${parent} is exceeded: limit=${limit} length=${length}`);
    }
  }
}

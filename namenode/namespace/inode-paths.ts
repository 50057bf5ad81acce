// Walking paths through the children index. Reads go to LMDB (inside a write transaction
// they see its own writes); directories come from the store's small bounded cache when it
// holds them clean (storage/directory-cache.ts), files always from LMDB.
import { DfsError } from '../../protocol/errors.js';
import { joinPath, pathComponents } from '../../protocol/paths.js';
import type { NamenodeStore } from '../storage/namenode-store.js';
import { type InodeRecord, rootInodeId } from '../storage/records.js';

export function getInode(store: NamenodeStore, id: number): InodeRecord | undefined {
  return store.inodes.get(id);
}

export function childOf(store: NamenodeStore, parentId: number, name: string): InodeRecord | undefined {
  const cached = store.directories.child(parentId, name);
  if (cached !== undefined) return cached;
  const childId = store.children.get([parentId, name]);
  if (childId === undefined) return undefined;
  const child = store.inodes.get(childId);
  if (child !== undefined) store.directories.remember(parentId, name, child);
  return child;
}

/** The root is cached as the child '' of the non-existent inode 0 (its parentId and name). */
export function rootInode(store: NamenodeStore): InodeRecord {
  const cached = store.directories.child(0, '');
  if (cached !== undefined) return cached;
  const root = store.inodes.get(rootInodeId);
  if (root === undefined) throw new Error('root inode is missing from the namespace');
  store.directories.remember(0, '', root);
  return root;
}

/** The inode at `path`, or undefined when any component is missing or a file is in the way. */
export function lookupPath(store: NamenodeStore, path: string): InodeRecord | undefined {
  let current: InodeRecord | undefined = rootInode(store);
  for (const name of pathComponents(path)) {
    if (current.type !== 'directory') return undefined;
    current = childOf(store, current.id, name);
    if (current === undefined) return undefined;
  }
  return current;
}

export function requireInode(store: NamenodeStore, path: string): InodeRecord {
  const inode = lookupPath(store, path);
  if (inode === undefined) throw new DfsError('FileNotFound', `File does not exist: ${path}`);
  return inode;
}

export function requireFile(store: NamenodeStore, path: string): InodeRecord {
  const inode = requireInode(store, path);
  if (inode.type !== 'file') throw new DfsError('PathIsDirectory', `Path is a directory: ${path}`);
  return inode;
}

/**
 * The directory that should hold `path`'s last component. Throws FileNotFound when an
 * ancestor is missing and ParentNotDirectory when a file stands where a directory must.
 */
export function requireParentDirectory(store: NamenodeStore, parentPath: string): InodeRecord {
  let current = rootInode(store);
  let walked = '/';
  for (const name of pathComponents(parentPath)) {
    const child = childOf(store, current.id, name);
    walked = joinPath(walked, name);
    if (child === undefined) throw new DfsError('FileNotFound', `Parent directory does not exist: ${walked}`);
    if (child.type !== 'directory') throw new DfsError('ParentNotDirectory', `Parent path is not a directory: ${walked}`);
    current = child;
  }
  return current;
}

/** The path of an inode, rebuilt from parent links (used for files found by id). */
export function pathOfInode(store: NamenodeStore, inode: InodeRecord): string {
  const names: string[] = [];
  let current: InodeRecord | undefined = inode;
  while (current !== undefined && current.id !== rootInodeId) {
    names.push(current.name);
    current = store.inodes.get(current.parentId);
  }
  return `/${names.reverse().join('/')}`;
}

// Edits of the inode tree, each meant to run inside one `store.write()` transaction:
// linking and unlinking children with their parent's counters, and deleting subtrees.
import { DfsError } from '../../protocol/errors.js';
import type { NamenodeStore } from '../storage/namenode-store.js';
import type { InodeRecord } from '../storage/records.js';

export interface NewInodeFields {
  type: InodeRecord['type'];
  owner: string;
  group: string;
  mode: number;
  now: number;
  replication?: number;
  blockSize?: number;
}

/** Allocates an inode under `parent`, checking the directory-size limit. */
export function insertNewChild(store: NamenodeStore, parent: InodeRecord, name: string, fields: NewInodeFields, maxItems: number): InodeRecord {
  const inode: InodeRecord = {
    id: store.nextCounter('nextInodeId'),
    parentId: parent.id,
    name,
    type: fields.type,
    owner: fields.owner,
    group: fields.group,
    mode: fields.mode,
    mtime: fields.now,
    atime: fields.now,
    replication: fields.replication ?? 0,
    blockSize: fields.blockSize ?? 0,
    length: 0,
    state: fields.type === 'file' ? 'underConstruction' : 'complete',
    blockIds: [],
    childrenNum: 0,
  };
  linkChild(store, parent, inode, fields.now, maxItems);
  store.addToCounter(fields.type === 'file' ? 'fileCount' : 'directoryCount', 1);
  return inode;
}

/** Puts `inode` under `parent` (as `inode.name`) and bumps the parent's child count. */
export function linkChild(store: NamenodeStore, parent: InodeRecord, inode: InodeRecord, now: number, maxItems: number): void {
  if (parent.childrenNum >= maxItems) {
    throw new DfsError('LimitExceeded', `directory item limit of ${maxItems} exceeded in directory ${parent.name || '/'}`);
  }
  inode.parentId = parent.id;
  store.inodes.put(inode.id, inode);
  store.children.put([parent.id, inode.name], inode.id);
  parent.childrenNum += 1;
  parent.mtime = now;
  store.inodes.put(parent.id, parent);
}

/** Removes `inode`'s entry from its parent (re-read, since the caller may hold an old copy). */
export function unlinkChild(store: NamenodeStore, inode: InodeRecord, now: number): void {
  store.children.remove([inode.parentId, inode.name]);
  const parent = store.inodes.get(inode.parentId);
  if (parent === undefined) throw new Error(`inode ${inode.id} has no parent ${inode.parentId}`);
  parent.childrenNum = Math.max(0, parent.childrenNum - 1);
  parent.mtime = now;
  store.inodes.put(parent.id, parent);
}

/** What a deletion freed, for the after-commit bookkeeping (block map, lease table). */
export interface DeletedSubtree {
  blockIds: number[];
  openFileIds: number[];
}

/** Deletes `inode` and everything below it: inodes, children entries, blocks, leases. */
export function deleteSubtree(store: NamenodeStore, inode: InodeRecord, now: number): DeletedSubtree {
  unlinkChild(store, inode, now);
  const freed: DeletedSubtree = { blockIds: [], openFileIds: [] };
  // An explicit stack, not recursion: directory depth is bounded but need not cost stack.
  const pending: InodeRecord[] = [inode];
  while (pending.length > 0) {
    const current = pending.pop() as InodeRecord;
    if (current.type === 'directory') {
      for (const { key, value: childId } of childEntriesOf(store, current.id)) {
        const child = store.inodes.get(childId);
        if (child) pending.push(child);
        store.children.remove(key);
      }
    }
    deleteInodeRecords(store, current, freed);
  }
  return freed;
}

function childEntriesOf(store: NamenodeStore, directoryId: number): Array<{ key: [number, string]; value: number }> {
  return [...store.children.getRange({ start: [directoryId, ''], end: [directoryId + 1, ''] })];
}

function deleteInodeRecords(store: NamenodeStore, inode: InodeRecord, freed: DeletedSubtree): void {
  for (const blockId of inode.blockIds) {
    store.blocks.remove(blockId);
    freed.blockIds.push(blockId);
  }
  if (inode.state === 'underConstruction') {
    store.leases.remove(inode.id);
    freed.openFileIds.push(inode.id);
  }
  store.inodes.remove(inode.id);
  store.addToCounter(inode.type === 'file' ? 'fileCount' : 'directoryCount', -1);
}

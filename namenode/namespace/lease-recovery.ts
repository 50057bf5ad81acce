// Lease recovery: closing a file whose writer went away (soft-limit takeover by another
// create, an explicit recoverLease, or the hard-limit monitor). Every block keeps the
// length its reported replicas have; a last block no replica reported is dropped.
import type { InodeRecord } from '../storage/records.js';
import type { NamespaceContext } from './namespace-context.js';

export interface RecoveredFile {
  fileId: number;
  changedBlockIds: number[];
}

/** Inside `write()`: closes `inode` (an open file) and removes its lease record. */
export function closeAbandonedFile(context: NamespaceContext, inode: InodeRecord, now: number): RecoveredFile {
  const { store, blockManager } = context;
  const kept: number[] = [];
  let length = 0;
  for (const blockId of inode.blockIds) {
    const record = store.blocks.get(blockId);
    if (record === undefined) continue;
    if (record.state === 'underConstruction') {
      const lengths = blockManager.reportedLengths(blockId, now);
      if (lengths.length === 0) {
        store.blocks.remove(blockId);
        continue;
      }
      // Replicas agree unless a pipeline died mid-packet; the shortest is on every node.
      record.length = Math.min(...lengths);
    }
    record.state = 'complete';
    store.blocks.put(blockId, record);
    kept.push(blockId);
    length += record.length;
  }
  const changedBlockIds = [...inode.blockIds];
  inode.blockIds = kept;
  inode.length = length;
  inode.state = 'complete';
  inode.mtime = now;
  store.inodes.put(inode.id, inode);
  store.leases.remove(inode.id);
  return { fileId: inode.id, changedBlockIds };
}

/** After the commit: the block map mirrors the new records and the lease is gone. */
export function afterRecovery(context: NamespaceContext, recovered: RecoveredFile): void {
  for (const blockId of recovered.changedBlockIds) context.blockManager.refreshBlock(context.store, blockId);
  context.leases.remove(recovered.fileId);
}

/** Closes the open file `fileId` in its own transaction; false if it was not open. */
export async function recoverFile(context: NamespaceContext, fileId: number): Promise<boolean> {
  const now = context.clock();
  const recovered = await context.store.write(() => {
    const inode = context.store.inodes.get(fileId);
    if (inode === undefined || inode.state !== 'underConstruction') return undefined;
    return closeAbandonedFile(context, inode, now);
  });
  if (recovered === undefined) {
    context.leases.remove(fileId);
    return false;
  }
  afterRecovery(context, recovered);
  return true;
}

/** The hard-limit monitor's tick: closes every file whose writer stopped renewing long ago. */
export async function recoverExpiredLeases(context: NamespaceContext, hardLimitMs: number, softLimitMs: number): Promise<number[]> {
  const expired = context.leases.filesPastHardLimit(context.clock(), { hardLimitMs, softLimitMs });
  const closed: number[] = [];
  for (const fileId of expired) {
    if (await recoverFile(context, fileId)) closed.push(fileId);
  }
  return closed;
}

// Checks and edits shared by every call on a file being written: is it open, does this
// client hold its lease, and committing a block's final length. All run inside `write()`.
import type { ExtendedBlock } from '../../protocol/common.js';
import { DfsError } from '../../protocol/errors.js';
import { checkWriterLease } from '../leases/lease-core.js';
import type { BlockRecord, InodeRecord } from '../storage/records.js';
import type { NamespaceContext } from './namespace-context.js';

/** The open file `fileId`, if `clientName` holds its lease; otherwise the error HDFS gives. */
export function requireOpenFile(context: NamespaceContext, fileId: number, path: string, clientName: string): InodeRecord {
  const inode = context.store.inodes.get(fileId);
  if (inode === undefined || inode.type !== 'file') throw new DfsError('FileNotFound', `File does not exist: ${path} (inode ${fileId})`);
  if (inode.state !== 'underConstruction') {
    throw new DfsError('LeaseExpired', `No lease on ${path}: the file is closed (client ${clientName})`);
  }
  const check = checkWriterLease(context.leases.holderOf(fileId), clientName, path);
  if (!check.ok) throw new DfsError(check.code, check.message);
  return inode;
}

export function requireBlockRecord(context: NamespaceContext, blockId: number): BlockRecord {
  const record = context.store.blocks.get(blockId);
  if (record === undefined) throw new DfsError('UnknownBlock', `Block ${blockId} does not exist`);
  return record;
}

/**
 * The client names the block it just finished (with its final length): that must be the
 * file's last block at its current generation stamp. Commits the length once; a retry
 * with the same length is accepted. Returns the id of the block committed now, if any.
 */
export function commitLastBlock(context: NamespaceContext, inode: InodeRecord, path: string, finished: ExtendedBlock | null): number | undefined {
  const lastId = inode.blockIds.at(-1);
  if (finished === null) {
    if (lastId !== undefined && context.store.blocks.get(lastId)?.state === 'underConstruction') {
      throw new DfsError('InvalidRequest', `${path}: the last block ${lastId} is still being written; name it as previous/last`);
    }
    return undefined;
  }
  if (finished.id !== lastId) throw new DfsError('InvalidRequest', `Block ${finished.id} is not the last block of ${path}`);
  const record = requireBlockRecord(context, lastId);
  if (record.genStamp !== finished.genStamp) {
    throw new DfsError('StaleGenerationStamp', `Block ${finished.id} of ${path} has generation stamp ${record.genStamp}, not ${finished.genStamp}`);
  }
  if (record.state !== 'underConstruction') {
    if (record.length !== finished.length) throw new DfsError('InvalidRequest', `Block ${finished.id} was committed with length ${record.length}, not ${finished.length}`);
    return undefined;
  }
  record.length = finished.length;
  record.state = 'committed';
  context.store.blocks.put(record.id, record);
  inode.length += finished.length;
  return record.id;
}

/** A block's offset in its file: the lengths of the blocks before it. */
export function offsetOfBlock(context: NamespaceContext, inode: InodeRecord, blockId: number): number {
  let offset = 0;
  for (const id of inode.blockIds) {
    if (id === blockId) return offset;
    offset += context.store.blocks.get(id)?.length ?? 0;
  }
  throw new DfsError('InvalidRequest', `Block ${blockId} does not belong to file ${inode.id}`);
}

// getBlockLocations: the blocks of a file overlapping a byte range, each with the replicas
// a reader should try (the reader's own datanode first, then live, stale last; dead and
// corrupt left out), as HDFS sorts locations by network distance from the reader.
import type { RpcResponse } from '../../protocol/client-namenode.js';
import type { LocatedBlock } from '../../protocol/common.js';
import { normalizePath } from '../../protocol/paths.js';
import { requireFile } from './inode-paths.js';
import type { Caller, NamespaceContext } from './namespace-context.js';
import { FsAction } from './permission-checker.js';

export function getBlockLocations(
  context: NamespaceContext,
  rawPath: string,
  offset: number,
  length: number,
  caller: Caller,
): RpcResponse<'getBlockLocations'> {
  const path = normalizePath(rawPath);
  context.permissions.check(caller, path, { access: FsAction.READ });
  const file = requireFile(context.store, path);
  const underConstruction = file.state === 'underConstruction';
  const now = context.clock();
  const end = offset + length;
  const blocks: LocatedBlock[] = [];
  let blockStart = 0;
  for (const blockId of file.blockIds) {
    const record = context.store.blocks.get(blockId);
    // A block still being written has no length yet: readers see committed blocks only.
    if (record === undefined || record.state === 'underConstruction') break;
    const blockEnd = blockStart + record.length;
    if (blockEnd > offset && blockStart < end) {
      const { locations, corrupt } = context.blockManager.locate(blockId, now, caller.host);
      // Of a file being written, a reader sees the committed blocks that have a replica.
      if (underConstruction && locations.length === 0) break;
      blocks.push({ block: { id: blockId, genStamp: record.genStamp, length: record.length }, offset: blockStart, locations, corrupt, token: '' });
    }
    blockStart = blockEnd;
  }
  return { fileLength: file.length, underConstruction, blocks };
}

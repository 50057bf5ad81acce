// Reads a byte range of a file: block locations are fetched a window at a time, so a huge
// file never needs its whole block list in memory, and each block is read with failover.
// The first getBlockLocations also gives the file's length (and refuses a missing file or
// a directory), so a read costs one namenode round trip, not two: that counts when many
// small files are fetched.
import type { LocatedBlock } from '../../protocol/common.js';
import { DfsError } from '../../protocol/errors.js';
import type { ClientContext } from '../client-context.js';
import { readBlockRange } from './block-reader.js';
import { clampRange, planBlockRanges } from './read-plan.js';

/** Blocks whose locations one getBlockLocations call fetches (HDFS: 10 × the block size). */
export const locationWindowBlocks = 10;
/** Block size assumed for the first window, before a reply shows the file's own (dfs.blocksize's default). */
export const assumedBlockSizeBytes = 128 * 1024 * 1024;

export interface ReadOptions {
  start?: number;
  /** Exclusive. */
  end?: number;
  /** Called with the total bytes delivered so far. */
  onProgress?: (bytes: number) => void;
  /** The consumer hands every yielded list to `releaseReadParts` once done with it (read-slabs.ts). */
  recycle?: boolean;
}

/** The file's bytes in order, a packet's worth (a list of buffers) at a time. */
export async function* readFileRange(context: ClientContext, path: string, options: ReadOptions = {}): AsyncGenerator<Buffer[]> {
  let blockSize = assumedBlockSizeBytes;
  let { start, end } = clampRange(Number.MAX_SAFE_INTEGER, options.start, options.end);
  let position = start;
  let delivered = 0;
  let first = true;
  while (first || position < end) {
    const window = locationWindowBlocks * blockSize;
    const located = await context.rpc.call('getBlockLocations', { path, offset: position, length: Math.min(window, end - position) });
    if (first) {
      ({ start, end } = clampRange(located.fileLength, options.start, options.end));
      position = start;
      first = false;
      if (position >= end) return;
    }
    blockSize = Math.max(1, ...located.blocks.map((block: LocatedBlock) => block.block.length));
    const ranges = planBlockRanges(located.blocks, position, end);
    const firstRange = ranges[0];
    if (firstRange === undefined || firstRange.located.offset + firstRange.start !== position) {
      throw new DfsError('Unavailable', `Could not obtain the block of ${path} at offset ${position}: the namenode lists none (missing block)`);
    }
    for (const range of ranges) {
      if (range.located.offset + range.start !== position) break;
      for await (const parts of readBlockRange(context, path, range, options.recycle === true)) {
        for (const part of parts) delivered += part.length;
        options.onProgress?.(delivered);
        yield parts;
      }
      position = range.located.offset + range.end;
    }
  }
}

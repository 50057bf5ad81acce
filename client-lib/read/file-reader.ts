// Reads a byte range of a file: block locations are fetched a window at a time, so a huge
// file never needs its whole block list in memory, and each block is read with failover.
import { DfsError } from '../../protocol/errors.js';
import type { ClientContext } from '../client-context.js';
import { readBlockRange } from './block-reader.js';
import { clampRange, planBlockRanges } from './read-plan.js';

/** Blocks whose locations one getBlockLocations call fetches. */
export const locationWindowBlocks = 10;

export interface ReadOptions {
  start?: number;
  /** Exclusive. */
  end?: number;
  /** Called with the total bytes delivered so far. */
  onProgress?: (bytes: number) => void;
}

/** The file's bytes in order, a packet's worth (a list of buffers) at a time. */
export async function* readFileRange(context: ClientContext, path: string, options: ReadOptions = {}): AsyncGenerator<Buffer[]> {
  const { status } = await context.rpc.call('getFileInfo', { path });
  if (status === null) throw new DfsError('FileNotFound', `File does not exist: ${path}`);
  if (status.type === 'directory') throw new DfsError('PathIsDirectory', `${path} is a directory`);
  const { start, end } = clampRange(status.length, options.start, options.end);
  const windowBytes = locationWindowBlocks * Math.max(status.blockSize, 1);
  let position = start;
  let delivered = 0;
  while (position < end) {
    const { blocks } = await context.rpc.call('getBlockLocations', { path, offset: position, length: Math.min(windowBytes, end - position) });
    const ranges = planBlockRanges(blocks, position, end);
    const first = ranges[0];
    if (first === undefined || first.located.offset + first.start !== position) {
      throw new DfsError('Unavailable', `Could not obtain the block of ${path} at offset ${position}: the namenode lists none (missing block)`);
    }
    for (const range of ranges) {
      if (range.located.offset + range.start !== position) break;
      for await (const parts of readBlockRange(context, path, range)) {
        for (const part of parts) delivered += part.length;
        options.onProgress?.(delivered);
        yield parts;
      }
      position = range.located.offset + range.end;
    }
  }
}

// Range arithmetic of a read: which part of which block serves a byte range of the file,
// and which part of a packet falls inside the range asked for.
import type { LocatedBlock } from '../../protocol/common.js';
import { DfsError } from '../../protocol/errors.js';

export interface BlockRange {
  located: LocatedBlock;
  /** First byte wanted, relative to the block. */
  start: number;
  /** One past the last byte wanted, relative to the block. */
  end: number;
}

/** Clamps a requested `[start, end)` to the file; a start past the end reads nothing. */
export function clampRange(fileLength: number, start = 0, end = fileLength): { start: number; end: number } {
  if (!Number.isSafeInteger(start) || start < 0) throw new DfsError('InvalidRequest', `bad read start ${start}`);
  if (!Number.isSafeInteger(end) || end < 0) throw new DfsError('InvalidRequest', `bad read end ${end}`);
  const clampedEnd = Math.min(end, fileLength);
  return { start: Math.min(start, clampedEnd), end: clampedEnd };
}

/** The parts of `blocks` (sorted by offset) that cover file bytes `[start, end)`. */
export function planBlockRanges(blocks: readonly LocatedBlock[], start: number, end: number): BlockRange[] {
  const ranges: BlockRange[] = [];
  for (const located of blocks) {
    const blockEnd = located.offset + located.block.length;
    if (blockEnd <= start || located.offset >= end) continue;
    ranges.push({
      located,
      start: Math.max(start, located.offset) - located.offset,
      end: Math.min(end, blockEnd) - located.offset,
    });
  }
  return ranges;
}

/**
 * The bytes of a packet holding block bytes `[packetOffset, packetOffset + data.length)`
 * that fall in the wanted `[start, end)`; an empty buffer when none do.
 */
export function trimToRange(data: Buffer, packetOffset: number, start: number, end: number): Buffer {
  const from = Math.max(start, packetOffset) - packetOffset;
  const to = Math.min(end, packetOffset + data.length) - packetOffset;
  return to > from ? data.subarray(from, to) : data.subarray(0, 0);
}

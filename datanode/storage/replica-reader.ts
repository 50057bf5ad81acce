// Reads a finalized replica chunk by chunk and verifies every chunk against its meta
// file before handing it out, so a corrupt byte is found here and never sent.
import { type FileHandle, open } from 'node:fs/promises';
import { checksumBytes, chunkCount, findChecksumMismatch } from '../../protocol/checksum.js';
import { DfsError } from '../../protocol/errors.js';
import { decodeMetaHeader, metaHeaderBytes, metaOffsetOfChunk } from './meta-file.js';

export type ChunkReadResult =
  | { ok: true; data: Buffer; checksums: Buffer }
  | { ok: false; /** Index in the block of the first chunk that failed. */ corruptChunk: number };

export class ReplicaReader {
  private constructor(
    readonly blockId: number,
    readonly genStamp: number,
    readonly length: number,
    readonly bytesPerChecksum: number,
    private readonly blockHandle: FileHandle,
    private readonly metaHandle: FileHandle,
  ) {}

  /** Opens both files; a damaged meta header is a checksum error of the whole replica. */
  static async open(blockId: number, genStamp: number, length: number, blockPath: string, metaPath: string): Promise<ReplicaReader> {
    const blockHandle = await open(blockPath, 'r');
    let metaHandle: FileHandle | undefined;
    try {
      metaHandle = await open(metaPath, 'r');
      const header = Buffer.alloc(metaHeaderBytes);
      const { bytesRead } = await metaHandle.read(header, 0, metaHeaderBytes, 0);
      const bytesPerChecksum = bytesRead === metaHeaderBytes ? decodeMetaHeader(header) : null;
      if (bytesPerChecksum === null) throw new DfsError('ChecksumMismatch', `meta file of block ${blockId} is damaged`);
      return new ReplicaReader(blockId, genStamp, length, bytesPerChecksum, blockHandle, metaHandle);
    } catch (error) {
      await Promise.allSettled([blockHandle.close(), metaHandle?.close()]);
      throw error;
    }
  }

  /**
   * Reads and verifies [start, end); `start` must be chunk-aligned and `end` ≤ the length.
   * The data goes into `into` when given (at least `end - start` bytes; a pooled buffer),
   * else into a fresh buffer.
   */
  async read(start: number, end: number, into?: Buffer): Promise<ChunkReadResult> {
    if (start % this.bytesPerChecksum !== 0 || end < start || end > this.length) {
      throw new RangeError(`bad chunk range [${start}, ${end}) of a ${this.length}-byte replica`);
    }
    if (into !== undefined && into.length < end - start) throw new RangeError(`a ${into.length}-byte buffer cannot take [${start}, ${end})`);
    const firstChunk = start / this.bytesPerChecksum;
    const data = into === undefined ? Buffer.allocUnsafe(end - start) : into.subarray(0, end - start);
    const checksums = Buffer.allocUnsafe(chunkCount(data.length, this.bytesPerChecksum) * checksumBytes);
    // Data and checksums from their two files at once.
    const [dataRead, checksumsRead] = await Promise.all([
      readFully(this.blockHandle, data, start),
      readFully(this.metaHandle, checksums, metaOffsetOfChunk(firstChunk)),
    ]);
    if (dataRead < data.length) return { ok: false, corruptChunk: firstChunk + Math.floor(dataRead / this.bytesPerChecksum) };
    const mismatch = findChecksumMismatch(data, checksums.subarray(0, checksumsRead), this.bytesPerChecksum);
    if (mismatch >= 0) return { ok: false, corruptChunk: firstChunk + mismatch };
    return { ok: true, data, checksums };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.blockHandle.close(), this.metaHandle.close()]);
  }
}

/** Reads until `buffer` is full or the file ends; returns the bytes read. */
async function readFully(handle: FileHandle, buffer: Buffer, position: number): Promise<number> {
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

// The checksum of the wire and of the disk: CRC32C (Castagnoli) per `bytesPerChecksum`
// chunk, each stored as 4 bytes big-endian. Writer, every datanode and reader use these.
import { crc32c } from '@node-rs/crc32';

export const checksumBytes = 4;

export function chunkCount(dataBytes: number, bytesPerChecksum: number): number {
  return Math.ceil(dataBytes / bytesPerChecksum);
}

/** Checksums of `data`, chunk by chunk; the last chunk may be short. */
export function computeChunkChecksums(data: Buffer, bytesPerChecksum: number): Buffer {
  const count = chunkCount(data.length, bytesPerChecksum);
  const out = Buffer.allocUnsafe(count * checksumBytes);
  for (let chunk = 0; chunk < count; chunk++) {
    const start = chunk * bytesPerChecksum;
    const end = Math.min(start + bytesPerChecksum, data.length);
    out.writeUInt32BE(crc32c(data.subarray(start, end)) >>> 0, chunk * checksumBytes);
  }
  return out;
}

/**
 * Verifies `data` against `checksums`; returns the index of the first bad chunk, or -1.
 * Never throws on a mismatch: a bad replica is an expected operating error.
 */
export function findChecksumMismatch(data: Buffer, checksums: Buffer, bytesPerChecksum: number): number {
  const count = chunkCount(data.length, bytesPerChecksum);
  if (checksums.length < count * checksumBytes) return Math.floor(checksums.length / checksumBytes);
  for (let chunk = 0; chunk < count; chunk++) {
    const start = chunk * bytesPerChecksum;
    const end = Math.min(start + bytesPerChecksum, data.length);
    const expected = checksums.readUInt32BE(chunk * checksumBytes);
    if ((crc32c(data.subarray(start, end)) >>> 0) !== expected) return chunk;
  }
  return -1;
}

/** CRC32C of a whole byte string, continuing from `initial` (for file checksums). */
export function crc32cOf(data: Buffer, initial = 0): number {
  return crc32c(data, initial) >>> 0;
}

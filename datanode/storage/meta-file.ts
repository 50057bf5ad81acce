// The checksum ("meta") file kept beside every block: a 7-byte header naming the checksum,
// then 4 bytes of CRC32C per chunk, so a replica can be verified with nothing else at hand.
import { checksumBytes, chunkCount } from '../../protocol/checksum.js';

export const metaHeaderBytes = 7;
export const metaFormatVersion = 1;
/** HDFS's DataChecksum type id for CRC32C. */
export const checksumTypeCrc32c = 2;
/** Largest chunk the wire protocol allows; a header claiming more is damaged. */
const maxBytesPerChecksum = 1024 * 1024;

/** Header layout: version u16 | checksum type u8 | bytes per checksum u32, all big-endian. */
export function encodeMetaHeader(bytesPerChecksum: number): Buffer {
  const header = Buffer.alloc(metaHeaderBytes);
  header.writeUInt16BE(metaFormatVersion, 0);
  header.writeUInt8(checksumTypeCrc32c, 2);
  header.writeUInt32BE(bytesPerChecksum, 3);
  return header;
}

/** The header's bytes per checksum, or null when the header is not one we wrote. */
export function decodeMetaHeader(header: Buffer): number | null {
  if (header.length < metaHeaderBytes) return null;
  if (header.readUInt16BE(0) !== metaFormatVersion || header.readUInt8(2) !== checksumTypeCrc32c) return null;
  const bytesPerChecksum = header.readUInt32BE(3);
  return bytesPerChecksum >= 1 && bytesPerChecksum <= maxBytesPerChecksum ? bytesPerChecksum : null;
}

/** Where the checksum of chunk `chunk` lives in the meta file. */
export function metaOffsetOfChunk(chunk: number): number {
  return metaHeaderBytes + chunk * checksumBytes;
}

/** Length the meta file has for a block of `dataBytes`. */
export function metaFileLength(dataBytes: number, bytesPerChecksum: number): number {
  return metaOffsetOfChunk(chunkCount(dataBytes, bytesPerChecksum));
}

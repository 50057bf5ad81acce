// The checksum of the wire and of the disk: CRC32C (Castagnoli) per `bytesPerChecksum`
// chunk, each stored as 4 bytes big-endian. Writer, every datanode and reader use these.
//
// Speed matters here: every byte is checksummed once by the writer and verified on every
// hop and every read. One native call per 512-byte chunk costs more in call overhead and
// in the views it allocates (garbage on the hot path) than the CRC itself, so verification
// takes one CRC of the whole buffer and compares it with the CRCs of the chunks combined
// (CRC linearity, as zlib's crc32_combine). For corruption inside one chunk this is exactly
// as strong as checking that chunk alone (the combined error is the chunk's error times a
// power of x, which shares no factor with the polynomial); only when the fast check fails
// are the chunks checked one by one to name the first bad one.
import { crc32c } from '@node-rs/crc32';

export const checksumBytes = 4;

/** CRC32C's polynomial, bit-reflected. */
const polynomial = 0x82f63b78;

export function chunkCount(dataBytes: number, bytesPerChecksum: number): number {
  return Math.ceil(dataBytes / bytesPerChecksum);
}

/**
 * Checksums of `data`, chunk by chunk; the last chunk may be short. The writer's hot loop:
 * one native call per chunk, so what surrounds the call matters. A plain Uint8Array view is
 * cheaper to make than Buffer#subarray (no FastBuffer construction) and the native side
 * reads either the same way; a DataView stores the result without writeUInt32BE's range
 * checks (microbenchmark, 1 MiB in 512-byte chunks: 0.64 -> 0.53 ms).
 */
export function computeChunkChecksums(data: Buffer, bytesPerChecksum: number): Buffer {
  const count = chunkCount(data.length, bytesPerChecksum);
  const out = Buffer.allocUnsafe(count * checksumBytes);
  const view = new DataView(out.buffer, out.byteOffset, out.length);
  for (let chunk = 0; chunk < count; chunk++) {
    const start = chunk * bytesPerChecksum;
    const length = Math.min(bytesPerChecksum, data.length - start);
    view.setUint32(chunk * checksumBytes, crc32c(chunkView(data, start, length)) >>> 0);
  }
  return out;
}

/** `data[start, start + length)` as a bare view for the native CRC (it takes any Uint8Array). */
function chunkView(data: Buffer, start: number, length: number): Buffer {
  return new Uint8Array(data.buffer, data.byteOffset + start, length) as Buffer;
}

/**
 * Verifies `data` against `checksums`; returns the index of the first bad chunk, or -1.
 * Never throws on a mismatch: a bad replica is an expected operating error.
 */
export function findChecksumMismatch(data: Buffer, checksums: Buffer, bytesPerChecksum: number): number {
  const count = chunkCount(data.length, bytesPerChecksum);
  if (checksums.length < count * checksumBytes) return Math.floor(checksums.length / checksumBytes);
  if (count === 0 || combinedChunkChecksums(data.length, checksums, bytesPerChecksum) === crc32c(data) >>> 0) return -1;
  return findChecksumMismatchChunkByChunk(data, checksums, bytesPerChecksum);
}

function findChecksumMismatchChunkByChunk(data: Buffer, checksums: Buffer, bytesPerChecksum: number): number {
  const count = chunkCount(data.length, bytesPerChecksum);
  for (let chunk = 0; chunk < count; chunk++) {
    const start = chunk * bytesPerChecksum;
    const expected = checksums.readUInt32BE(chunk * checksumBytes);
    if ((crc32c(chunkView(data, start, Math.min(bytesPerChecksum, data.length - start))) >>> 0) !== expected) return chunk;
  }
  return -1;
}

/** CRC32C of a whole byte string, continuing from `initial` (for file checksums). */
export function crc32cOf(data: Buffer, initial = 0): number {
  return crc32c(data, initial) >>> 0;
}

// ---- combining chunk CRCs (zlib's crc32_combine, for CRC32C) ----

/** CRC of all `dataBytes` bytes, from the stored CRCs of their chunks. */
function combinedChunkChecksums(dataBytes: number, checksums: Buffer, bytesPerChecksum: number): number {
  const count = chunkCount(dataBytes, bytesPerChecksum);
  const fullChunks = dataBytes % bytesPerChecksum === 0 ? count : count - 1;
  const shift = shiftTable(bytesPerChecksum);
  let combined = checksums.readUInt32BE(0);
  for (let chunk = 1; chunk < fullChunks; chunk++) {
    combined = applyShift(shift, combined) ^ checksums.readUInt32BE(chunk * checksumBytes);
  }
  if (fullChunks < count && count > 1) {
    const tail = dataBytes - fullChunks * bytesPerChecksum;
    combined = multiplyModP(powerOfXModP(tail * 8), combined) ^ checksums.readUInt32BE(fullChunks * checksumBytes);
  }
  return combined >>> 0;
}

/** Products mod P, reflected bit order (zlib's multmodp). */
function multiplyModP(a: number, b: number): number {
  let product = 0;
  for (let mask = 0x80000000; mask !== 0; mask >>>= 1) {
    if ((a & mask) !== 0) product ^= b;
    b = (b & 1) !== 0 ? (b >>> 1) ^ polynomial : b >>> 1;
  }
  return product >>> 0;
}

/** x^bits mod P, by squaring. */
function powerOfXModP(bits: number): number {
  let result = 0x80000000; // x^0
  let square = 0x40000000; // x^1
  for (let rest = bits; rest > 0; rest = Math.floor(rest / 2)) {
    if (rest % 2 === 1) result = multiplyModP(square, result);
    square = multiplyModP(square, square);
  }
  return result;
}

/** Chunk sizes whose shift table is kept; in practice one or two are ever used. */
const maxShiftTables = 8;
const shiftTables = new Map<number, Int32Array>();

/** Byte tables of "multiply by x^(8·bytes) mod P", a linear map, so 4 lookups apply it. */
function shiftTable(bytes: number): Int32Array {
  let table = shiftTables.get(bytes);
  if (table) return table;
  const operator = powerOfXModP(bytes * 8);
  table = new Int32Array(4 * 256);
  for (let lane = 0; lane < 4; lane++) {
    for (let value = 0; value < 256; value++) table[lane * 256 + value] = multiplyModP(operator, (value << (lane * 8)) >>> 0);
  }
  if (shiftTables.size >= maxShiftTables) shiftTables.clear();
  shiftTables.set(bytes, table);
  return table;
}

function applyShift(table: Int32Array, crc: number): number {
  return (
    (table[crc & 0xff] as number) ^
    (table[256 + ((crc >>> 8) & 0xff)] as number) ^
    (table[512 + ((crc >>> 16) & 0xff)] as number) ^
    (table[768 + (crc >>> 24)] as number)
  );
}

/**
 * As `findChecksumMismatch`, for data that arrives as consecutive parts (socket chunks): one
 * running CRC over the parts, so the reader verifies a packet without first copying it into
 * one buffer. The parts are joined only to name the bad chunk after the fast check failed.
 */
export function findChecksumMismatchInParts(parts: readonly Buffer[], checksums: Buffer, bytesPerChecksum: number): number {
  let dataBytes = 0;
  let crc = 0;
  for (const part of parts) {
    crc = crc32c(part, crc);
    dataBytes += part.length;
  }
  const count = chunkCount(dataBytes, bytesPerChecksum);
  if (checksums.length < count * checksumBytes) return Math.floor(checksums.length / checksumBytes);
  if (count === 0 || combinedChunkChecksums(dataBytes, checksums, bytesPerChecksum) === crc >>> 0) return -1;
  return findChecksumMismatchChunkByChunk(Buffer.concat(parts, dataBytes), checksums, bytesPerChecksum);
}

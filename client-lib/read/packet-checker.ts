// The checks every packet of a read reply passes, whichever client read it: in order, at the
// offset expected, checksums matching, nothing after the last; and its trimming to the range.
import { findChecksumMismatchInParts } from '../../protocol/checksum.js';
import type { SplitPacket } from './packet-splitter.js';
import { trimToRange } from './read-plan.js';

/** The replica's data did not match its checksums: report it, try another replica. */
export class ReplicaChecksumError extends Error {
  override readonly name = 'ReplicaChecksumError';
}

/** The wanted range of a read: bytes `[start, end)` of the block. */
export interface WantedRange {
  start: number;
  end: number;
}

/** The checks every packet of a read reply passes, in order, and the trimming to the wanted range. */
export class PacketChecker {
  /** Block offset of the next packet's first byte. */
  cursor: number;
  lastSeen = false;

  constructor(
    readonly bytesPerChecksum: number,
    startOffset: number,
    private readonly read: WantedRange,
  ) {
    if (!(bytesPerChecksum > 0) || !Number.isSafeInteger(bytesPerChecksum) || !(startOffset >= 0) || startOffset > read.start) {
      throw new Error(`bad read reply headers (bytes per checksum ${bytesPerChecksum}, start offset ${startOffset})`);
    }
    this.cursor = startOffset;
  }

  /** Every wanted byte has been accepted. */
  get done(): boolean {
    return this.cursor >= this.read.end;
  }

  /** Verifies one packet; returns its wanted parts (maybe none). Throws on any fault. */
  accept(packet: SplitPacket): Buffer[] {
    if (this.lastSeen) throw new Error('the datanode sent a packet after the last one');
    if (packet.offset !== this.cursor) throw new Error(`packet at offset ${packet.offset}, expected ${this.cursor}`);
    const badChunk = findChecksumMismatchInParts(packet.parts, packet.checksums, this.bytesPerChecksum);
    if (badChunk >= 0) {
      throw new ReplicaChecksumError(`checksum mismatch at block offset ${packet.offset + badChunk * this.bytesPerChecksum}`);
    }
    const wanted = wantedParts(packet.parts, this.cursor, this.read.start, this.read.end);
    this.cursor += packet.dataLength;
    this.lastSeen = packet.last;
    return wanted;
  }
}

/** The parts (block bytes from `offset` on) trimmed to the wanted `[start, end)`; empty ones dropped. */
function wantedParts(parts: readonly Buffer[], offset: number, start: number, end: number): Buffer[] {
  const wanted: Buffer[] = [];
  let partOffset = offset;
  for (const part of parts) {
    const trimmed = trimToRange(part, partOffset, start, end);
    if (trimmed.length > 0) wanted.push(trimmed);
    partOffset += part.length;
  }
  return wanted;
}

// Reads a byte range of one replica from one datanode (`GET /blocks/<id>`), verifying
// every packet's checksums before a byte of it is handed on, so nothing unverified leaves.
// Plain connections use the raw reader (raw-replica-reader.ts: no node:http, socket reads
// into reused slabs); TLS ones keep node:http's client (http-replica-reader.ts).
import type http from 'node:http';
import type { DatanodeLocation, ExtendedBlock } from '../../protocol/common.js';
import { findChecksumMismatchInParts } from '../../protocol/checksum.js';
import { schemeOfAgent } from '../transport.js';
import { readReplicaOverHttp } from './http-replica-reader.js';
import type { SplitPacket } from './packet-splitter.js';
import { readReplicaRaw } from './raw-replica-reader.js';
import { trimToRange } from './read-plan.js';

/** A datanode that sends nothing for this long is given up for the next replica. */
export const readIdleTimeoutMs = 60_000;

/** The replica's data did not match its checksums: report it, try another replica. */
export class ReplicaChecksumError extends Error {
  override readonly name = 'ReplicaChecksumError';
}

export interface ReplicaRead {
  agent: http.Agent;
  location: DatanodeLocation;
  block: ExtendedBlock;
  token: string;
  /** Wanted bytes `[start, end)`, relative to the block. */
  start: number;
  end: number;
  idleTimeoutMs?: number;
  /**
   * The consumer hands every yielded list to `releaseReadParts` once done with it, so the
   * memory can be reused; without it the consumer keeps the buffers.
   */
  recycle?: boolean;
}

/**
 * Yields the verified bytes of `[start, end)` in order, a packet's worth at a time (the
 * parts it arrived in); throws if the replica cannot deliver all.
 */
export function readReplica(read: ReplicaRead): AsyncGenerator<Buffer[]> {
  return schemeOfAgent(read.agent) === 'https' ? readReplicaOverHttp(read) : readReplicaRaw(read);
}

/** The checks every packet of a read reply passes, in order, and the trimming to the wanted range. */
export class PacketChecker {
  /** Block offset of the next packet's first byte. */
  cursor: number;
  lastSeen = false;

  constructor(
    readonly bytesPerChecksum: number,
    startOffset: number,
    private readonly read: ReplicaRead,
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

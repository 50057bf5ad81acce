// Cuts a byte range of a finalized replica into verified, chunk-aligned packets: the
// stream a read sends to a client and a transfer sends to another datanode.
import type { Packet } from '../../protocol/data-transfer.js';
import { packetDataBytes } from '../../protocol/limits.js';
import type { ReplicaReader } from '../storage/replica-reader.js';

export type ReplicaPacket = { ok: true; packet: Packet } | { ok: false; corruptChunk: number };

/** Data bytes per packet: whole chunks, at most `packetDataBytes` unless one chunk is larger. */
export function packetBytesFor(bytesPerChecksum: number): number {
  return Math.max(bytesPerChecksum, Math.floor(packetDataBytes / bytesPerChecksum) * bytesPerChecksum);
}

/**
 * Packets covering [start, end), `start` chunk-aligned; the end is carried out to the end
 * of its chunk so every packet's checksums cover exactly its data. The last is flagged;
 * an empty range is one empty last packet. Stops at the first chunk that fails.
 */
export async function* replicaPackets(reader: ReplicaReader, start: number, end: number): AsyncGenerator<ReplicaPacket> {
  const bytesPerChecksum = reader.bytesPerChecksum;
  const stop = Math.min(reader.length, Math.ceil(end / bytesPerChecksum) * bytesPerChecksum);
  const packetBytes = packetBytesFor(bytesPerChecksum);
  // One packet of read-ahead: the disk reads the next packet while this one is on the wire.
  // A read left behind when the consumer stops early is never awaited; it must not reject unseen.
  const readAt = (from: number): { end: number; result: ReturnType<ReplicaReader['read']> } => {
    const packetEnd = Math.min(from + packetBytes, stop);
    const result = reader.read(from, packetEnd);
    result.catch(() => undefined);
    return { end: packetEnd, result };
  };
  let seq = 0;
  let offset = start;
  let next = readAt(offset);
  do {
    const packetEnd = next.end;
    const result = await next.result;
    if (!result.ok) {
      yield result;
      return;
    }
    const last = packetEnd >= stop;
    if (!last) next = readAt(packetEnd);
    yield { ok: true, packet: { seq: seq++, offset, dataLength: result.data.length, last, data: result.data, checksums: result.checksums } };
    offset = packetEnd;
  } while (offset < stop);
}

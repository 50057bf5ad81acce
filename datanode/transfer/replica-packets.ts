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
  let seq = 0;
  let offset = start;
  do {
    const packetEnd = Math.min(offset + packetBytes, stop);
    const result = await reader.read(offset, packetEnd);
    if (!result.ok) {
      yield result;
      return;
    }
    const last = packetEnd >= stop;
    yield { ok: true, packet: { seq: seq++, offset, dataLength: result.data.length, last, data: result.data, checksums: result.checksums } };
    offset = packetEnd;
  } while (offset < stop);
}

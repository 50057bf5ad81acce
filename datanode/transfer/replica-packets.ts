// Cuts a byte range of a finalized replica into verified, chunk-aligned packets: the
// stream a read sends to a client and a transfer sends to another datanode.
import { BufferPool } from '../../protocol/buffer-pool.js';
import type { Packet } from '../../protocol/data-transfer.js';
import { packetDataBytes } from '../../protocol/limits.js';
import type { ReplicaReader } from '../storage/replica-reader.js';

/**
 * Data buffers of outgoing packets, reused once the socket has written them: a fresh 1 MiB
 * buffer per packet kept a third of a serving datanode's CPU in the garbage collector.
 * About three are in use per stream (on the wire, read ahead, being verified).
 */
export const sendPool = new BufferPool(packetDataBytes, 16);

/** A packet whose `storage` (when not null) goes back with `sendPool.release` once written. */
export type ReplicaPacket = { ok: true; packet: Packet & { storage: Buffer | null } } | { ok: false; corruptChunk: number };

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
  // A buffer whose read fails, or that is left behind, is not released: the collector takes it.
  const readAt = (from: number): { end: number; storage: Buffer | null; result: ReturnType<ReplicaReader['read']> } => {
    const packetEnd = Math.min(from + packetBytes, stop);
    const { view, storage } = sendPool.acquire(packetEnd - from);
    const result = reader.read(from, packetEnd, view);
    result.catch(() => undefined);
    return { end: packetEnd, storage, result };
  };
  let seq = 0;
  let offset = start;
  let next = readAt(offset);
  do {
    const { end: packetEnd, storage } = next;
    const result = await next.result;
    if (!result.ok) {
      yield result;
      return;
    }
    const last = packetEnd >= stop;
    if (!last) next = readAt(packetEnd);
    yield { ok: true, packet: { seq: seq++, offset, dataLength: result.data.length, last, data: result.data, checksums: result.checksums, storage } };
    offset = packetEnd;
  } while (offset < stop);
}

// `GET /blocks/<id>`: streams a verified range of a finalized replica as packets. A chunk
// that fails verification is never sent: the connection is destroyed and the namenode told.
import type http from 'node:http';
import {
  blockLengthHeader,
  bytesPerChecksumHeader,
  datanodeUuidHeader,
  encodePacket,
  type ReadBlockQuery,
  startOffsetHeader,
} from '../../protocol/data-transfer.js';
import { DfsError } from '../../protocol/errors.js';
import type { ReplicaReader } from '../storage/replica-reader.js';
import type { DataServerContext } from './data-server-context.js';
import { replicaPackets, sendPool } from './replica-packets.js';
import { drainOrClose } from './stream-drain.js';

export async function sendBlock(
  context: DataServerContext,
  blockId: number,
  query: ReadBlockQuery,
  response: http.ServerResponse,
): Promise<void> {
  const reader = await openVerifiedReader(context, blockId, query.genStamp);
  try {
    if (query.offset > reader.length) {
      throw new DfsError('InvalidRequest', `offset ${query.offset} is past the end of block ${blockId} (${reader.length} bytes)`);
    }
    const start = Math.floor(query.offset / reader.bytesPerChecksum) * reader.bytesPerChecksum;
    const end = Math.min(query.offset + query.length, reader.length);
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      [bytesPerChecksumHeader]: String(reader.bytesPerChecksum),
      [startOffsetHeader]: String(start),
      [blockLengthHeader]: String(reader.length),
      [datanodeUuidHeader]: context.store.datanodeUuid,
    });
    await streamPackets(context, reader, start, end, response);
  } finally {
    await reader.close();
  }
}

async function streamPackets(
  context: DataServerContext,
  reader: ReplicaReader,
  start: number,
  end: number,
  response: http.ServerResponse,
): Promise<void> {
  for await (const result of replicaPackets(reader, start, end)) {
    if (response.destroyed) return;
    if (!result.ok) {
      reportCorruptReplica(context, reader, result.corruptChunk);
      response.destroy();
      return;
    }
    const encoded = encodePacket(result.packet);
    const storage = result.packet.storage;
    response.cork();
    let ready = true;
    encoded.forEach((buffer, index) => {
      // The data buffer is reused once the socket is done with it (written or failed).
      ready = index === encoded.length - 1 ? response.write(buffer, () => sendPool.release(storage)) : response.write(buffer);
    });
    process.nextTick(() => response.uncork());
    context.metrics.bytesRead.inc(result.packet.dataLength);
    if (!ready) await drainOrClose(response);
  }
  response.end();
  context.metrics.blocksRead.inc();
}

/** Opens the replica; a damaged meta header is corruption too, and is reported as such. */
async function openVerifiedReader(context: DataServerContext, blockId: number, genStamp: number): Promise<ReplicaReader> {
  try {
    return await context.store.openReader(blockId, genStamp);
  } catch (error) {
    if (error instanceof DfsError && error.code === 'ChecksumMismatch') {
      const replica = context.store.getReplica(blockId);
      context.metrics.checksumErrors.inc();
      context.reportBadBlock(blockId, replica?.genStamp ?? genStamp);
    }
    throw error;
  }
}

export function reportCorruptReplica(context: DataServerContext, reader: ReplicaReader, chunk: number): void {
  context.metrics.checksumErrors.inc();
  context.log.warn({ blockId: reader.blockId, genStamp: reader.genStamp, chunk }, 'replica failed checksum verification');
  context.reportBadBlock(reader.blockId, reader.genStamp);
}

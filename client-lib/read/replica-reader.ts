// Reads a byte range of one replica from one datanode (`GET /blocks/<id>`), verifying
// every packet's checksums before a byte of it is handed on, so nothing unverified leaves.
import http from 'node:http';
import type { DatanodeLocation, ExtendedBlock } from '../../protocol/common.js';
import { findChecksumMismatchInParts } from '../../protocol/checksum.js';
import { bytesPerChecksumHeader, startOffsetHeader } from '../../protocol/data-transfer.js';
import { DfsError, dfsErrorFromResponse } from '../../protocol/errors.js';
import { PacketSplitter } from './packet-splitter.js';
import { trimToRange } from './read-plan.js';
import { readSmallBody } from '../small-reply.js';
import { describeConnectionError, requestWith, urlFor } from '../transport.js';

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
}

/**
 * Yields the verified bytes of `[start, end)` in order, a packet's worth at a time (the
 * parts it arrived in); throws if the replica cannot deliver all.
 */
export async function* readReplica(read: ReplicaRead): AsyncGenerator<Buffer[]> {
  const { request, response } = await openRead(read);
  try {
    const bytesPerChecksum = Number(response.headers[bytesPerChecksumHeader]);
    let cursor = Number(response.headers[startOffsetHeader]);
    if (!(bytesPerChecksum > 0) || !(cursor >= 0) || cursor > read.start) {
      throw new Error(`bad read reply headers (bytes per checksum ${bytesPerChecksum}, start offset ${cursor})`);
    }
    const splitter = new PacketSplitter(bytesPerChecksum);
    let lastSeen = false;
    for await (const chunk of response as AsyncIterable<Buffer>) {
      // After the last packet only the reply's end may follow; waiting for it (rather than
      // destroying the request) keeps the connection for the next read, which matters when
      // many small files are fetched.
      if (lastSeen) throw new Error('the datanode sent bytes after the last packet');
      for (const packet of splitter.push(chunk)) {
        if (lastSeen) throw new Error('the datanode sent a packet after the last one');
        if (packet.offset !== cursor) throw new Error(`packet at offset ${packet.offset}, expected ${cursor}`);
        const badChunk = findChecksumMismatchInParts(packet.parts, packet.checksums, bytesPerChecksum);
        if (badChunk >= 0) {
          throw new ReplicaChecksumError(`checksum mismatch at block offset ${packet.offset + badChunk * bytesPerChecksum}`);
        }
        const wanted = wantedParts(packet.parts, cursor, read.start, read.end);
        cursor += packet.dataLength;
        if (wanted.length > 0) yield wanted;
        lastSeen = packet.last;
        if (cursor >= read.end && !lastSeen) return;
      }
    }
    if (cursor < read.end) throw new Error(`reply ended at block offset ${cursor}, before ${read.end}`);
  } finally {
    // Leaving early (done, error or the reader gave up) must not leave the socket streaming.
    if (!response.complete) request.destroy();
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

function openRead(read: ReplicaRead): Promise<{ request: http.ClientRequest; response: http.IncomingMessage }> {
  const query = new URLSearchParams({
    genStamp: String(read.block.genStamp),
    offset: String(read.start),
    length: String(read.end - read.start),
  });
  const headers: http.OutgoingHttpHeaders = read.token ? { authorization: `Bearer ${read.token}` } : {};
  const timeoutMs = read.idleTimeoutMs ?? readIdleTimeoutMs;
  return new Promise((resolve, reject) => {
    const request = requestWith(read.agent, urlFor(read.agent, read.location.name, `/blocks/${read.block.id}?${query}`), { headers });
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`no data for ${timeoutMs} ms`)));
    request.on('error', (error) => reject(new Error(describeConnectionError(error), { cause: error })));
    request.end();
    request.on('response', (response) => {
      if (response.statusCode === 200) resolve({ request, response });
      else readRefusal(response).then(reject, reject);
    });
  });
}

async function readRefusal(response: http.IncomingMessage): Promise<DfsError> {
  const text = await readSmallBody(response);
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the text itself is the best description.
  }
  return dfsErrorFromResponse(response.statusCode ?? 0, body);
}

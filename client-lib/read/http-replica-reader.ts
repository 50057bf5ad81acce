// The replica read over node:http's client, kept for TLS datanode connections (the raw
// reader speaks plain TCP only): the same request, checks and failover behaviour.
import type http from 'node:http';
import { bytesPerChecksumHeader, startOffsetHeader } from '../../protocol/data-transfer.js';
import { type DfsError, dfsErrorFromResponse } from '../../protocol/errors.js';
import { readSmallBody } from '../small-reply.js';
import { describeConnectionError, requestWith, urlFor } from '../transport.js';
import { PacketSplitter } from './packet-splitter.js';
import { PacketChecker } from './packet-checker.js';
import { type ReplicaRead, readIdleTimeoutMs } from './replica-reader.js';

export async function* readReplicaOverHttp(read: ReplicaRead): AsyncGenerator<Buffer[]> {
  const { request, response } = await openRead(read);
  try {
    const checker = new PacketChecker(Number(response.headers[bytesPerChecksumHeader]), Number(response.headers[startOffsetHeader]), read);
    const splitter = new PacketSplitter(checker.bytesPerChecksum);
    for await (const chunk of response as AsyncIterable<Buffer>) {
      // After the last packet only the reply's end may follow; waiting for it (rather than
      // destroying the request) keeps the connection for the next read.
      if (checker.lastSeen) throw new Error('the datanode sent bytes after the last packet');
      for (const packet of splitter.push(chunk)) {
        const wanted = checker.accept(packet);
        if (wanted.length > 0) yield wanted;
        if (checker.done && !checker.lastSeen) return;
      }
    }
    if (!checker.done) throw new Error(`reply ended at block offset ${checker.cursor}, before ${read.end}`);
  } finally {
    // Leaving early (done, error or the reader gave up) must not leave the socket streaming.
    if (!response.complete) request.destroy();
  }
}

/** The query string of a read of `[start, end)`. */
export function readQuery(read: ReplicaRead): string {
  return new URLSearchParams({ genStamp: String(read.block.genStamp), offset: String(read.start), length: String(read.end - read.start) }).toString();
}

function openRead(read: ReplicaRead): Promise<{ request: http.ClientRequest; response: http.IncomingMessage }> {
  const headers: http.OutgoingHttpHeaders = read.token ? { authorization: `Bearer ${read.token}` } : {};
  const timeoutMs = read.idleTimeoutMs ?? readIdleTimeoutMs;
  return new Promise((resolve, reject) => {
    const request = requestWith(read.agent, urlFor(read.agent, read.location.name, `/blocks/${read.block.id}?${readQuery(read)}`), { headers });
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
  return refusalFromBody(response.statusCode ?? 0, await readSmallBody(response));
}

/** A refusal's RemoteException (JSON) as a DfsError; text that is not JSON describes itself. */
export function refusalFromBody(status: number, text: string): DfsError {
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the text itself is the best description.
  }
  return dfsErrorFromResponse(status, body);
}

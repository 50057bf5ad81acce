// A datanode's refusal is a small JSON body; read at most this much of it, never more.
import type http from 'node:http';

/** Bytes of an error reply kept; the rest is dropped so a bad peer cannot fill memory. */
export const maxErrorReplyBytes = 64 * 1024;

export async function readSmallBody(response: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > maxErrorReplyBytes) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

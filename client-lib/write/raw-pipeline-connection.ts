// The write pipeline on a raw keep-alive TCP connection (http1/datanode-connection.ts), for
// plain clusters: the `PUT` head written by hand, each packet sent as one chunk of a
// chunked body in a single write (size line and packet header in one buffer, then the
// checksums, the data and the chunk's CRLF, corked into one writev), the reply parsed by
// http1/reply-parser.ts: 200 then the ack stream as its chunked body, or a refusal whose
// JSON and bad-node header name the datanode to blame. node:http's client cost more per
// small file than the rest of the client's write path together.
import { type Packet, badNodeHeader, encodePacketHeader, formatTargets, packetHeaderBytes, targetsHeader } from '../../protocol/data-transfer.js';
import { type DatanodeConnection, type DatanodeConnectionPool, writeConnectionPoolFor } from '../http1/datanode-connection.js';
import type { ReplyHead } from '../http1/reply-head.js';
import { type ReplyHandlers, ReplyParser } from '../http1/reply-parser.js';
import { maxErrorReplyBytes } from '../small-reply.js';
import { type PipelineHandlers, type PipelineParameters, PipelineConnectionBase, pipelineQuery } from './pipeline-connection.js';

/** Below this many bytes, a tick's packets are copied into one buffer: one write instead of a writev of parts. */
export const coalesceBelowBytes = 64 * 1024;

const printableAscii = /^[\x21-\x7e]*$/;
const chunkEnd = Buffer.from('\r\n', 'latin1');
const lastChunkEnd = Buffer.from('\r\n0\r\n\r\n', 'latin1');
const lastChunk = Buffer.from('0\r\n\r\n', 'latin1');

export class RawPipelineConnection extends PipelineConnectionBase implements ReplyHandlers {
  private readonly pool: DatanodeConnectionPool;
  private readonly requestHead: string;
  /** Null once given back to the pool or closed: never touched again from here. */
  private connection: DatanodeConnection | null = null;
  private parser: ReplyParser | null = null;
  /** Whether the current connection carried a request before (the datanode may have closed it since). */
  private reused = false;
  private retried = false;
  /** The body's last chunk went out: the request is complete on the wire. */
  private bodyEnded = false;
  private refusal: { status: number; badUuid: string | undefined; parts: Buffer[]; bytes: number } | null = null;
  /** Body bytes waiting for this tick's flush. */
  private outgoing: Buffer[] = [];
  private outgoingBytes = 0;
  private flushScheduled = false;

  constructor(parameters: PipelineParameters, handlers: PipelineHandlers) {
    super(parameters, handlers);
    this.pool = writeConnectionPoolFor(parameters.agent);
    this.requestHead = requestHeadText(parameters);
    this.openAttempt();
  }

  send(packet: Packet): void {
    if (this.closed) return;
    if (packet.last) this.lastSeq = packet.seq;
    const bodyBytes = packetHeaderBytes + packet.checksums.length + packet.data.length;
    const sizeLine = `${bodyBytes.toString(16)}\r\n`;
    const head = Buffer.allocUnsafe(sizeLine.length + packetHeaderBytes);
    head.write(sizeLine, 0, 'latin1');
    encodePacketHeader(packet, head.subarray(sizeLine.length));
    this.queue(head, packet.checksums, packet.data, chunkEnd);
  }

  end(): void {
    if (this.closed || this.bodyEnded) return;
    this.bodyEnded = true;
    // The last packet's closing CRLF and the body's last chunk in one buffer.
    if (this.outgoing[this.outgoing.length - 1] === chunkEnd) {
      this.outgoingBytes += lastChunkEnd.length - chunkEnd.length;
      this.outgoing[this.outgoing.length - 1] = lastChunkEnd;
    } else {
      this.queue(lastChunk);
    }
  }

  protected closeTransport(): void {
    this.outgoing = [];
    this.connection?.close(null);
    this.connection = null;
  }

  onHead(head: ReplyHead): void {
    if (head.status !== 200) {
      this.refusal = { status: head.status, badUuid: head.headers.get(badNodeHeader), parts: [], bytes: 0 };
      return;
    }
    this.onConnected();
  }

  onBody(bytes: Buffer): void {
    const refusal = this.refusal;
    if (refusal === null) {
      // A copy: the view's slab is read into again, and the ack decoder may keep a partial ack.
      this.onAckBytes(Buffer.from(bytes));
      return;
    }
    if (refusal.bytes < maxErrorReplyBytes) refusal.parts.push(Buffer.from(bytes.subarray(0, maxErrorReplyBytes - refusal.bytes)));
    refusal.bytes += bytes.length;
  }

  onComplete(): void {
    const refusal = this.refusal;
    if (refusal !== null) {
      this.onSetupRefused(refusal.status, refusal.badUuid, Buffer.concat(refusal.parts).toString('utf8'));
      return;
    }
    if (!this.onAckStreamEnd()) return;
    // After the read callback returns (which pauses the socket once a reply is complete).
    queueMicrotask(() => this.releaseConnection());
  }

  onError(error: Error, beforeAnyByte: boolean): void {
    if (this.closed) return;
    // A kept connection the datanode closed meanwhile fails before any byte of the reply
    // (nothing but the head was sent: packets wait for the 200): once, try a new one.
    if (beforeAnyByte && this.reused && !this.retried) {
      this.retried = true;
      this.connection?.close(null);
      this.openAttempt();
      return;
    }
    this.fail({ badIndex: 0, reason: `${this.firstName}: ${error.message}` });
  }

  shouldPause(): boolean {
    // Acks are a few bytes per packet and are handled at once: never a reason to stop reading.
    return false;
  }

  private openAttempt(): void {
    const connection = this.pool.acquire(this.firstName);
    this.reused = connection.requests > 0;
    this.connection = connection;
    this.parser = new ReplyParser(this);
    // No idle limit on the socket: set-up has its timer, acks the block stream's watchdog.
    connection.send(this.requestHead, this.parser, 0);
  }

  private queue(...parts: Buffer[]): void {
    for (const part of parts) {
      this.outgoing.push(part);
      this.outgoingBytes += part.length;
    }
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // A block's last packet and the body's end come in the same tick: one write for both.
    process.nextTick(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const parts = this.outgoing;
    const bytes = this.outgoingBytes;
    this.outgoing = [];
    this.outgoingBytes = 0;
    if (this.closed || parts.length === 0 || this.connection === null) return;
    this.connection.write(bytes < coalesceBelowBytes && parts.length > 1 ? [Buffer.concat(parts, bytes)] : parts);
  }

  /** The reply ended after the last ack: the connection may carry the next request if the request ended too. */
  private releaseConnection(): void {
    const connection = this.connection;
    this.connection = null;
    if (connection === null) return;
    if (this.bodyEnded && this.outgoing.length === 0 && this.parser?.reusable === true) connection.release();
    else connection.close(null);
  }
}

function requestHeadText(parameters: PipelineParameters): string {
  const { token, nodes, blockId } = parameters;
  const first = nodes[0]?.name ?? '';
  if (!printableAscii.test(token)) throw new Error('the block token holds characters a header cannot carry');
  if (!printableAscii.test(first)) throw new Error(`bad datanode address ${JSON.stringify(first)}`);
  const targets = formatTargets(nodes.slice(1));
  if (!printableAscii.test(targets)) throw new Error(`bad pipeline targets ${JSON.stringify(targets)}`);
  const authorization = token === '' ? '' : `Authorization: Bearer ${token}\r\n`;
  return (
    `PUT /blocks/${blockId}?${pipelineQuery(parameters)} HTTP/1.1\r\nHost: ${first}\r\nConnection: keep-alive\r\n` +
    `Content-Type: application/octet-stream\r\n${targetsHeader}: ${targets}\r\n${authorization}Transfer-Encoding: chunked\r\n\r\n`
  );
}

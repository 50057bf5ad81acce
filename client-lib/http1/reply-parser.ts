// Follows one HTTP/1.1 reply on a raw datanode connection: the head (parsed strictly), then
// the body by its framing (content-length or chunked), handing body bytes on as views of
// what arrived. Anything malformed, too long, cut short or trailing is one error, reported
// once; a reply read to its end says whether the connection may carry the next request.
import { ChunkedBodyDecoder } from './chunked-body.js';
import type { ConnectionReceiver } from './datanode-connection.js';
import { findHeadEnd, maxReplyHeadBytes, parseReplyHead, ReplyFormatError, type ReplyHead } from './reply-head.js';

export interface ReplyHandlers {
  /** The head arrived; throwing ends the reply with that error. */
  onHead(head: ReplyHead): void;
  /** Body bytes, as views valid for the call (hold them to keep them); throwing ends the reply. */
  onBody(bytes: Buffer): void;
  /** The body ended where its framing says. */
  onComplete(): void;
  /** The reply failed; `beforeAnyByte` when the connection broke before a byte of it came. */
  onError(error: Error, beforeAnyByte: boolean): void;
  /** Whether to stop reading for now (the consumer is behind). */
  shouldPause(): boolean;
}

export class ReplyParser implements ConnectionReceiver {
  private headBytes: Buffer | null = null;
  private head: ReplyHead | null = null;
  private bodyLeft = 0;
  private chunked: ChunkedBodyDecoder | null = null;
  private received = 0;
  private finished = false;

  constructor(private readonly handlers: ReplyHandlers) {}

  get complete(): boolean {
    return this.finished;
  }

  /** Whether the connection can carry another request: the reply ended cleanly and allows it. */
  get reusable(): boolean {
    return this.finished && this.head?.keepAlive === true;
  }

  onBytes(bytes: Buffer): boolean {
    if (this.finished) {
      // Bytes past the end of the reply (or after a failure): the connection is out of step.
      throw new ReplyFormatError('the datanode sent bytes after the end of the reply');
    }
    this.received += bytes.length;
    try {
      this.take(bytes);
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
      return false;
    }
    return !this.finished && !this.handlers.shouldPause();
  }

  onClose(error: Error): void {
    if (this.finished) return;
    if (this.head !== null && this.head.framing.kind === 'until-close') {
      this.finish();
      return;
    }
    // Before any byte, the connection's own error (refused, reset, closed) says it all.
    if (this.received === 0) {
      this.fail(error, true);
      return;
    }
    const where = this.head === null ? 'before the end of the reply head' : 'before the end of the reply body';
    this.fail(new Error(`${error.message} ${where}`, { cause: error }));
  }

  private take(bytes: Buffer): void {
    let body = bytes;
    if (this.head === null) {
      const pending = this.headBytes === null ? bytes : Buffer.concat([this.headBytes, bytes]);
      const end = findHeadEnd(pending.subarray(0, maxReplyHeadBytes + 4));
      if (end < 0) {
        if (pending.length >= maxReplyHeadBytes) throw new ReplyFormatError(`reply head longer than ${maxReplyHeadBytes} bytes`);
        this.headBytes = Buffer.from(pending);
        return;
      }
      this.headBytes = null;
      this.head = parseReplyHead(pending.subarray(0, end));
      if (this.head.framing.kind === 'chunked') this.chunked = new ChunkedBodyDecoder();
      if (this.head.framing.kind === 'length') this.bodyLeft = this.head.framing.bytes;
      this.handlers.onHead(this.head);
      body = pending.subarray(end);
      if (this.head.framing.kind === 'length' && this.bodyLeft === 0) this.finish();
    }
    if (body.length > 0 && !this.finished) this.takeBody(body);
  }

  private takeBody(bytes: Buffer): void {
    if (this.chunked !== null) {
      const used = this.chunked.push(bytes, (data) => this.handlers.onBody(data));
      if (this.chunked.done) {
        if (used < bytes.length) throw new ReplyFormatError('the datanode sent bytes after the end of the reply');
        this.finish();
      }
      return;
    }
    if (this.head?.framing.kind === 'length') {
      if (bytes.length > this.bodyLeft) throw new ReplyFormatError('the datanode sent more bytes than its content-length');
      this.bodyLeft -= bytes.length;
      this.handlers.onBody(bytes);
      if (this.bodyLeft === 0) this.finish();
      return;
    }
    this.handlers.onBody(bytes);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.handlers.onComplete();
  }

  private fail(error: Error, beforeAnyByte = false): void {
    if (this.finished) return;
    this.finished = true;
    this.head = null; // never reusable
    this.handlers.onError(error, beforeAnyByte);
  }
}

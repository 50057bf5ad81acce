// One namenode RPC reply, collected whole from the bytes of its connection: the head and
// the chunked decoding are the strict ones the block paths use (client-lib/http1/); this
// adds what an RPC needs on top: 1xx replies skipped, the body gathered up to a limit, a
// reply framed by the close completed at EOF, and bytes past the reply noted so the
// connection is not reused. Pure: no sockets, so the unit tests drive it byte by byte.
import { ChunkedBodyDecoder } from '../http1/chunked-body.js';
import { findHeadEnd, maxReplyHeadBytes, parseReplyHead, ReplyFormatError } from '../http1/reply-head.js';

export { maxReplyHeadBytes, ReplyFormatError as ReplyFramingError };

export interface ParsedReply {
  status: number;
  body: Buffer;
  /** False when the server closes the connection after this reply (or must, to end its body). */
  keepAlive: boolean;
}

/** What `end()` throws for a reply cut short; the connection layer treats it as a stale socket when nothing had arrived. */
export const truncatedReplyMessage = 'connection closed before the reply ended';

type BodyMode = { kind: 'length'; remaining: number } | { kind: 'chunked'; decoder: ChunkedBodyDecoder } | { kind: 'until-close' };

/**
 * One reply at a time: `push` each chunk read; it returns the reply once complete (and
 * counts any bytes after it in `leftover`). `end` is called on EOF and completes a reply
 * whose body runs until the connection closes.
 */
export class HttpReplyParser {
  private pending: Buffer | null = null;
  private status = 0;
  private keepAlive = true;
  private mode: BodyMode | undefined;
  private readonly bodyParts: Buffer[] = [];
  private bodyBytes = 0;
  /** Bytes past the end of the completed reply (a server that pipelines garbage). */
  leftover = 0;
  /** True once any byte of the reply has arrived. */
  started = false;

  constructor(private readonly maxBodyBytes: number) {}

  push(chunk: Buffer): ParsedReply | undefined {
    this.started = true;
    let bytes = chunk;
    while (this.mode === undefined) {
      const head = this.takeHead(bytes);
      if (head === null) return undefined;
      bytes = head;
    }
    return this.takeBody(bytes);
  }

  /** EOF: the reply if its body was framed by the close, else an error for a truncated reply. */
  end(): ParsedReply {
    if (this.mode?.kind === 'until-close') return this.finish(0);
    throw new ReplyFormatError(truncatedReplyMessage);
  }

  /** Parses the head once it has all arrived; returns the bytes after it, or null while more are needed. */
  private takeHead(chunk: Buffer): Buffer | null {
    const bytes = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    const end = findHeadEnd(bytes.subarray(0, maxReplyHeadBytes + 4));
    if (end < 0) {
      if (bytes.length >= maxReplyHeadBytes) throw new ReplyFormatError(`reply head longer than ${maxReplyHeadBytes} bytes`);
      this.pending = Buffer.from(bytes);
      return null;
    }
    this.pending = null;
    const head = parseReplyHead(bytes.subarray(0, end));
    const rest = bytes.subarray(end);
    // 1xx (e.g. 100 Continue) precede the real reply: skip them.
    if (head.status < 200) return rest;
    this.status = head.status;
    this.keepAlive = head.keepAlive;
    const { framing } = head;
    if (framing.kind === 'length') {
      this.checkBodyLimit(framing.bytes);
      this.mode = { kind: 'length', remaining: framing.bytes };
    } else if (framing.kind === 'chunked') {
      this.mode = { kind: 'chunked', decoder: new ChunkedBodyDecoder() };
    } else {
      this.mode = { kind: 'until-close' };
    }
    return rest;
  }

  private takeBody(bytes: Buffer): ParsedReply | undefined {
    const mode = this.mode as BodyMode;
    if (mode.kind === 'length') {
      const taken = Math.min(mode.remaining, bytes.length);
      this.addBody(bytes.subarray(0, taken));
      mode.remaining -= taken;
      return mode.remaining === 0 ? this.finish(bytes.length - taken) : undefined;
    }
    if (mode.kind === 'until-close') {
      this.addBody(bytes);
      return undefined;
    }
    const used = mode.decoder.push(bytes, (data) => this.addBody(data));
    return mode.decoder.done ? this.finish(bytes.length - used) : undefined;
  }

  private addBody(part: Buffer): void {
    if (part.length === 0) return;
    this.checkBodyLimit(this.bodyBytes + part.length);
    // Parts are views of the connection's chunks, which Node does not reuse.
    this.bodyParts.push(part);
    this.bodyBytes += part.length;
  }

  private checkBodyLimit(bytes: number): void {
    if (bytes > this.maxBodyBytes) throw new ReplyFormatError(`reply larger than ${this.maxBodyBytes} bytes`);
  }

  private finish(leftover: number): ParsedReply {
    this.leftover = leftover;
    const body = this.bodyParts.length === 1 ? (this.bodyParts[0] as Buffer) : Buffer.concat(this.bodyParts, this.bodyBytes);
    return { status: this.status, body, keepAlive: this.keepAlive && leftover === 0 };
  }
}

// The HTTP/1.1 reply framing the namenode RPC client needs, fed the bytes of one
// connection: the status line, the headers that frame the body (Content-Length,
// chunked Transfer-Encoding, Connection) and the body, bounded. Pure: no sockets, so the
// unit tests drive it byte by byte.

/** A reply head larger than this is refused (node:http's own default limit is 16 KiB). */
export const maxReplyHeadBytes = 64 * 1024;

export interface ParsedReply {
  status: number;
  body: Buffer;
  /** False when the server closes the connection after this reply (or must, to end its body). */
  keepAlive: boolean;
}

type BodyMode = { kind: 'length'; remaining: number } | { kind: 'chunked' } | { kind: 'untilClose' };

export class ReplyFramingError extends Error {}

const headEnd = Buffer.from('\r\n\r\n');
const lineEnd = Buffer.from('\r\n');

/**
 * One reply at a time: `push` each chunk read; it returns the reply once complete (and
 * leaves any bytes after it in `leftover`). `end` is called on EOF and completes a reply
 * whose body runs until the connection closes.
 */
export class HttpReplyParser {
  private pending: Buffer = Buffer.alloc(0);
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
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.mode === undefined) {
      if (!this.parseHead()) return undefined;
    }
    return this.parseBody();
  }

  /** EOF: the reply if its body was framed by the close, else an error for a truncated reply. */
  end(): ParsedReply {
    if (this.mode?.kind === 'untilClose') return this.finish();
    throw new ReplyFramingError('connection closed before the reply ended');
  }

  /** Parses the head when it has fully arrived; false while more bytes are needed. */
  private parseHead(): boolean {
    const end = this.pending.indexOf(headEnd);
    if (end === -1) {
      if (this.pending.length > maxReplyHeadBytes) throw new ReplyFramingError(`reply head larger than ${maxReplyHeadBytes} bytes`);
      return false;
    }
    const lines = this.pending.toString('latin1', 0, end).split('\r\n');
    this.pending = this.pending.subarray(end + headEnd.length);
    const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0] ?? '');
    if (statusLine === null) throw new ReplyFramingError(`not an HTTP/1.x reply: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
    const status = Number(statusLine[2]);
    // 1xx (e.g. 100 Continue) precede the real reply: skip them.
    if (status < 200) return true;
    this.status = status;
    this.keepAlive = statusLine[1] === '1';
    let length: number | undefined;
    let chunked = false;
    for (let index = 1; index < lines.length; index++) {
      const line = lines[index] as string;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new ReplyFramingError(`bad reply header line ${JSON.stringify(line.slice(0, 80))}`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim().toLowerCase();
      if (name === 'content-length') {
        if (!/^\d+$/.test(value) || (length !== undefined && length !== Number(value))) throw new ReplyFramingError(`bad Content-Length ${JSON.stringify(value)}`);
        length = Number(value);
      } else if (name === 'transfer-encoding') {
        chunked = value.split(',').at(-1)?.trim() === 'chunked';
      } else if (name === 'connection') {
        const tokens = value.split(',').map((token) => token.trim());
        if (tokens.includes('close')) this.keepAlive = false;
        else if (tokens.includes('keep-alive')) this.keepAlive = true;
      }
    }
    if (status === 204 || status === 304) this.mode = { kind: 'length', remaining: 0 };
    else if (chunked) this.mode = { kind: 'chunked' };
    else if (length !== undefined) this.mode = { kind: 'length', remaining: length };
    else this.mode = { kind: 'untilClose' };
    if (this.mode.kind === 'untilClose') this.keepAlive = false;
    if (this.mode.kind === 'length') this.checkBodyLimit(length ?? 0);
    return true;
  }

  private parseBody(): ParsedReply | undefined {
    const mode = this.mode as BodyMode;
    if (mode.kind === 'length') {
      const taken = Math.min(mode.remaining, this.pending.length);
      this.addBody(this.pending.subarray(0, taken));
      this.pending = this.pending.subarray(taken);
      mode.remaining -= taken;
      return mode.remaining === 0 ? this.finish() : undefined;
    }
    if (mode.kind === 'untilClose') {
      this.addBody(this.pending);
      this.pending = Buffer.alloc(0);
      return undefined;
    }
    return this.parseChunks();
  }

  /** Chunked framing: `<hex size>[;ext]\r\n<data>\r\n`… then `0\r\n`, trailers and an empty line. */
  private parseChunks(): ParsedReply | undefined {
    for (;;) {
      const sizeEnd = this.pending.indexOf(lineEnd);
      if (sizeEnd === -1) {
        if (this.pending.length > maxReplyHeadBytes) throw new ReplyFramingError('bad chunk size line');
        return undefined;
      }
      const sizeText = this.pending.toString('latin1', 0, sizeEnd).split(';')[0]?.trim() ?? '';
      if (!/^[0-9a-fA-F]{1,12}$/.test(sizeText)) throw new ReplyFramingError(`bad chunk size ${JSON.stringify(sizeText.slice(0, 20))}`);
      const size = Number.parseInt(sizeText, 16);
      if (size === 0) return this.parseTrailers(sizeEnd + lineEnd.length);
      this.checkBodyLimit(this.bodyBytes + size);
      const dataStart = sizeEnd + lineEnd.length;
      if (this.pending.length < dataStart + size + lineEnd.length) return undefined;
      if (this.pending[dataStart + size] !== 0x0d || this.pending[dataStart + size + 1] !== 0x0a) throw new ReplyFramingError('chunk not followed by CRLF');
      this.addBody(this.pending.subarray(dataStart, dataStart + size));
      this.pending = this.pending.subarray(dataStart + size + lineEnd.length);
    }
  }

  /** After the last chunk: trailer lines (ignored) up to an empty line. */
  private parseTrailers(start: number): ParsedReply | undefined {
    let lineStart = start;
    for (;;) {
      const end = this.pending.indexOf(lineEnd, lineStart);
      if (end === -1) return undefined;
      if (end === lineStart) {
        this.pending = this.pending.subarray(end + lineEnd.length);
        return this.finish();
      }
      lineStart = end + lineEnd.length;
    }
  }

  private addBody(part: Buffer): void {
    if (part.length === 0) return;
    this.checkBodyLimit(this.bodyBytes + part.length);
    this.bodyParts.push(part);
    this.bodyBytes += part.length;
  }

  private checkBodyLimit(bytes: number): void {
    if (bytes > this.maxBodyBytes) throw new ReplyFramingError(`reply larger than ${this.maxBodyBytes} bytes`);
  }

  private finish(): ParsedReply {
    this.leftover = this.pending.length;
    const body = this.bodyParts.length === 1 ? (this.bodyParts[0] as Buffer) : Buffer.concat(this.bodyParts, this.bodyBytes);
    return { status: this.status, body, keepAlive: this.keepAlive && this.leftover === 0 };
  }
}

// Strict decoder of HTTP/1.1 chunked transfer coding (node:http's server sends a reply of
// unknown length this way): hands on the body's bytes as views of what arrived, without
// copying, and refuses anything that is not exactly `size[;ext] CRLF data CRLF … 0 CRLF
// [trailers] CRLF`.
import { ReplyFormatError } from './reply-head.js';

/** Longest chunk-size line or trailer line accepted (node:http writes ~8 bytes). */
export const maxChunkLineBytes = 256;
/** Trailer lines accepted after the last chunk. */
const maxTrailerLines = 32;

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

export class ChunkedBodyDecoder {
  private state: State = 'size';
  /** The line being read (size or trailer), as latin1 text. */
  private line = '';
  private sawCarriageReturn = false;
  /** Data bytes left in the current chunk, or CRLF bytes left after it. */
  private left = 0;
  private trailerLines = 0;

  get done(): boolean {
    return this.state === 'done';
  }

  /**
   * Feeds the next bytes; body bytes go to `onData` as views of `bytes`. Returns how many
   * bytes belonged to the body's framing or data: fewer than `bytes.length` only once the
   * body is complete. Throws ReplyFormatError on bad framing.
   */
  push(bytes: Buffer, onData: (data: Buffer) => void): number {
    let at = 0;
    while (at < bytes.length && this.state !== 'done') {
      if (this.state === 'data') {
        const take = Math.min(this.left, bytes.length - at);
        onData(bytes.subarray(at, at + take));
        at += take;
        this.left -= take;
        if (this.left === 0) {
          this.state = 'data-end';
          this.left = 2;
        }
      } else if (this.state === 'data-end') {
        const expected = this.left === 2 ? 0x0d : 0x0a;
        if (bytes[at] !== expected) throw new ReplyFormatError('chunk data not followed by CRLF');
        at++;
        if (--this.left === 0) this.state = 'size';
      } else {
        at = this.readLine(bytes, at);
      }
    }
    return at;
  }

  /** Reads line bytes from `at`; acts on a complete line. Returns the new position. */
  private readLine(bytes: Buffer, at: number): number {
    while (at < bytes.length) {
      const byte = bytes[at++] as number;
      if (this.sawCarriageReturn) {
        if (byte !== 0x0a) throw new ReplyFormatError('bare CR in chunk framing');
        this.sawCarriageReturn = false;
        const line = this.line;
        this.line = '';
        this.endLine(line);
        return at;
      }
      if (byte === 0x0d) this.sawCarriageReturn = true;
      else if (byte === 0x0a) throw new ReplyFormatError('bare LF in chunk framing');
      else if (this.line.length >= maxChunkLineBytes) throw new ReplyFormatError('chunk framing line too long');
      else this.line += String.fromCharCode(byte);
    }
    return at;
  }

  private endLine(line: string): void {
    if (this.state === 'trailer') {
      if (line === '') this.state = 'done';
      else if (++this.trailerLines > maxTrailerLines) throw new ReplyFormatError('too many trailer lines');
      return;
    }
    const match = /^([0-9A-Fa-f]{1,12})(?:[ \t]*;[\x20-\x7e\t]*)?$/.exec(line);
    if (match === null) throw new ReplyFormatError(`bad chunk size line ${JSON.stringify(line.slice(0, 40))}`);
    const size = Number.parseInt(match[1] as string, 16);
    if (size === 0) {
      this.state = 'trailer';
    } else {
      this.state = 'data';
      this.left = size;
    }
  }
}

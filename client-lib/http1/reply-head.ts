// The head of a datanode's HTTP/1.1 reply, parsed strictly by hand for the raw block-read
// connection: a malformed status line or header, an unknown transfer coding, conflicting
// lengths or a head past the size limit is a clear error (the reader then tries the next
// replica), never a guess about where the body starts.

/** Longest reply head accepted (a datanode's is ~250 bytes; node:http allows 16 KiB too). */
export const maxReplyHeadBytes = 16 * 1024;

export type BodyFraming = { kind: 'length'; bytes: number } | { kind: 'chunked' } | { kind: 'until-close' };

export interface ReplyHead {
  status: number;
  /** Lower-case names; a repeated header's values joined with ", ". */
  headers: Map<string, string>;
  framing: BodyFraming;
  /** Whether the connection may carry another request after this reply's body. */
  keepAlive: boolean;
}

export class ReplyFormatError extends Error {
  override readonly name = 'ReplyFormatError';
}

const statusLinePattern = /^HTTP\/1\.([01]) ([1-9][0-9]{2})(?: [\t\x20-\x7e\x80-\xff]*)?$/;
const headerNamePattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const headerValuePattern = /^[\t\x20-\x7e\x80-\xff]*$/;
/** A content length as plain digits, at most 15 of them (a safe integer). */
const contentLengthPattern = /^[0-9]{1,15}$/;

/** Index just past the blank line ending the head in `bytes`, or -1 if it has not all arrived. */
export function findHeadEnd(bytes: Buffer): number {
  const at = bytes.indexOf('\r\n\r\n', 0, 'latin1');
  return at < 0 ? -1 : at + 4;
}

/** Parses a complete head (the bytes up to and including the blank line). */
export function parseReplyHead(head: Buffer): ReplyHead {
  const lines = head.toString('latin1', 0, head.length - 4).split('\r\n');
  const statusMatch = statusLinePattern.exec(lines[0] ?? '');
  if (statusMatch === null) throw new ReplyFormatError(`bad status line ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!headerNamePattern.test(name)) throw new ReplyFormatError(`bad header line ${JSON.stringify(line.slice(0, 80))}`);
    const value = line.slice(colon + 1).trim();
    if (!headerValuePattern.test(value)) throw new ReplyFormatError(`bad value of header ${name.slice(0, 40)}`);
    const key = name.toLowerCase();
    const earlier = headers.get(key);
    if (earlier !== undefined && key === 'content-length' && earlier !== value) throw new ReplyFormatError('conflicting content-length headers');
    headers.set(key, earlier === undefined || key === 'content-length' ? value : `${earlier}, ${value}`);
  }
  const status = Number(statusMatch[2]);
  const http10 = statusMatch[1] === '0';
  const connection = (headers.get('connection') ?? '').toLowerCase();
  const framing = framingOf(status, headers);
  const keepAlive = framing.kind !== 'until-close' && !connection.includes('close') && (!http10 || connection.includes('keep-alive'));
  return { status, headers, framing, keepAlive };
}

function framingOf(status: number, headers: Map<string, string>): BodyFraming {
  const coding = headers.get('transfer-encoding');
  const length = headers.get('content-length');
  if (coding !== undefined) {
    if (coding.toLowerCase() !== 'chunked') throw new ReplyFormatError(`unsupported transfer-encoding ${JSON.stringify(coding.slice(0, 40))}`);
    if (length !== undefined) throw new ReplyFormatError('both transfer-encoding and content-length');
    return { kind: 'chunked' };
  }
  if (length !== undefined) {
    if (!contentLengthPattern.test(length)) throw new ReplyFormatError(`bad content-length ${JSON.stringify(length.slice(0, 40))}`);
    return { kind: 'length', bytes: Number(length) };
  }
  if (status === 204 || status === 304) return { kind: 'length', bytes: 0 };
  // A block's data must say where it ends, or a cut connection would look like a whole reply.
  if (status === 200) throw new ReplyFormatError('reply has neither content-length nor chunked framing');
  return { kind: 'until-close' };
}

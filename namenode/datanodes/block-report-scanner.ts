// Full-report chunks read straight from the frame's bytes. JSON.parse of a chunk makes one
// small array per replica (10k of them a chunk, 3M for a million-block report from three
// datanodes): the parse holds the event loop, and the young generation fills with arrays
// that survive a scavenge or two while the chunk is applied, so GC pauses follow and the
// process keeps the grown heap and its allocator's arenas afterwards. Here the replicas are
// checked in one pass over the bytes and read again, replica by replica, as they are
// applied: nothing per replica is allocated. The rest of the message (the envelope) goes
// through JSON.parse and the schema as every other message does.
//
// Anything this scanner does not take (numbers written 1e3, keys with escapes, a bad value)
// is left to the full parser, which accepts or refuses it with its reason: the scanner only
// ever accepts what the schema accepts, with the same meaning.
import { BlockReport, type ReportedReplica } from '../../protocol/datanode-namenode.js';
import { maxReplicasPerBlockReportMessage } from '../../protocol/limits.js';
import type { ReplicaCursor } from '../blocks/report-replicas.js';

/** A block report whose replicas are read from the frame as they are applied. */
export type ScannedBlockReport = Omit<BlockReport, 'replicas'> & { replicas: ReplicaCursor };

const quote = 0x22;
const backslash = 0x5c;
const comma = 0x2c;
const colon = 0x3a;
const openBracket = 0x5b;
const closeBracket = 0x5d;
const openBrace = 0x7b;
const closeBrace = 0x7d;
const digitZero = 0x30;
const digitNine = 0x39;
/** `replicas` in ASCII: the one key whose value is scanned rather than parsed. */
const replicasKey = [0x72, 0x65, 0x70, 0x6c, 0x69, 0x63, 0x61, 0x73];
/** Digits of Number.MAX_SAFE_INTEGER: a longer run is not a safe integer. */
const maxSafeIntegerDigits = 16;

function isWhitespace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= digitZero && byte <= digitNine;
}

function skipWhitespace(bytes: Uint8Array, at: number): number {
  while (isWhitespace(bytes[at])) at++;
  return at;
}

/** The end (past the closing quote) of the string opening at `at`; -1 if unterminated. */
function skipString(bytes: Uint8Array, at: number): number {
  for (let i = at + 1; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === backslash) i++;
    else if (byte === quote) return i + 1;
  }
  return -1;
}

/** The end of the value at `at`, found as a JSON parser would for valid JSON; the envelope's JSON.parse checks it. */
function skipValue(bytes: Uint8Array, at: number): number {
  const first = bytes[at];
  if (first === quote) return skipString(bytes, at);
  if (first === openBrace || first === openBracket) {
    let depth = 0;
    for (let i = at; i < bytes.length; i++) {
      const byte = bytes[i];
      if (byte === quote) {
        const end = skipString(bytes, i);
        if (end < 0) return -1;
        i = end - 1;
      } else if (byte === openBrace || byte === openBracket) depth++;
      else if ((byte === closeBrace || byte === closeBracket) && --depth === 0) return i + 1;
    }
    return -1;
  }
  let end = at;
  while (end < bytes.length && !isWhitespace(bytes[end]) && bytes[end] !== comma && bytes[end] !== closeBrace && bytes[end] !== closeBracket) end++;
  return end > at ? end : -1;
}

/** Reads a plain decimal safe integer ≥ `min` at `at` (no sign, fraction, exponent or leading zero); -1 if there is none. */
function scanInteger(bytes: Uint8Array, at: number, min: number): number {
  let end = at;
  let value = 0;
  while (isDigit(bytes[end])) value = value * 10 + ((bytes[end++] as number) - digitZero);
  const digits = end - at;
  if (digits === 0 || digits > maxSafeIntegerDigits || (digits > 1 && bytes[at] === digitZero)) return -1;
  if (value > Number.MAX_SAFE_INTEGER || value < min) return -1;
  return end;
}

/** One field of a replica after the byte at `at` (`[` or `,`): the position of the byte after it, which must be `separator`; -1 if not. */
function scanField(bytes: Uint8Array, at: number, min: number, separator: number): number {
  at = scanInteger(bytes, skipWhitespace(bytes, at + 1), min);
  if (at < 0) return -1;
  at = skipWhitespace(bytes, at);
  return bytes[at] === separator ? at : -1;
}

/** Checks `[[id, genStamp, length], …]` at `at`; its end and replica count, or undefined. */
function scanReplicas(bytes: Uint8Array, at: number): { end: number; count: number } | undefined {
  let count = 0;
  at = skipWhitespace(bytes, at + 1);
  if (bytes[at] === closeBracket) return { end: at + 1, count };
  for (;;) {
    if (bytes[at] !== openBracket) return undefined;
    at = scanField(bytes, at, 1, comma);
    if (at >= 0) at = scanField(bytes, at, 1, comma);
    if (at >= 0) at = scanField(bytes, at, 0, closeBracket);
    if (at < 0) return undefined;
    if (++count > maxReplicasPerBlockReportMessage) return undefined;
    at = skipWhitespace(bytes, at + 1);
    if (bytes[at] === closeBracket) return { end: at + 1, count };
    if (bytes[at] !== comma) return undefined;
    at = skipWhitespace(bytes, at + 1);
  }
}

function isReplicasKey(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start !== replicasKey.length) return false;
  for (let i = 0; i < replicasKey.length; i++) if (bytes[start + i] !== replicasKey[i]) return false;
  return true;
}

/** Finds the top-level `replicas` value: its span and replica count, or undefined. */
function findReplicas(bytes: Uint8Array): { start: number; end: number; count: number } | undefined {
  let at = skipWhitespace(bytes, 0);
  if (bytes[at] !== openBrace) return undefined;
  let found: { start: number; end: number; count: number } | undefined;
  at = skipWhitespace(bytes, at + 1);
  if (bytes[at] === closeBrace) return undefined;
  for (;;) {
    if (bytes[at] !== quote) return undefined;
    const keyEnd = skipString(bytes, at);
    // A key with an escape might spell `replicas`: the full parser decides those.
    if (keyEnd < 0 || bytes.subarray(at + 1, keyEnd - 1).includes(backslash)) return undefined;
    const isReplicas = isReplicasKey(bytes, at + 1, keyEnd - 1);
    at = skipWhitespace(bytes, keyEnd);
    if (bytes[at] !== colon) return undefined;
    at = skipWhitespace(bytes, at + 1);
    if (isReplicas) {
      if (found !== undefined || bytes[at] !== openBracket) return undefined;
      const replicas = scanReplicas(bytes, at);
      if (replicas === undefined) return undefined;
      found = { start: at, ...replicas };
      at = replicas.end;
    } else {
      at = skipValue(bytes, at);
      if (at < 0) return undefined;
    }
    at = skipWhitespace(bytes, at);
    if (bytes[at] === closeBrace) break;
    if (bytes[at] !== comma) return undefined;
    at = skipWhitespace(bytes, at + 1);
  }
  return skipWhitespace(bytes, at + 1) === bytes.length ? found : undefined;
}

/**
 * A `blockReport` frame, checked without a JSON.parse of its replicas; undefined when it is
 * anything else or written in a way only the full parser takes (the caller then parses it).
 */
export function scanBlockReportFrame(frame: Buffer): ScannedBlockReport | undefined {
  const replicas = findReplicas(frame);
  if (replicas === undefined) return undefined;
  let envelope: unknown;
  try {
    envelope = JSON.parse(`${frame.toString('utf8', 0, replicas.start)}[]${frame.toString('utf8', replicas.end)}`);
  } catch {
    return undefined;
  }
  const parsed = BlockReport.safeParse(envelope);
  // The placeholder must be what the envelope's replicas are: no other key spelled them.
  if (!parsed.success || parsed.data.replicas.length !== 0) return undefined;
  const { type, reportId, chunk, last } = parsed.data;
  return { type, reportId, chunk, last, replicas: new FrameReplicaCursor(frame, replicas.start, replicas.count) };
}

/** Reads the checked replicas back in order: each is three runs of digits. */
class FrameReplicaCursor implements ReplicaCursor {
  private readonly current: ReportedReplica = [0, 0, 0];

  constructor(
    private readonly bytes: Uint8Array,
    private at: number,
    readonly count: number,
  ) {}

  next(): ReportedReplica {
    this.current[0] = this.nextInteger();
    this.current[1] = this.nextInteger();
    this.current[2] = this.nextInteger();
    return this.current;
  }

  private nextInteger(): number {
    const bytes = this.bytes;
    let at = this.at;
    while (!isDigit(bytes[at])) at++;
    let value = 0;
    while (isDigit(bytes[at])) value = value * 10 + ((bytes[at++] as number) - digitZero);
    this.at = at;
    return value;
  }
}

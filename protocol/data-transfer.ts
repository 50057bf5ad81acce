// Data transfer, client ↔ datanode and datanode ↔ datanode, over streamed HTTP:
//   PUT /blocks/<id>?genStamp=…  body: packets;  response (200): a stream of acks
//   GET /blocks/<id>?genStamp=…&offset=…&length=…  response (200): packets
// A packet carries chunk-aligned data with its CRC32C checksums, so every hop verifies
// what it got before it writes, forwards or returns it. Errors before streaming starts
// are RemoteException JSON with a 4xx/5xx status.
import { z } from 'zod';
import { BlockId, GenerationStamp, SafeInt } from './common.js';
import { checksumBytes, chunkCount } from './checksum.js';
import type { BufferPool } from './buffer-pool.js';
import { maxPacketDataBytes } from './limits.js';

export const blockPathPattern = /^\/blocks\/([1-9][0-9]{0,15})$/;

/** Rest of the write pipeline, in order: `uuid@host:port,uuid@host:port`. */
export const targetsHeader = 'x-tsdfs-targets';
/** Index-free name of the datanode that broke pipeline set-up, sent with a 502. */
export const badNodeHeader = 'x-tsdfs-bad-node';
export const bytesPerChecksumHeader = 'x-tsdfs-bytes-per-checksum';
/** First byte of the data in a read reply (the requested offset rounded down to a chunk). */
export const startOffsetHeader = 'x-tsdfs-start-offset';
export const blockLengthHeader = 'x-tsdfs-block-length';
export const datanodeUuidHeader = 'x-tsdfs-datanode-uuid';

/** A query number in plain decimal digits: `0x10`, `1e3`, ` 7` or `` are refused, not coerced. */
const decimalQueryInt = z
  .string()
  .regex(/^[0-9]{1,16}$/, 'expected a decimal integer')
  .transform(Number);

export const WriteBlockQuery = z.object({
  genStamp: decimalQueryInt.pipe(GenerationStamp),
  bytesPerChecksum: decimalQueryInt.pipe(z.number().int().min(16).max(1024 * 1024)),
  /** `write`: a client's pipeline; `transfer`: a datanode copying a finalized replica. */
  stage: z.enum(['write', 'recover', 'transfer']).default('write'),
  /** For `recover`: the generation stamp the replica had before; data kept up to `offset`. */
  oldGenStamp: decimalQueryInt.pipe(GenerationStamp).optional(),
  offset: decimalQueryInt.pipe(SafeInt).default(0),
  clientName: z.string().max(200).default(''),
});
export type WriteBlockQuery = z.infer<typeof WriteBlockQuery>;

export const ReadBlockQuery = z.object({
  genStamp: decimalQueryInt.pipe(GenerationStamp),
  offset: decimalQueryInt.pipe(SafeInt).default(0),
  length: decimalQueryInt.pipe(SafeInt).default(Number.MAX_SAFE_INTEGER),
});
export type ReadBlockQuery = z.infer<typeof ReadBlockQuery>;

export function parseBlockId(pathname: string): number | null {
  const match = blockPathPattern.exec(pathname);
  if (!match?.[1]) return null;
  const id = Number(match[1]);
  return BlockId.safeParse(id).success ? id : null;
}

export interface PipelineTarget {
  uuid: string;
  name: string; // host:port
}

export function formatTargets(targets: readonly PipelineTarget[]): string {
  return targets.map((t) => `${t.uuid}@${t.name}`).join(',');
}

export function parseTargets(header: string | undefined): PipelineTarget[] | null {
  if (header === undefined || header === '') return [];
  const targets: PipelineTarget[] = [];
  for (const part of header.split(',')) {
    const match = /^([A-Za-z0-9-]{1,64})@([^\s@,/]+:(\d{1,5}))$/.exec(part.trim());
    if (!match?.[1] || !match[2]) return null;
    // A port Node cannot connect to would throw inside the pipeline set-up (found by the fuzz test).
    const port = Number(match[3]);
    if (port < 1 || port > 65535) return null;
    targets.push({ uuid: match[1], name: match[2] });
  }
  return targets.length > 16 ? null : targets;
}

// ---- packets ----

export const packetMagic = 0x54534450; // "TSDP"
export const packetHeaderBytes = 24;
export const packetFlagLast = 1;

export interface PacketHeader {
  seq: number;
  /** Offset in the block of the packet's first data byte. */
  offset: number;
  dataLength: number;
  last: boolean;
}

export interface Packet extends PacketHeader {
  checksums: Buffer;
  data: Buffer;
  /** Pooled storage behind `checksums` and `data` (decoded with a pool), to release when done. */
  storage?: Buffer | null;
}

/** Header layout: magic u32 | seq u32 | offset u64 | dataLength u32 | flags u8 | 3 reserved. */
export function encodePacketHeader(header: PacketHeader, out = Buffer.allocUnsafe(packetHeaderBytes)): Buffer {
  // allocUnsafe takes a slice of Node's shared slab: no ArrayBuffer of its own per packet
  // for the garbage collector to track; every byte is written below.
  out.writeUInt32BE(packetMagic, 0);
  out.writeUInt32BE(header.seq >>> 0, 4);
  out.writeBigUInt64BE(BigInt(header.offset), 8);
  out.writeUInt32BE(header.dataLength, 16);
  out.writeUInt8(header.last ? packetFlagLast : 0, 20);
  out.fill(0, 21, packetHeaderBytes);
  return out;
}

/** The packet as the buffers to write, without copying the data. */
export function encodePacket(packet: Packet): Buffer[] {
  return [encodePacketHeader(packet), packet.checksums, packet.data];
}

export class PacketFormatError extends Error {
  override readonly name = 'PacketFormatError';
}

/**
 * Incremental packet decoder: feed it chunks of a byte stream, take whole packets out.
 * It holds at most one packet's bytes, and refuses a header that announces more than
 * `maxPacketDataBytes`, so a malformed stream cannot make it allocate much.
 */
export class PacketDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private header: PacketHeader | null = null;

  /** With a pool, packet bodies are copied into pooled buffers the caller releases. */
  constructor(
    private readonly bytesPerChecksum: number,
    private readonly pool: BufferPool | null = null,
  ) {}

  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  push(chunk: Buffer): Packet[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const packets: Packet[] = [];
    for (;;) {
      if (this.header === null) {
        if (this.pendingBytes < packetHeaderBytes) break;
        this.header = decodePacketHeader(this.take(packetHeaderBytes));
      }
      const checksumLength = chunkCount(this.header.dataLength, this.bytesPerChecksum) * checksumBytes;
      if (this.pendingBytes < checksumLength + this.header.dataLength) break;
      const bodyBytes = checksumLength + this.header.dataLength;
      const { body, storage } = this.pool !== null && this.pending.length > 1 ? this.takePooled(this.pool, bodyBytes) : { body: this.take(bodyBytes), storage: null };
      packets.push({
        ...this.header,
        checksums: body.subarray(0, checksumLength),
        data: body.subarray(checksumLength),
        storage,
      });
      this.header = null;
    }
    return packets;
  }

  /** Like `take`, but copies straight from the pending chunks into a pooled buffer. */
  private takePooled(pool: BufferPool, bytes: number): { body: Buffer; storage: Buffer | null } {
    const { view, storage } = pool.acquire(bytes);
    let copied = 0;
    while (copied < bytes) {
      const chunk = this.pending[0] as Buffer;
      const part = Math.min(chunk.length, bytes - copied);
      chunk.copy(view, copied, 0, part);
      copied += part;
      if (part === chunk.length) this.pending.shift();
      else this.pending[0] = chunk.subarray(part);
    }
    this.pendingBytes -= bytes;
    return { body: view, storage };
  }

  private take(bytes: number): Buffer {
    const all = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending, this.pendingBytes);
    const taken = all.subarray(0, bytes);
    const rest = all.subarray(bytes);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    return taken;
  }
}

export function decodePacketHeader(buffer: Buffer): PacketHeader {
  if (buffer.readUInt32BE(0) !== packetMagic) throw new PacketFormatError('bad packet magic');
  const offset = buffer.readBigUInt64BE(8);
  if (offset > BigInt(Number.MAX_SAFE_INTEGER)) throw new PacketFormatError('packet offset out of range');
  const dataLength = buffer.readUInt32BE(16);
  if (dataLength > maxPacketDataBytes) throw new PacketFormatError(`packet of ${dataLength} bytes is too large`);
  const flags = buffer.readUInt8(20);
  if ((flags & ~packetFlagLast) !== 0) throw new PacketFormatError('unknown packet flags');
  return { seq: buffer.readUInt32BE(4), offset: Number(offset), dataLength, last: (flags & packetFlagLast) !== 0 };
}

// ---- acks (write replies) ----

export const AckStatus = { success: 0, error: 1, checksumError: 2 } as const;
export type AckStatus = (typeof AckStatus)[keyof typeof AckStatus];

/** One ack: the packet's seq and a status per pipeline node from this one downstream. */
export interface Ack {
  seq: number;
  statuses: AckStatus[];
}

export const ackMagic = 0x5453414b; // "TSAK"

/** Layout: magic u32 | seq u32 | count u8 | count status bytes. */
export function encodeAck(ack: Ack): Buffer {
  const out = Buffer.allocUnsafe(9 + ack.statuses.length); // every byte written below
  out.writeUInt32BE(ackMagic, 0);
  out.writeUInt32BE(ack.seq >>> 0, 4);
  out.writeUInt8(ack.statuses.length, 8);
  ack.statuses.forEach((status, index) => out.writeUInt8(status, 9 + index));
  return out;
}

export class AckDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Ack[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const acks: Ack[] = [];
    while (this.buffer.length >= 9) {
      if (this.buffer.readUInt32BE(0) !== ackMagic) throw new PacketFormatError('bad ack magic');
      const count = this.buffer.readUInt8(8);
      if (this.buffer.length < 9 + count) break;
      const statuses: AckStatus[] = [];
      for (let i = 0; i < count; i++) {
        const status = this.buffer.readUInt8(9 + i);
        if (status > 2) throw new PacketFormatError('bad ack status');
        statuses.push(status as AckStatus);
      }
      acks.push({ seq: this.buffer.readUInt32BE(4), statuses });
      this.buffer = this.buffer.subarray(9 + count);
    }
    return acks;
  }
}

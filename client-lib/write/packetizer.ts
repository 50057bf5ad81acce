// Cuts the bytes of one block into the packets of the transfer protocol: every packet
// but the block's last carries exactly `packetBytes` (a whole number of checksum chunks),
// so each datanode can verify and store chunk by chunk; the last one carries the flag.
// A full packet waits for the next append before it goes: if the file ends instead, it
// goes as the last packet itself (a 1 MiB file is one packet, not a full one and an empty one).
import { computeChunkChecksums } from '../../protocol/checksum.js';
import type { Packet } from '../../protocol/data-transfer.js';
import { packetDataBytes } from '../../protocol/limits.js';

/**
 * First size of a packet's buffer; it doubles up to the packet size as data comes. A small
 * file then costs a small buffer, not a whole packet's (1 MiB of garbage per 4 KiB file).
 */
const initialPacketBufferBytes = 64 * 1024;

/** The largest whole number of chunks that fits the protocol's packet size (at least one chunk). */
export function packetBytesFor(bytesPerChecksum: number): number {
  return Math.max(bytesPerChecksum, Math.floor(packetDataBytes / bytesPerChecksum) * bytesPerChecksum);
}

export interface AppendResult {
  /** Bytes of the input taken into this block. */
  consumed: number;
  /** A packet that filled up, ready to send. */
  packet: Packet | null;
}

export class BlockPacketizer {
  private pending: Buffer | null = null;
  /** With `adoptChunks`: the caller's chunk standing as the pending packet's data, uncopied. */
  private adopted: Buffer | null = null;
  private pendingBytes = 0;
  /** Block offset of the pending packet's first byte. */
  private pendingOffset = 0;
  private nextSeq = 0;
  private ended = false;

  constructor(
    readonly blockSize: number,
    readonly bytesPerChecksum: number,
    readonly packetBytes = packetBytesFor(bytesPerChecksum),
    /** The caller never touches a chunk after appending it: a packet may reference it. */
    readonly adoptChunks = false,
  ) {
    if (packetBytes % bytesPerChecksum !== 0) throw new Error('packet size must be a whole number of checksum chunks');
  }

  /** Bytes this block can still take. */
  get remaining(): number {
    return this.blockSize - this.pendingOffset - this.pendingBytes;
  }

  /** True once the last packet went out: the block takes no more data. */
  get isEnded(): boolean {
    return this.ended;
  }

  /**
   * Copies as much of `data` as fits into the pending packet (the caller may reuse its
   * buffer afterwards; with `adoptChunks` it may not, and a chunk that starts a packet is
   * referenced instead); hands out the packet before once it is full and more data comes,
   * or once it fills the block. At most one packet per
   * call, so a caller writing a huge buffer never holds more than one packet extra.
   */
  append(data: Buffer): AppendResult {
    if (this.ended) throw new Error('block already ended');
    const packetRoom = Math.min(this.packetBytes, this.blockSize - this.pendingOffset);
    // More data follows the full packet held back: it is not the last one.
    if (this.pendingBytes === packetRoom) return { consumed: 0, packet: this.emit(false) };
    const take = Math.min(packetRoom - this.pendingBytes, data.length);
    if (take > 0 && this.adoptChunks && this.pendingBytes === 0) {
      // A whole packet (or a small file's only chunk) without a copy.
      this.adopted = data.subarray(0, take);
      this.pendingBytes = take;
    } else if (take > 0) {
      this.copyAdopted(packetRoom);
      this.reserve(this.pendingBytes + take, packetRoom);
      data.copy(this.pending as Buffer, this.pendingBytes, 0, take);
      this.pendingBytes += take;
    }
    // A full packet goes at once when it ends the block or when `data` goes on past it;
    // otherwise it waits for the next append or `finish` (see the top).
    const full = this.pendingBytes === packetRoom;
    if (full && this.remaining === 0) return { consumed: take, packet: this.emit(true) };
    return { consumed: take, packet: full && take < data.length ? this.emit(false) : null };
  }

  /** The block's last packet: whatever is pending, possibly nothing. */
  finish(): Packet {
    if (this.ended) throw new Error('block already ended');
    return this.emit(true);
  }

  /** A second chunk joins the packet: the adopted first one is copied into the packet buffer after all. */
  private copyAdopted(packetRoom: number): void {
    const adopted = this.adopted;
    if (adopted === null) return;
    this.adopted = null;
    this.pendingBytes = 0;
    this.reserve(adopted.length, packetRoom);
    adopted.copy(this.pending as Buffer, 0);
    this.pendingBytes = adopted.length;
  }

  /** Makes the pending buffer hold at least `bytes` (at most `packetRoom`), keeping what it holds. */
  private reserve(bytes: number, packetRoom: number): void {
    const capacity = this.pending?.length ?? 0;
    if (capacity >= bytes) return;
    // After one full packet the data clearly keeps coming: whole packets from then on.
    let size = this.nextSeq > 0 ? packetRoom : Math.max(capacity * 2, initialPacketBufferBytes);
    while (size < bytes) size *= 2;
    const grown = Buffer.allocUnsafe(Math.min(size, packetRoom));
    if (this.pending !== null) this.pending.copy(grown, 0, 0, this.pendingBytes);
    this.pending = grown;
  }

  private emit(last: boolean): Packet {
    const data = this.adopted ?? (this.pending === null ? Buffer.alloc(0) : this.pending.subarray(0, this.pendingBytes));
    const packet: Packet = {
      seq: this.nextSeq++,
      offset: this.pendingOffset,
      dataLength: data.length,
      last,
      checksums: computeChunkChecksums(data, this.bytesPerChecksum),
      data,
    };
    this.pendingOffset += this.pendingBytes;
    this.pending = null;
    this.adopted = null;
    this.pendingBytes = 0;
    this.ended = last;
    return packet;
  }
}

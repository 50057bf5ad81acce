// `PUT /blocks/<id>`: one hop of the write pipeline. Verifies each packet, writes it to
// the rbw replica while forwarding it unchanged downstream, and acks it upstream once it
// is written here and acked by everyone downstream; the last packet only once finalized.
import type http from 'node:http';
import { findChecksumMismatch } from '../../protocol/checksum.js';
import {
  type Ack,
  AckStatus,
  datanodeUuidHeader,
  encodeAck,
  encodePacket,
  type Packet,
  PacketDecoder,
  PacketFormatError,
  type WriteBlockQuery,
} from '../../protocol/data-transfer.js';
import { DfsError } from '../../protocol/errors.js';
import { BufferPool } from '../../protocol/buffer-pool.js';
import { maxUnackedPackets, packetDataBytes } from '../../protocol/limits.js';
import type { ReplicaWriter } from '../storage/replica-writer.js';
import type { DataServerContext } from './data-server-context.js';
import type { PipelineConnection } from './pipeline-connection.js';

/** Packets held waiting for downstream acks before this hop stops reading upstream. */
const maxPendingPackets = 2 * maxUnackedPackets;

/** Packet bodies of every write this datanode receives (room for checksums of 64-byte chunks). */
const packetPool = new BufferPool(packetDataBytes + packetDataBytes / 16, 8);

interface PendingPacket {
  seq: number;
  last: boolean;
  written: boolean;
  /** Statuses from downstream, once it acked; null while waiting (always null without one). */
  downstreamStatuses: AckStatus[] | null;
}

export class BlockReceiver {
  private readonly decoder: PacketDecoder;
  private readonly pending: PendingPacket[] = [];
  private lastSeq = -1;
  private lastSeen = false;
  private upstreamEnded = false;
  private done = false;
  private resolveDone: () => void = () => undefined;
  private wakeReader: (() => void) | null = null;

  constructor(
    private readonly context: DataServerContext,
    private readonly blockId: number,
    private readonly query: WriteBlockQuery,
    private readonly request: http.IncomingMessage,
    private readonly response: http.ServerResponse,
    private readonly writer: ReplicaWriter,
    private readonly downstream: PipelineConnection | null,
  ) {
    this.decoder = new PacketDecoder(query.bytesPerChecksum, packetPool);
  }

  /** Answers 200 and runs the packet exchange; resolves when it is over, however it ended. */
  run(): Promise<void> {
    const finished = new Promise<void>((resolve) => {
      this.resolveDone = resolve;
    });
    this.response.writeHead(200, { 'content-type': 'application/octet-stream', [datanodeUuidHeader]: this.context.store.datanodeUuid });
    this.response.flushHeaders();
    this.writer.onAbort(() => this.abandon('replica taken over by a recovery'));
    this.downstream?.listen({ onAck: (ack) => this.onDownstreamAck(ack), onClose: (error) => this.onDownstreamClose(error) });
    this.request.on('data', (chunk: Buffer) => this.onChunk(chunk));
    this.request.once('end', () => this.onUpstreamEnd());
    this.response.once('close', () => this.abandon('upstream went away'));
    return finished;
  }

  /**
   * Most socket chunks complete no packet: they only go into the decoder, with no pause, no
   * promise and no closure (a 1 MiB packet arrives in about 16 of them). The stream pauses
   * only while whole packets are verified, written and forwarded.
   */
  private onChunk(chunk: Buffer): void {
    if (this.done) return; // draining the rest of a body after the exchange ended
    let packets: Packet[];
    try {
      packets = this.decoder.push(chunk);
    } catch (error) {
      this.failHere(error);
      return;
    }
    if (packets.length === 0) return;
    this.request.pause();
    void this.consume(packets)
      .catch((error: unknown) => this.failHere(error))
      .finally(() => this.request.resume());
  }

  private async consume(packets: readonly Packet[]): Promise<void> {
    for (const packet of packets) {
      if (this.done) return;
      await this.receivePacket(packet);
    }
  }

  private async receivePacket(packet: Packet): Promise<void> {
    if (this.lastSeen) throw new DfsError('InvalidRequest', 'packet after the last packet');
    this.lastSeq = packet.seq;
    if (findChecksumMismatch(packet.data, packet.checksums, this.query.bytesPerChecksum) >= 0) {
      this.context.metrics.checksumErrors.inc();
      this.fail({ seq: packet.seq, statuses: [AckStatus.checksumError] }, 'checksum mismatch in a received packet');
      return;
    }
    const entry: PendingPacket = { seq: packet.seq, last: packet.last, written: false, downstreamStatuses: null };
    this.pending.push(entry);
    this.lastSeen = packet.last;
    // The pooled body goes back once both the disk write and the socket are done with it;
    // on any failure it is simply left to the garbage collector.
    let users = this.downstream ? 2 : 1;
    const release = (): void => {
      if (--users === 0) packetPool.release(packet.storage ?? null);
    };
    const forwarded = this.forward(packet, release);
    // The last packet is written by the finalize itself: a small replica that arrives whole
    // in one packet is written, made durable and moved into `finalized` in one step.
    if (packet.last) await this.writer.finalize(packet.offset, packet.data, packet.checksums);
    else await this.writer.append(packet.offset, packet.data, packet.checksums);
    release();
    this.context.metrics.bytesWritten.inc(packet.data.length);
    await forwarded;
    entry.written = true;
    this.flushAcks();
    await this.waitForRoom();
  }

  private async forward(packet: Packet, onWritten: () => void): Promise<void> {
    if (!this.downstream) return;
    await this.downstream.send(encodePacket(packet), onWritten);
    if (packet.last) this.downstream.end();
  }

  private onDownstreamAck(ack: Ack): void {
    if (this.done) return;
    const entry = this.pending.find((candidate) => candidate.downstreamStatuses === null);
    if (!entry || entry.seq !== ack.seq) {
      this.failDownstream(`downstream acked seq ${ack.seq} out of order`);
      return;
    }
    if (ack.statuses.some((status) => status !== AckStatus.success)) {
      this.fail({ seq: ack.seq, statuses: [AckStatus.success, ...ack.statuses] }, 'a downstream datanode failed');
      return;
    }
    entry.downstreamStatuses = ack.statuses;
    this.flushAcks();
  }

  private onDownstreamClose(error?: Error): void {
    if (this.done) return;
    const allAcked = this.lastSeen && this.pending.every((entry) => entry.downstreamStatuses !== null);
    if (!allAcked) this.failDownstream(error?.message ?? 'downstream ended its acks early');
  }

  /** Sends upstream every ack that is complete, in seq order. */
  private flushAcks(): void {
    for (let head = this.pending[0]; head && !this.done; head = this.pending[0]) {
      if (!head.written || (this.downstream && head.downstreamStatuses === null)) break;
      this.pending.shift();
      this.response.write(encodeAck({ seq: head.seq, statuses: [AckStatus.success, ...(head.downstreamStatuses ?? [])] }));
      if (head.last) this.complete();
    }
    this.wakeReader?.();
    if (!this.done && this.upstreamEnded && !this.lastSeen && this.pending.length === 0) {
      this.abandon('upstream ended without a last packet');
    }
  }

  private async waitForRoom(): Promise<void> {
    while (!this.done && this.pending.length >= maxPendingPackets) {
      await new Promise<void>((resolve) => {
        this.wakeReader = resolve;
      });
      this.wakeReader = null;
    }
  }

  private onUpstreamEnd(): void {
    this.upstreamEnded = true;
    if (!this.lastSeen) {
      this.downstream?.end();
      this.flushAcks();
    }
  }

  private complete(): void {
    this.done = true;
    this.response.end();
    this.context.metrics.blocksWritten.inc();
    this.context.log.debug({ blockId: this.blockId, genStamp: this.query.genStamp, length: this.writer.length }, 'replica received');
    this.resolveDone();
  }

  private failDownstream(message: string): void {
    const head = this.pending.find((entry) => entry.downstreamStatuses === null);
    this.fail({ seq: head?.seq ?? this.lastSeq + 1, statuses: [AckStatus.success, AckStatus.error] }, message);
  }

  private failHere(error: unknown): void {
    if (!(error instanceof DfsError) && !(error instanceof PacketFormatError)) this.context.log.error({ err: error, blockId: this.blockId }, 'write failed');
    const seq = this.pending.find((entry) => !entry.written)?.seq ?? this.lastSeq + 1;
    this.fail({ seq, statuses: [AckStatus.error] }, error instanceof Error ? error.message : String(error));
  }

  /** Ends the exchange with an error ack; the rbw replica stays for a pipeline recovery. */
  private fail(ack: Ack, reason: string): void {
    if (this.done) return;
    this.context.log.warn({ blockId: this.blockId, seq: ack.seq, statuses: ack.statuses, reason }, 'write pipeline failed');
    this.response.write(encodeAck(ack));
    this.stop();
    this.response.end();
  }

  /** Ends the exchange without a word: upstream is gone or someone took the replica. */
  private abandon(reason: string): void {
    if (this.done) return;
    this.context.log.debug({ blockId: this.blockId, reason }, 'write abandoned');
    this.stop();
    if (!this.response.writableEnded) this.response.end();
  }

  private stop(): void {
    this.done = true;
    this.downstream?.destroy();
    this.wakeReader?.();
    void this.writer.abort();
    this.resolveDone();
  }
}

// The replica read on a raw keep-alive TCP connection (datanode-connection.ts): the request
// written by hand, the reply parsed by reply-parser.ts, packets split from the body as views
// of the slabs the socket read into, each verified before it is queued for the consumer.
// Reading pauses while the consumer is a few packets behind, so memory stays bounded.
import { bytesPerChecksumHeader, startOffsetHeader } from '../../protocol/data-transfer.js';
import { packetDataBytes } from '../../protocol/limits.js';
import { maxErrorReplyBytes } from '../small-reply.js';
import { type DatanodeConnection, connectionPoolFor } from '../http1/datanode-connection.js';
import { readQuery, refusalFromBody } from './http-replica-reader.js';
import { PacketSplitter } from './packet-splitter.js';
import { giveAwayReadParts, holdReadParts, releaseReadParts } from '../http1/read-slabs.js';
import type { ReplyHead } from '../http1/reply-head.js';
import { type ReplyHandlers, ReplyParser } from '../http1/reply-parser.js';
import { PacketChecker } from './packet-checker.js';
import { type ReplicaRead, readIdleTimeoutMs } from './replica-reader.js';

/** Verified bytes queued ahead of the consumer before the socket is paused. */
export const maxQueuedBytes = 2 * packetDataBytes;
/** A packet smaller than this is copied out for a consumer that keeps buffers, so it does not pin a whole slab. */
export const smallCopyBytes = 64 * 1024;

const printableAscii = /^[\x21-\x7e]*$/;

export async function* readReplicaRaw(read: ReplicaRead): AsyncGenerator<Buffer[]> {
  const request = requestText(read);
  const pool = connectionPoolFor(read.agent);
  let session: ReplicaSession;
  for (let attempt = 0; ; attempt++) {
    const connection = pool.acquire(read.location.name);
    const reused = connection.requests > 0;
    session = new ReplicaSession(read, connection);
    connection.send(request, session.parser, read.idleTimeoutMs ?? readIdleTimeoutMs);
    // A kept connection that the datanode closed meanwhile fails before any byte of the reply: once, try a new one.
    if (!(await session.failedBeforeAnyByte()) || !reused || attempt > 0) break;
    session.dispose();
  }
  try {
    yield* session.packets();
  } finally {
    session.dispose();
  }
}

function requestText(read: ReplicaRead): string {
  if (!printableAscii.test(read.token)) throw new Error('the block token holds characters a header cannot carry');
  if (!printableAscii.test(read.location.name)) throw new Error(`bad datanode address ${JSON.stringify(read.location.name)}`);
  const authorization = read.token ? `Authorization: Bearer ${read.token}\r\n` : '';
  return `GET /blocks/${read.block.id}?${readQuery(read)} HTTP/1.1\r\nHost: ${read.location.name}\r\nConnection: keep-alive\r\n${authorization}\r\n`;
}

class ReplicaSession implements ReplyHandlers {
  readonly parser = new ReplyParser(this);
  private checker: PacketChecker | null = null;
  private splitter: PacketSplitter | null = null;
  private refusal: { status: number; parts: Buffer[]; bytes: number } | null = null;
  private readonly queue: Buffer[][] = [];
  private queuedBytes = 0;
  private paused = false;
  private error: Error | null = null;
  private beforeAnyByte = false;
  /** No more packets will be queued: the reply ended, failed, or held all that was wanted. */
  private ended = false;
  private stoppedEarly = false;
  private headSeen = false;
  /** Views of an incomplete packet, held so their slab is not reused under them. */
  private pendingHeld: Buffer[] = [];
  private wake: (() => void) | null = null;
  private disposed = false;

  constructor(
    private readonly read: ReplicaRead,
    private readonly connection: DatanodeConnection,
  ) {}

  /** Waits for the head or a failure; true when the connection broke before any byte came. */
  async failedBeforeAnyByte(): Promise<boolean> {
    while (!this.headSeen && !this.ended) await this.nextEvent();
    return this.error !== null && this.beforeAnyByte;
  }

  async *packets(): AsyncGenerator<Buffer[]> {
    for (;;) {
      const parts = this.queue.shift();
      if (parts !== undefined) {
        this.queuedBytes -= totalBytes(parts);
        if (this.paused && this.queuedBytes < maxQueuedBytes) {
          this.paused = false;
          this.connection.resume();
        }
        yield parts;
        continue;
      }
      if (this.error !== null) throw this.error;
      if (this.ended) return;
      await this.nextEvent();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.read.recycle === true) for (const parts of this.queue) releaseReadParts(parts);
    this.queue.length = 0;
    releaseReadParts(this.pendingHeld);
    this.pendingHeld = [];
    if (this.parser.reusable && !this.stoppedEarly) this.connection.release();
    else this.connection.close(null);
  }

  onHead(head: ReplyHead): void {
    this.headSeen = true;
    if (head.status !== 200) {
      this.refusal = { status: head.status, parts: [], bytes: 0 };
    } else {
      const checker = new PacketChecker(Number(head.headers.get(bytesPerChecksumHeader)), Number(head.headers.get(startOffsetHeader)), this.read);
      this.checker = checker;
      this.splitter = new PacketSplitter(checker.bytesPerChecksum);
    }
    this.notify();
  }

  onBody(bytes: Buffer): void {
    if (this.refusal !== null) {
      // Only the first bytes of a refusal are kept (copied: the slab moves on).
      if (this.refusal.bytes < maxErrorReplyBytes) this.refusal.parts.push(Buffer.from(bytes.subarray(0, maxErrorReplyBytes - this.refusal.bytes)));
      this.refusal.bytes += bytes.length;
      return;
    }
    const checker = this.checker as PacketChecker;
    const splitter = this.splitter as PacketSplitter;
    if (this.stoppedEarly) return;
    if (checker.lastSeen) throw new Error('the datanode sent bytes after the last packet');
    for (const packet of splitter.push(bytes)) {
      const wanted = checker.accept(packet);
      if (wanted.length > 0) this.enqueue(wanted);
      if (checker.done && !checker.lastSeen) {
        this.stoppedEarly = true;
        this.ended = true;
        break;
      }
    }
    const pending = this.stoppedEarly ? [] : splitter.pendingParts();
    holdReadParts(pending);
    releaseReadParts(this.pendingHeld);
    this.pendingHeld = pending;
    this.notify();
  }

  onComplete(): void {
    if (this.refusal !== null) {
      this.error = refusalFromBody(this.refusal.status, Buffer.concat(this.refusal.parts).toString('utf8'));
    } else if (!this.stoppedEarly && this.checker !== null && (!this.checker.done || this.splitter?.midPacket === true)) {
      this.error = new Error(`reply ended at block offset ${this.checker.cursor}, before ${this.read.end}`);
    }
    this.ended = true;
    this.notify();
  }

  onError(error: Error, beforeAnyByte: boolean): void {
    // Everything wanted already verified and queued: the broken tail of the reply loses nothing.
    if (this.checker?.done !== true || this.refusal !== null) {
      this.error = error;
      this.beforeAnyByte = beforeAnyByte;
    }
    this.ended = true;
    this.notify();
  }

  shouldPause(): boolean {
    if (this.queuedBytes >= maxQueuedBytes) this.paused = true;
    return this.paused;
  }

  private enqueue(wanted: Buffer[]): void {
    let parts = wanted;
    if (this.read.recycle === true) {
      holdReadParts(parts);
    } else if (totalBytes(parts) < smallCopyBytes) {
      parts = [Buffer.concat(parts)];
    } else {
      giveAwayReadParts(parts);
    }
    this.queue.push(parts);
    this.queuedBytes += totalBytes(parts);
  }

  private nextEvent(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

function totalBytes(parts: readonly Buffer[]): number {
  let bytes = 0;
  for (const part of parts) bytes += part.length;
  return bytes;
}

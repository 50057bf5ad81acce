// One block of a file being written: keeps at most `maxUnackedPackets` packets in flight,
// and when the pipeline breaks repairs it as HDFS does: a fresh block elsewhere if nothing
// was acknowledged yet, otherwise pipeline recovery on the surviving datanodes with a new
// generation stamp, re-sending the packets not yet acknowledged.
import type http from 'node:http';
import type { DatanodeLocation, ExtendedBlock, LocatedBlock } from '../../protocol/common.js';
import type { Ack, Packet } from '../../protocol/data-transfer.js';
import { DfsError } from '../../protocol/errors.js';
import { maxUnackedPackets } from '../../protocol/limits.js';
import { interpretAck } from './ack-handling.js';
import { openPipelineConnection } from './open-pipeline-connection.js';
import type { PipelineConnection, PipelineFailure } from './pipeline-connection.js';

/** Outstanding packets with no ack for this long mean the pipeline hangs: blame its first node. */
export const defaultAckTimeoutMs = 30_000;
/** Fresh blocks tried for one block's data before the write gives up (HDFS: 3 retries). */
export const maxBlockAllocationAttempts = 5;
const watchdogIntervalMs = 1000;

/** The namenode calls of one block's life, already bound to the file being written. */
export interface BlockNamenode {
  addBlock(excludeNodes: string[]): Promise<LocatedBlock>;
  abandonBlock(block: ExtendedBlock): Promise<void>;
  updateBlockForPipeline(block: ExtendedBlock): Promise<LocatedBlock>;
  updatePipeline(oldBlock: ExtendedBlock, newGenStamp: number, newNodes: string[]): Promise<void>;
}

export interface BlockStreamOptions {
  namenode: BlockNamenode;
  agent: http.Agent;
  path: string;
  clientName: string;
  bytesPerChecksum: number;
  /** Datanodes that failed during this file's write; shared by all its blocks. */
  excludedNodes: Set<string>;
  /** Called with the block's acknowledged length each time it grows. */
  onAcked?: (blockBytes: number) => void;
  /** The block `create` already allocated (its first block); tried before asking addBlock. */
  preallocated?: LocatedBlock;
  ackTimeoutMs?: number;
}

export class BlockStream {
  private located: LocatedBlock | null = null;
  /**
   * The newest generation stamp the namenode issued for this block. It runs ahead of
   * `located.block.genStamp` (the last stamp a connected pipeline used) when a recovery
   * attempt got a stamp but failed to connect; the next attempt must name it.
   */
  private issuedGenStamp = 0;
  private nodes: DatanodeLocation[] = [];
  private connection: PipelineConnection | null = null;
  /**
   * The connection whose set-up is being awaited. Its 200 and a failure right after it (an
   * error ack, the end of the reply) can arrive in one read, before `connect` resumes: that
   * failure must not be dropped, or the block waits for acks that never come.
   */
  private connecting: PipelineConnection | null = null;
  private readonly unacked: Packet[] = [];
  private ackedBytes = 0;
  private everAcked = false;
  private lastAcked = false;
  private failure: PipelineFailure | null = null;
  private wake: (() => void) | null = null;
  private lastProgressAt = Date.now();
  private allocations = 0;
  private readonly problems: string[] = [];
  private readonly watchdog: NodeJS.Timeout;

  private constructor(private readonly options: BlockStreamOptions) {
    this.watchdog = setInterval(() => this.checkAckProgress(), watchdogIntervalMs);
    this.watchdog.unref();
  }

  /** Allocates the block and connects its pipeline, trying other datanodes on failure. */
  static async open(options: BlockStreamOptions): Promise<BlockStream> {
    const stream = new BlockStream(options);
    try {
      await stream.allocate();
      await stream.settle(() => true);
    } catch (error) {
      stream.abort();
      throw error;
    }
    return stream;
  }

  /** The block as the namenode should record it: current generation stamp, acknowledged length. */
  get block(): ExtendedBlock {
    if (this.located === null) throw new Error('block not allocated');
    return { id: this.located.block.id, genStamp: this.located.block.genStamp, length: this.ackedBytes };
  }

  /** Returns once the packet is on its way and the window has room again (backpressure). */
  async send(packet: Packet): Promise<void> {
    await this.settle(() => this.unacked.length < maxUnackedPackets);
    if (this.unacked.length === 0) this.lastProgressAt = Date.now();
    this.unacked.push(packet);
    this.transmit(packet);
  }

  /** Waits for the last packet's ack (every replica finalized) and returns the final block. */
  async finish(): Promise<ExtendedBlock> {
    await this.settle(() => this.lastAcked);
    this.abort();
    return this.block;
  }

  abort(): void {
    clearInterval(this.watchdog);
    this.connection?.destroy();
    this.connection = null;
  }

  private transmit(packet: Packet): void {
    this.connection?.send(packet);
    if (packet.last) this.connection?.end();
  }

  /** Waits until `condition` holds, repairing the pipeline each time it breaks on the way. */
  private async settle(condition: () => boolean): Promise<void> {
    for (;;) {
      if (this.failure !== null) await this.repair(this.failure);
      else if (condition()) return;
      else {
        // While a write waits, the watchdog holds the process open: were an event ever lost,
        // the wait would end as an ack timeout and a repair, not as a silent exit.
        this.watchdog.ref();
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.watchdog.unref();
      }
    }
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async repair(failure: PipelineFailure): Promise<void> {
    this.failure = null;
    this.connection?.destroy();
    this.connection = null;
    const bad = this.nodes[failure.badIndex] ?? this.nodes[0];
    this.problems.push(failure.reason);
    if (bad) this.options.excludedNodes.add(bad.uuid);
    if (!this.everAcked) {
      // Nothing is durable anywhere yet: cheaper and cleaner to start the block afresh.
      if (this.located) await this.options.namenode.abandonBlock({ ...this.located.block, length: 0 });
      await this.allocate();
    } else {
      await this.recover(bad);
    }
  }

  private async allocate(): Promise<void> {
    if (++this.allocations > maxBlockAllocationAttempts) {
      throw new DfsError('Unavailable', `could not set up a write pipeline for ${this.options.path} after ${maxBlockAllocationAttempts} attempts: ${this.problems.join('; ')}`);
    }
    const preallocated = this.allocations === 1 ? this.options.preallocated : undefined;
    this.located = preallocated ?? (await this.options.namenode.addBlock([...this.options.excludedNodes]));
    this.issuedGenStamp = this.located.block.genStamp;
    this.nodes = [...this.located.locations];
    if (this.nodes.length === 0) {
      throw new DfsError('NotEnoughDatanodes', `the namenode offered no datanode for a block of ${this.options.path}`);
    }
    if (await this.connect(this.located.block.genStamp, this.located.token)) this.resendUnacked();
  }

  /** Pipeline recovery: the survivors keep what every node acknowledged and take the rest again. */
  private async recover(bad: DatanodeLocation | undefined): Promise<void> {
    const located = this.located;
    if (located === null) throw new Error('recovery before allocation');
    const survivors = this.nodes.filter((node) => node !== bad);
    const blockName = `blk_${located.block.id}`;
    if (survivors.length === 0) {
      throw new DfsError('Unavailable', `all datanodes of the write pipeline for ${blockName} of ${this.options.path} failed: ${this.problems.join('; ')}`);
    }
    this.nodes = survivors;
    const updated = await this.options.namenode.updateBlockForPipeline({ ...this.block, genStamp: this.issuedGenStamp });
    const newGenStamp = updated.block.genStamp;
    this.issuedGenStamp = newGenStamp;
    // Survivors hold the replica at the last connected stamp, or at a stamp of a recovery
    // attempt that failed half-way; datanodes accept any stamp from `oldGenStamp` up.
    const recovery = { oldGenStamp: located.block.genStamp, offset: this.ackedBytes };
    if (!(await this.connect(newGenStamp, updated.token, recovery))) return;
    // Recorded before any new data flows, so the namenode never sees a finalized replica
    // with a generation stamp it does not know yet.
    await this.options.namenode.updatePipeline(this.block, newGenStamp, survivors.map((node) => node.uuid));
    this.located = { ...located, block: { ...located.block, genStamp: newGenStamp }, token: updated.token, locations: survivors };
    this.resendUnacked();
  }

  /** Opens a pipeline on `this.nodes`; false (with `failure` set) when set-up failed. */
  private async connect(genStamp: number, token: string, recovery?: { oldGenStamp: number; offset: number }): Promise<boolean> {
    const located = this.located;
    if (located === null) throw new Error('connect before allocation');
    const connection: PipelineConnection = openPipelineConnection(
      {
        agent: this.options.agent,
        blockId: located.block.id,
        genStamp,
        token,
        nodes: this.nodes,
        bytesPerChecksum: this.options.bytesPerChecksum,
        clientName: this.options.clientName,
        ...(recovery ? { recovery } : {}),
      },
      { onAck: (ack) => this.onAck(connection, ack), onFailure: (failure) => this.onFailure(connection, failure) },
    );
    this.connecting = connection;
    try {
      await connection.ready;
    } catch (failure) {
      this.failure = failure as PipelineFailure;
      return false;
    } finally {
      this.connecting = null;
    }
    // A failure reported meanwhile is in `failure`: the caller's settle() repairs it.
    this.connection = connection;
    this.lastProgressAt = Date.now();
    return true;
  }

  private resendUnacked(): void {
    for (const packet of this.unacked) this.transmit(packet);
  }

  private onAck(connection: PipelineConnection, ack: Ack): void {
    if (connection !== this.connection && connection !== this.connecting) return;
    // Nothing was sent on a connection still being set up: any ack on it is a failure.
    const expectedSeq = connection === this.connection ? this.unacked[0]?.seq : undefined;
    const outcome = interpretAck(ack, expectedSeq, this.nodes.length);
    if (outcome.kind === 'failed') {
      this.onFailure(connection, outcome);
      return;
    }
    const packet = this.unacked.shift() as Packet;
    this.ackedBytes = packet.offset + packet.dataLength;
    this.everAcked = true;
    this.lastAcked = packet.last;
    this.lastProgressAt = Date.now();
    this.options.onAcked?.(this.ackedBytes);
    this.signal();
  }

  private onFailure(connection: PipelineConnection, failure: PipelineFailure): void {
    if ((connection !== this.connection && connection !== this.connecting) || this.lastAcked) return;
    connection.destroy();
    this.failure = failure;
    this.signal();
  }

  private checkAckProgress(): void {
    const timeoutMs = this.options.ackTimeoutMs ?? defaultAckTimeoutMs;
    if (this.connection === null || this.unacked.length === 0) return;
    if (Date.now() - this.lastProgressAt < timeoutMs) return;
    this.onFailure(this.connection, { badIndex: 0, reason: `no ack from ${this.nodes[0]?.name ?? '?'} for ${timeoutMs} ms` });
  }
}

// The needed-replication queues (pure): blocks that lack live replicas or rack spread, by
// priority as HDFS orders them. Updated on events (a report, a death, setReplication, a bad
// replica), never by rescanning the block map, and read a bounded number per tick.
//
// After a restart every block passes through here while the first full report arrives, so
// membership costs no heap object: each level is an intrusive doubly linked list over the
// block table's records (Int32Array next/prev, a level byte): ~9 bytes a record while any
// block is queued, released when the queues empty, instead of ~35 bytes of Set entry per
// queued block and a hash table that the process keeps after it is freed.

/** Priority levels, most urgent first. */
export const ReplicationPriority = {
  /** One live replica left (or only decommissioning ones): one more failure loses the block. */
  highest: 0,
  /** Fewer than a third of the target live. */
  veryUnder: 1,
  /** Under-replicated, not urgently. */
  under: 2,
  /** Enough replicas, all on one rack while the cluster has several. */
  badlyDistributed: 3,
} as const;
export type ReplicationPriority = (typeof ReplicationPriority)[keyof typeof ReplicationPriority];
export const priorityLevels = 4;

/** HDFS's getPriority: by live replicas against the target. */
export function replicationPriorityOf(liveReplicas: number, expectedReplication: number): ReplicationPriority {
  if (liveReplicas <= 1) return ReplicationPriority.highest;
  if (liveReplicas * 3 < expectedReplication) return ReplicationPriority.veryUnder;
  return ReplicationPriority.under;
}

/** What the queues need of the block table: a block's record and back. */
export interface BlockRecords {
  /** The record of a block, or -1; stable while the block lives. */
  slotOf(blockId: number): number;
  blockIdAt(slot: number): number;
  /** Records the table has room for: the link arrays are allocated at this size in one go. */
  readonly recordCapacity: number;
}

const noSlot = -1;
/** Level byte of a record in no queue; a queued record holds its priority + 1. */
const notQueued = 0;
const initialRecords = 1024;

export class NeededReplicationQueues {
  private next = new Int32Array(0);
  private prev = new Int32Array(0);
  private levelOfSlot = new Uint8Array(0);
  private readonly heads = new Int32Array(priorityLevels).fill(noSlot);
  private readonly tails = new Int32Array(priorityLevels).fill(noSlot);
  private readonly sizes = new Int32Array(priorityLevels);

  /**
   * Every block queued here must be removed (`remove`) before it leaves the block table:
   * its record may be reused by another block.
   */
  constructor(private readonly records: BlockRecords) {}

  get size(): number {
    let size = 0;
    for (const levelSize of this.sizes) size += levelSize;
    return size;
  }

  /** Bytes of the link arrays (allocated on first use, grown with the table's records). */
  get byteLength(): number {
    return this.next.byteLength + this.prev.byteLength + this.levelOfSlot.byteLength;
  }

  sizeOf(priority: ReplicationPriority): number {
    return this.sizes[priority] as number;
  }

  priorityOf(blockId: number): ReplicationPriority | undefined {
    const slot = this.records.slotOf(blockId);
    return slot < 0 ? undefined : this.priorityAt(slot);
  }

  priorityAt(slot: number): ReplicationPriority | undefined {
    const level = slot < this.levelOfSlot.length ? (this.levelOfSlot[slot] as number) : notQueued;
    return level === notQueued ? undefined : ((level - 1) as ReplicationPriority);
  }

  /** Adds or moves a block; a block already at this level keeps its place in line. */
  put(blockId: number, priority: ReplicationPriority): void {
    const slot = this.records.slotOf(blockId);
    if (slot >= 0) this.putAt(slot, priority);
  }

  putAt(slot: number, priority: ReplicationPriority): void {
    const current = this.priorityAt(slot);
    if (current === priority) return;
    if (current !== undefined) this.unlink(slot, current);
    else this.ensureRecords(slot + 1);
    this.append(slot, priority);
  }

  remove(blockId: number): void {
    const slot = this.records.slotOf(blockId);
    if (slot >= 0) this.removeAt(slot);
  }

  removeAt(slot: number): void {
    const current = this.priorityAt(slot);
    if (current === undefined) return;
    this.unlink(slot, current);
    this.releaseRecordsIfEmpty();
  }

  /** Sends a block that could not be served now to the back of its line (round robin). */
  moveToBack(blockId: number): void {
    const slot = this.records.slotOf(blockId);
    const current = slot < 0 ? undefined : this.priorityAt(slot);
    if (current === undefined) return;
    this.unlink(slot, current);
    this.append(slot, current);
  }

  /** Up to `limit` blocks in priority order, for one tick's work. */
  take(limit: number): number[] {
    const chosen: number[] = [];
    for (let priority = 0; priority < priorityLevels; priority++) {
      for (let slot = this.heads[priority] as number; slot !== noSlot; slot = this.next[slot] as number) {
        if (chosen.length >= limit) return chosen;
        const blockId = this.records.blockIdAt(slot);
        if (blockId < 0) throw new Error(`needed-replication queue ${priority} holds freed record ${slot}: a block left the table while queued`);
        chosen.push(blockId);
      }
    }
    return chosen;
  }

  private append(slot: number, priority: ReplicationPriority): void {
    const tail = this.tails[priority] as number;
    this.prev[slot] = tail;
    this.next[slot] = noSlot;
    if (tail === noSlot) this.heads[priority] = slot;
    else this.next[tail] = slot;
    this.tails[priority] = slot;
    this.levelOfSlot[slot] = priority + 1;
    this.sizes[priority] = (this.sizes[priority] as number) + 1;
  }

  private unlink(slot: number, priority: ReplicationPriority): void {
    const before = this.prev[slot] as number;
    const after = this.next[slot] as number;
    if (before === noSlot) this.heads[priority] = after;
    else this.next[before] = after;
    if (after === noSlot) this.tails[priority] = before;
    else this.prev[after] = before;
    this.levelOfSlot[slot] = notQueued;
    this.sizes[priority] = (this.sizes[priority] as number) - 1;
  }

  /** Empty (say after a restart's reports): give the link arrays back rather than keep ~9 B a record. */
  private releaseRecordsIfEmpty(): void {
    if (this.size !== 0) return;
    this.next = new Int32Array(0);
    this.prev = new Int32Array(0);
    this.levelOfSlot = new Uint8Array(0);
  }

  /**
   * Sizes the link arrays to the table's records (doubling beyond, should a caller run
   * ahead of it): one allocation when the first block is queued, not a dozen doublings
   * whose garbage the allocator would keep after the queues are released.
   */
  private ensureRecords(records: number): void {
    if (records <= this.levelOfSlot.length) return;
    let capacity = Math.max(initialRecords, this.levelOfSlot.length, this.records.recordCapacity);
    while (capacity < records) capacity *= 2;
    const next = new Int32Array(capacity);
    next.set(this.next);
    const prev = new Int32Array(capacity);
    prev.set(this.prev);
    const levels = new Uint8Array(capacity);
    levels.set(this.levelOfSlot);
    this.next = next;
    this.prev = prev;
    this.levelOfSlot = levels;
  }
}

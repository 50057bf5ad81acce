// Packed per-block records: every field in a typed array indexed by a record number that
// stays fixed while the block lives (freed records are reused through a free list), so a
// block costs ~34 bytes plus ~8 of id index instead of a JS object, an array and Set entries.
// Up to `inlineReplicas` replica datanode indexes sit inline; more (over-replication) go to
// a small side map, as do replica lengths that differ from the block's own (a block still
// being written), both rare. The block map (block-map.ts) builds its API on this.
import type { BlockState } from '../storage/records.js';
import { BlockIdIndex } from './block-id-index.js';
import { Uint32Column } from './uint32-column.js';

export const blockStates: readonly BlockState[] = ['underConstruction', 'committed', 'complete'];
const stateCodes: Record<BlockState, number> = { underConstruction: 0, committed: 1, complete: 2 };

/** Enough for replication 3, HDFS's default; a fourth replica is an over-replication moment. */
export const defaultInlineReplicas = 3;
const initialRecords = 1024;
/** Replicas a block can have at once: the count is a byte (far above maxReplication's use). */
const maxReplicasPerBlock = 255;
const maxExpectedReplication = 0xffff;
const noDatanode = -1;

/** Replicas beyond the inline ones, with their report-seen marks. */
interface ExtraReplicas {
  nodes: number[];
  seen: boolean[];
}

export class BlockTable {
  readonly inlineReplicas: number;
  protected readonly index: BlockIdIndex;
  private capacity = initialRecords;
  /** Block id per record; -1 marks a free record (its first inline replica slot then links the free list). */
  private ids = new Float64Array(initialRecords).fill(-1);
  private readonly genStamps = new Uint32Column(initialRecords);
  private readonly lengths = new Uint32Column(initialRecords);
  private expected = new Uint16Array(initialRecords);
  private states = new Uint8Array(initialRecords);
  private healths = new Uint8Array(initialRecords);
  private replicaCounts = new Uint8Array(initialRecords);
  /** Bit p: the inline replica at position p was named by its datanode's current full report. */
  private seenBits = new Uint8Array(initialRecords);
  private nodes: Int32Array;
  private readonly extra = new Map<number, ExtraReplicas>();
  /** record → datanode → reported length, only where it differs from the block's length. */
  private readonly oddLengths = new Map<number, Map<number, number>>();
  /** Records ever used: the scan bound. */
  protected highWater = 0;
  private freeHead = -1;
  private readonly replicasPerDatanode: number[] = [];

  constructor(inlineReplicas = defaultInlineReplicas) {
    if (!Number.isInteger(inlineReplicas) || inlineReplicas < 1 || inlineReplicas > 8) throw new Error(`inline replicas must be 1..8, not ${inlineReplicas}`);
    this.inlineReplicas = inlineReplicas;
    this.nodes = new Int32Array(initialRecords * inlineReplicas).fill(noDatanode);
    this.index = new BlockIdIndex(this.ids);
  }

  get size(): number {
    return this.index.size;
  }

  /** Bytes of the typed arrays (the side maps are not counted: they hold rare cases only). */
  get byteLength(): number {
    const arrays = [this.ids, this.genStamps, this.lengths, this.expected, this.states, this.healths, this.replicaCounts, this.seenBits, this.nodes];
    return arrays.reduce((sum, array) => sum + array.byteLength, this.index.byteLength);
  }

  /** The record of a block, or -1. Stable while the block stays in the table. */
  slotOf(blockId: number): number {
    return this.index.find(blockId);
  }

  // ---- fields ----

  isLive(slot: number): boolean {
    return slot < this.highWater && (this.ids[slot] as number) >= 0;
  }
  blockIdAt(slot: number): number {
    return this.ids[slot] as number;
  }
  genStampAt(slot: number): number {
    return this.genStamps.get(slot);
  }
  lengthAt(slot: number): number {
    return this.lengths.get(slot);
  }
  stateAt(slot: number): BlockState {
    return blockStates[this.states[slot] as number] as BlockState;
  }
  expectedReplicationAt(slot: number): number {
    return this.expected[slot] as number;
  }
  /** What the block counts as in the health counters (bits owned by the replication monitor). */
  healthAt(slot: number): number {
    return this.healths[slot] as number;
  }
  setHealthAt(slot: number, health: number): void {
    this.healths[slot] = health;
  }
  setExpectedReplicationAt(slot: number, replication: number): void {
    if (!Number.isInteger(replication) || replication < 0 || replication > maxExpectedReplication) throw new Error(`bad expected replication ${replication}`);
    this.expected[slot] = replication;
  }

  protected writeFields(slot: number, genStamp: number, length: number, state: BlockState, expectedReplication: number): void {
    this.genStamps.set(slot, genStamp);
    this.setLengthAt(slot, length);
    this.states[slot] = stateCodes[state];
    this.setExpectedReplicationAt(slot, expectedReplication);
  }

  /** Replica lengths stored as "the block's" keep what was reported when the block's length changes. */
  private setLengthAt(slot: number, length: number): void {
    const before = this.lengths.get(slot);
    if (before === length) return;
    const count = this.replicaCounts[slot] as number;
    if (count > 0) {
      const odd = this.oddLengths.get(slot) ?? new Map<number, number>();
      for (let position = 0; position < count; position++) {
        const datanode = this.replicaNodeAt(slot, position);
        const reported = odd.get(datanode) ?? before;
        if (reported === length) odd.delete(datanode);
        else odd.set(datanode, reported);
      }
      if (odd.size > 0) this.oddLengths.set(slot, odd);
      else this.oddLengths.delete(slot);
    }
    this.lengths.set(slot, length);
  }

  // ---- records ----

  protected allocate(blockId: number): number {
    let slot = this.freeHead;
    if (slot >= 0) {
      this.freeHead = this.nodes[slot * this.inlineReplicas] as number;
      this.nodes[slot * this.inlineReplicas] = noDatanode;
    } else {
      if (this.highWater === this.capacity) this.grow();
      slot = this.highWater++;
    }
    this.ids[slot] = blockId;
    this.lengths.set(slot, 0);
    this.healths[slot] = 0;
    this.index.insert(blockId, slot);
    return slot;
  }

  /** Frees a record whose replicas were already removed. */
  protected release(slot: number): void {
    this.index.remove(this.ids[slot] as number);
    this.ids[slot] = -1;
    this.genStamps.set(slot, 0);
    this.lengths.set(slot, 0);
    // A free record holds no replica: its first inline slot links the free list (-1, noDatanode, ends it).
    this.nodes[slot * this.inlineReplicas] = this.freeHead;
    this.freeHead = slot;
  }

  /** Records the arrays hold before they next grow. */
  get recordCapacity(): number {
    return this.capacity;
  }

  /**
   * Room for `records` records at once (the block count known at start-up): the arrays are
   * allocated at their final power-of-two size instead of being doubled a dozen times while
   * the namespace loads, which leaves each smaller copy as garbage for the allocator to keep.
   */
  reserve(records: number): void {
    let capacity = this.capacity;
    while (capacity < records) capacity *= 2;
    if (capacity !== this.capacity) this.grow(capacity);
    this.index.reserve(records);
  }

  private grow(capacity = this.capacity * 2): void {
    const widen = <T extends Float64Array | Uint16Array | Uint8Array | Int32Array>(old: T, make: (length: number) => T, perRecord = 1, fill = 0): T => {
      const next = make(capacity * perRecord);
      if (fill !== 0) next.fill(fill);
      next.set(old);
      return next;
    };
    this.ids = widen(this.ids, (n) => new Float64Array(n), 1, -1);
    this.index.ids = this.ids;
    this.genStamps.grow(capacity);
    this.lengths.grow(capacity);
    this.expected = widen(this.expected, (n) => new Uint16Array(n));
    this.states = widen(this.states, (n) => new Uint8Array(n));
    this.healths = widen(this.healths, (n) => new Uint8Array(n));
    this.replicaCounts = widen(this.replicaCounts, (n) => new Uint8Array(n));
    this.seenBits = widen(this.seenBits, (n) => new Uint8Array(n));
    this.nodes = widen(this.nodes, (n) => new Int32Array(n), this.inlineReplicas, noDatanode);
    this.capacity = capacity;
  }

  // ---- replicas (by position 0 … count-1, in the order they arrived) ----

  replicaCountAt(slot: number): number {
    return this.replicaCounts[slot] as number;
  }

  replicaNodeAt(slot: number, position: number): number {
    if (position < this.inlineReplicas) return this.nodes[slot * this.inlineReplicas + position] as number;
    return this.extra.get(slot)?.nodes[position - this.inlineReplicas] ?? noDatanode;
  }

  replicaLengthAt(slot: number, position: number): number {
    const odd = this.oddLengths.get(slot);
    const length = odd === undefined ? undefined : odd.get(this.replicaNodeAt(slot, position));
    return length ?? this.lengths.get(slot);
  }

  replicaPositionOf(slot: number, datanodeIndex: number): number {
    const count = this.replicaCounts[slot] as number;
    const base = slot * this.inlineReplicas;
    const inline = Math.min(count, this.inlineReplicas);
    for (let position = 0; position < inline; position++) if (this.nodes[base + position] === datanodeIndex) return position;
    if (count <= inline) return -1;
    const at = this.extra.get(slot)?.nodes.indexOf(datanodeIndex) ?? -1;
    return at < 0 ? -1 : at + this.inlineReplicas;
  }

  /** Replicas the table holds on one datanode (dfsadmin -report's block count). */
  replicaCountOn(datanodeIndex: number): number {
    return this.replicasPerDatanode[datanodeIndex] ?? 0;
  }

  /** Adds a replica, or updates its reported length when the datanode already has one; false when nothing changed. */
  protected putReplica(slot: number, datanodeIndex: number, length: number): boolean {
    if (!Number.isInteger(datanodeIndex) || datanodeIndex < 0) throw new Error(`bad datanode index ${datanodeIndex}`);
    let position = this.replicaPositionOf(slot, datanodeIndex);
    if (position < 0) {
      position = this.replicaCounts[slot] as number;
      if (position >= maxReplicasPerBlock) throw new Error(`block ${this.ids[slot]} has ${position} replicas: more than a byte counts`);
      this.writeReplicaNode(slot, position, datanodeIndex, false);
      this.replicaCounts[slot] = position + 1;
      this.replicasPerDatanode[datanodeIndex] = this.replicaCountOn(datanodeIndex) + 1;
    } else if (this.replicaLengthAt(slot, position) === length) {
      return false;
    }
    this.setReplicaLength(slot, datanodeIndex, length);
    return true;
  }

  /** Removes the replica at `position`, keeping the others in arrival order. */
  protected deleteReplicaAt(slot: number, position: number): void {
    const count = this.replicaCounts[slot] as number;
    const datanodeIndex = this.replicaNodeAt(slot, position);
    for (let at = position; at < count - 1; at++) this.writeReplicaNode(slot, at, this.replicaNodeAt(slot, at + 1), this.isSeen(slot, at + 1));
    this.writeReplicaNode(slot, count - 1, noDatanode, false);
    this.replicaCounts[slot] = count - 1;
    this.replicasPerDatanode[datanodeIndex] = this.replicaCountOn(datanodeIndex) - 1;
    this.setReplicaLength(slot, datanodeIndex, this.lengths.get(slot));
  }

  private writeReplicaNode(slot: number, position: number, datanodeIndex: number, seen: boolean): void {
    if (position < this.inlineReplicas) {
      this.nodes[slot * this.inlineReplicas + position] = datanodeIndex;
      this.setSeen(slot, position, seen);
      return;
    }
    let extra = this.extra.get(slot);
    if (extra === undefined) this.extra.set(slot, (extra = { nodes: [], seen: [] }));
    const at = position - this.inlineReplicas;
    if (datanodeIndex === noDatanode) {
      extra.nodes.length = at;
      extra.seen.length = at;
      if (at === 0) this.extra.delete(slot);
      return;
    }
    extra.nodes[at] = datanodeIndex;
    extra.seen[at] = seen;
  }

  private setReplicaLength(slot: number, datanodeIndex: number, length: number): void {
    let odd = this.oddLengths.get(slot);
    if (length === this.lengths.get(slot)) {
      if (odd?.delete(datanodeIndex) === true && odd.size === 0) this.oddLengths.delete(slot);
      return;
    }
    if (odd === undefined) this.oddLengths.set(slot, (odd = new Map()));
    odd.set(datanodeIndex, length);
  }

  // ---- full-report marks ----

  isSeen(slot: number, position: number): boolean {
    if (position < this.inlineReplicas) return ((this.seenBits[slot] as number) & (1 << position)) !== 0;
    return this.extra.get(slot)?.seen[position - this.inlineReplicas] ?? false;
  }

  setSeen(slot: number, position: number, seen: boolean): void {
    if (position >= this.inlineReplicas) {
      const extra = this.extra.get(slot);
      if (extra !== undefined) extra.seen[position - this.inlineReplicas] = seen;
      return;
    }
    const bit = 1 << position;
    const bits = this.seenBits[slot] as number;
    this.seenBits[slot] = seen ? bits | bit : bits & ~bit;
  }
}

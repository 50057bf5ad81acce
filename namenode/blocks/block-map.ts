// The block map: for every block of the namespace, its generation stamp, length, state and
// expected replication (mirrored from LMDB) and where its replicas are (from block reports).
// The only per-block state in the heap, packed into typed arrays (block-table.ts): hot paths
// read fields by slot (`slotOf`, `genStampAt`, `replicaNodeAt`, …) and allocate nothing;
// `get` builds a snapshot object for tests and cold paths.
//
// There is no per-datanode index: the blocks of one datanode are found by a scan of the
// inline replica arrays (a few ms per million blocks), which only a datanode's death, an
// admin-state change, decommissioning checks and the end of a full report need.
import type { BlockState } from '../storage/records.js';
import { BlockTable } from './block-table.js';

/** The fields the namespace gives a block (what `set` takes). */
export class BlockInfo {
  constructor(
    readonly genStamp: number,
    readonly length: number,
    readonly state: BlockState,
    readonly expectedReplication: number,
  ) {}
}

/** A copy of one block's record and replicas at the time of `get`. */
export class BlockSnapshot extends BlockInfo {
  constructor(
    fields: BlockInfo,
    /** Flat pairs: [datanodeIndex, reportedLengthBytes, …], in arrival order. */
    readonly replicas: readonly number[],
    readonly health: number,
  ) {
    super(fields.genStamp, fields.length, fields.state, fields.expectedReplication);
  }

  get replicaCount(): number {
    return this.replicas.length / 2;
  }

  *replicaEntries(): Generator<{ datanodeIndex: number; length: number }> {
    for (let i = 0; i < this.replicas.length; i += 2) {
      yield { datanodeIndex: this.replicas[i] as number, length: this.replicas[i + 1] as number };
    }
  }

  hasReplicaOn(datanodeIndex: number): boolean {
    for (let i = 0; i < this.replicas.length; i += 2) if (this.replicas[i] === datanodeIndex) return true;
    return false;
  }
}

export class BlockMap extends BlockTable {
  /** Replicas reported bad: block id → datanode indexes. Small: the monitor replaces them. */
  private readonly corrupt = new Map<number, Set<number>>();

  has(blockId: number): boolean {
    return this.slotOf(blockId) >= 0;
  }

  get(blockId: number): BlockSnapshot | undefined {
    const slot = this.slotOf(blockId);
    if (slot < 0) return undefined;
    const replicas: number[] = [];
    for (let position = 0; position < this.replicaCountAt(slot); position++) {
      replicas.push(this.replicaNodeAt(slot, position), this.replicaLengthAt(slot, position));
    }
    return new BlockSnapshot(this.fieldsAt(slot), replicas, this.healthAt(slot));
  }

  fieldsAt(slot: number): BlockInfo {
    return new BlockInfo(this.genStampAt(slot), this.lengthAt(slot), this.stateAt(slot), this.expectedReplicationAt(slot));
  }

  /** Adds a block or updates its fields; replicas and health stay. Returns its slot. */
  set(blockId: number, info: BlockInfo): number {
    return this.setFields(blockId, info.genStamp, info.length, info.state, info.expectedReplication);
  }

  /** `set` without an object per call, for loading a million blocks. */
  setFields(blockId: number, genStamp: number, length: number, state: BlockState, expectedReplication: number): number {
    if (!Number.isSafeInteger(blockId) || blockId < 0) throw new Error(`bad block id ${blockId}`);
    let slot = this.slotOf(blockId);
    if (slot < 0) slot = this.allocate(blockId);
    this.writeFields(slot, genStamp, length, state, expectedReplication);
    return slot;
  }

  /** Every block id (a scan; blocks added or removed meanwhile may or may not be visited). */
  *blockIds(): Generator<number> {
    for (let slot = 0; slot < this.highWater; slot++) if (this.isLive(slot)) yield this.blockIdAt(slot);
  }

  *entries(): Generator<[number, BlockSnapshot]> {
    for (const blockId of this.blockIds()) yield [blockId, this.get(blockId) as BlockSnapshot];
  }

  /** Forgets a block; returns the datanodes that held a replica (they must delete it). */
  remove(blockId: number): number[] {
    const slot = this.slotOf(blockId);
    if (slot < 0) return [];
    const holders: number[] = [];
    for (let position = this.replicaCountAt(slot) - 1; position >= 0; position--) {
      holders.unshift(this.replicaNodeAt(slot, position));
      this.deleteReplicaAt(slot, position);
    }
    this.corrupt.delete(blockId);
    this.release(slot);
    return holders;
  }

  /** Records a replica (or its new length); false when the block is unknown or nothing changed. */
  addReplica(blockId: number, datanodeIndex: number, length: number): boolean {
    const slot = this.slotOf(blockId);
    return slot >= 0 && this.putReplica(slot, datanodeIndex, length);
  }

  /** `addReplica` for a caller that looked the slot up already. */
  addReplicaAt(slot: number, datanodeIndex: number, length: number): boolean {
    return this.putReplica(slot, datanodeIndex, length);
  }

  removeReplica(blockId: number, datanodeIndex: number): void {
    const slot = this.slotOf(blockId);
    if (slot >= 0) {
      const position = this.replicaPositionOf(slot, datanodeIndex);
      if (position >= 0) this.deleteReplicaAt(slot, position);
    }
    const corruptOn = this.corrupt.get(blockId);
    corruptOn?.delete(datanodeIndex);
    if (corruptOn?.size === 0) this.corrupt.delete(blockId);
  }

  hasReplicaOn(slot: number, datanodeIndex: number): boolean {
    return this.replicaPositionOf(slot, datanodeIndex) >= 0;
  }

  /** The slots of every block with a replica on the datanode (a scan of the table). */
  slotsOn(datanodeIndex: number): number[] {
    const slots: number[] = [];
    for (let slot = 0; slot < this.highWater; slot++) {
      if (this.replicaCountAt(slot) > 0 && this.replicaPositionOf(slot, datanodeIndex) >= 0) slots.push(slot);
    }
    return slots;
  }

  /** The ids of every block with a replica on the datanode (a scan of the table). */
  blocksOn(datanodeIndex: number): number[] {
    return this.slotsOn(datanodeIndex).map((slot) => this.blockIdAt(slot));
  }

  // ---- full block reports ----

  /** The datanode named this block in its current full report: its replica stays. */
  markReported(blockId: number, datanodeIndex: number): void {
    const slot = this.slotOf(blockId);
    if (slot >= 0) this.markReportedAt(slot, datanodeIndex);
  }

  markReportedAt(slot: number, datanodeIndex: number): void {
    const position = this.replicaPositionOf(slot, datanodeIndex);
    if (position >= 0) this.setSeen(slot, position, true);
  }

  /**
   * The end of a full report, one stretch of the table at a time so a million-block sweep
   * never holds the event loop: visits up to `slotBudget` records from `fromSlot`. A replica
   * on the datanode that the report named loses its mark (ready for the next report); one it
   * did not name is handed to `onUnreported` (which may remove it). Returns the record to go
   * on from, or -1 once the whole table was visited. No list of the node's blocks is built.
   */
  sweepUnreported(datanodeIndex: number, fromSlot: number, slotBudget: number, onUnreported: (blockId: number) => void): number {
    const end = Math.min(this.highWater, fromSlot + slotBudget);
    for (let slot = fromSlot; slot < end; slot++) {
      if (this.replicaCountAt(slot) === 0) continue;
      const position = this.replicaPositionOf(slot, datanodeIndex);
      if (position < 0) continue;
      if (this.isSeen(slot, position)) this.setSeen(slot, position, false);
      else onUnreported(this.blockIdAt(slot));
    }
    return end >= this.highWater ? -1 : end;
  }

  /** `sweepUnreported` over the whole table at once: the blocks the report did not name. */
  takeUnreported(datanodeIndex: number): number[] {
    const unreported: number[] = [];
    this.sweepUnreported(datanodeIndex, 0, Number.POSITIVE_INFINITY, (blockId) => unreported.push(blockId));
    return unreported;
  }

  /** A full report left unfinished (the datanode started another): forget its marks. */
  clearReported(datanodeIndex: number): void {
    for (let slot = 0; slot < this.highWater; slot++) {
      if (this.replicaCountAt(slot) === 0) continue;
      const position = this.replicaPositionOf(slot, datanodeIndex);
      if (position >= 0) this.setSeen(slot, position, false);
    }
  }

  // ---- corrupt replicas ----

  markCorrupt(blockId: number, datanodeIndex: number): void {
    let set = this.corrupt.get(blockId);
    if (set === undefined) {
      set = new Set();
      this.corrupt.set(blockId, set);
    }
    set.add(datanodeIndex);
  }

  isCorrupt(blockId: number, datanodeIndex: number): boolean {
    if (this.corrupt.size === 0) return false;
    return this.corrupt.get(blockId)?.has(datanodeIndex) ?? false;
  }

  /** Blocks with at least one corrupt replica. */
  get corruptBlockCount(): number {
    return this.corrupt.size;
  }

  corruptBlockIds(): IterableIterator<number> {
    return this.corrupt.keys();
  }
}

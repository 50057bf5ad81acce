// The block map: for every block of the namespace, its generation stamp, length, state and
// expected replication (mirrored from LMDB) and where its replicas are (from block reports).
// The only per-block state in the heap, kept compact: datanodes appear as small indexes and
// replicas as flat [datanodeIndex, lengthBytes] pairs.
import type { BlockState } from '../storage/records.js';

export class BlockInfo {
  /** Flat pairs: [datanodeIndex, reportedLengthBytes, datanodeIndex, reportedLengthBytes, …]. */
  replicas: number[] = [];
  /** What the block counts as in the health counters (bits owned by the replication monitor). */
  health = 0;

  constructor(
    public genStamp: number,
    public length: number,
    public state: BlockState,
    public expectedReplication: number,
  ) {}

  get replicaCount(): number {
    return this.replicas.length / 2;
  }

  *replicaEntries(): Generator<{ datanodeIndex: number; length: number }> {
    for (let i = 0; i < this.replicas.length; i += 2) {
      yield { datanodeIndex: this.replicas[i] as number, length: this.replicas[i + 1] as number };
    }
  }

  hasReplicaOn(datanodeIndex: number): boolean {
    return this.indexOf(datanodeIndex) >= 0;
  }

  indexOf(datanodeIndex: number): number {
    for (let i = 0; i < this.replicas.length; i += 2) if (this.replicas[i] === datanodeIndex) return i;
    return -1;
  }
}

export class BlockMap {
  private readonly blocks = new Map<number, BlockInfo>();
  private readonly blocksByDatanode = new Map<number, Set<number>>();
  /** Replicas reported bad: block id → datanode indexes. Small: the monitor replaces them. */
  private readonly corrupt = new Map<number, Set<number>>();

  get size(): number {
    return this.blocks.size;
  }

  get(blockId: number): BlockInfo | undefined {
    return this.blocks.get(blockId);
  }

  set(blockId: number, info: BlockInfo): void {
    const existing = this.blocks.get(blockId);
    if (existing !== undefined) {
      info.replicas = existing.replicas;
      info.health = existing.health;
    }
    this.blocks.set(blockId, info);
  }

  blockIds(): IterableIterator<number> {
    return this.blocks.keys();
  }

  entries(): IterableIterator<[number, BlockInfo]> {
    return this.blocks.entries();
  }

  /** Forgets a block; returns the datanodes that held a replica (they must delete it). */
  remove(blockId: number): number[] {
    const info = this.blocks.get(blockId);
    if (info === undefined) return [];
    const holders = [...info.replicaEntries()].map((replica) => replica.datanodeIndex);
    for (const datanodeIndex of holders) this.blocksByDatanode.get(datanodeIndex)?.delete(blockId);
    this.blocks.delete(blockId);
    this.corrupt.delete(blockId);
    return holders;
  }

  addReplica(blockId: number, datanodeIndex: number, length: number): void {
    const info = this.blocks.get(blockId);
    if (info === undefined) return;
    const at = info.indexOf(datanodeIndex);
    if (at >= 0) info.replicas[at + 1] = length;
    else info.replicas.push(datanodeIndex, length);
    this.blocksOnMutable(datanodeIndex).add(blockId);
  }

  removeReplica(blockId: number, datanodeIndex: number): void {
    const info = this.blocks.get(blockId);
    if (info !== undefined) {
      const at = info.indexOf(datanodeIndex);
      if (at >= 0) info.replicas.splice(at, 2);
    }
    this.blocksByDatanode.get(datanodeIndex)?.delete(blockId);
    const corruptOn = this.corrupt.get(blockId);
    corruptOn?.delete(datanodeIndex);
    if (corruptOn?.size === 0) this.corrupt.delete(blockId);
  }

  blocksOn(datanodeIndex: number): ReadonlySet<number> {
    return this.blocksByDatanode.get(datanodeIndex) ?? new Set();
  }

  private blocksOnMutable(datanodeIndex: number): Set<number> {
    let set = this.blocksByDatanode.get(datanodeIndex);
    if (set === undefined) {
      set = new Set();
      this.blocksByDatanode.set(datanodeIndex, set);
    }
    return set;
  }

  markCorrupt(blockId: number, datanodeIndex: number): void {
    let set = this.corrupt.get(blockId);
    if (set === undefined) {
      set = new Set();
      this.corrupt.set(blockId, set);
    }
    set.add(datanodeIndex);
  }

  isCorrupt(blockId: number, datanodeIndex: number): boolean {
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

// The needed-replication queues (pure): blocks that lack live replicas or rack spread, by
// priority as HDFS orders them. Updated on events (a report, a death, setReplication, a bad
// replica), never by rescanning the block map, and read a bounded number per tick.

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

export class NeededReplicationQueues {
  /**
   * One insertion-ordered set per level: the front is the block waiting longest. A block's
   * level is found by asking the (four) sets rather than kept in a Map beside them: after a
   * restart every block passes through here, and a Map of a million entries doubled the cost.
   */
  private readonly levels: Array<Set<number>> = Array.from({ length: priorityLevels }, () => new Set<number>());

  get size(): number {
    let size = 0;
    for (const level of this.levels) size += level.size;
    return size;
  }

  sizeOf(priority: ReplicationPriority): number {
    return (this.levels[priority] as Set<number>).size;
  }

  priorityOf(blockId: number): ReplicationPriority | undefined {
    for (let priority = 0; priority < priorityLevels; priority++) {
      if ((this.levels[priority] as Set<number>).has(blockId)) return priority as ReplicationPriority;
    }
    return undefined;
  }

  /** Adds or moves a block; a block already at this level keeps its place in line. */
  put(blockId: number, priority: ReplicationPriority): void {
    const target = this.levels[priority] as Set<number>;
    if (target.has(blockId)) return;
    for (const level of this.levels) if (level !== target && level.delete(blockId)) break;
    target.add(blockId);
  }

  remove(blockId: number): void {
    for (const level of this.levels) if (level.delete(blockId)) return;
  }

  /** Sends a block that could not be served now to the back of its line (round robin). */
  moveToBack(blockId: number): void {
    for (const level of this.levels) {
      if (!level.delete(blockId)) continue;
      level.add(blockId);
      return;
    }
  }

  /** Up to `limit` blocks in priority order, for one tick's work. */
  take(limit: number): number[] {
    const chosen: number[] = [];
    for (const level of this.levels) {
      for (const blockId of level) {
        if (chosen.length >= limit) return chosen;
        chosen.push(blockId);
      }
    }
    return chosen;
  }
}

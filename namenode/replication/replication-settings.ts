// The replication monitor's tunables and how the pending-transfer timeout follows the
// redundancy interval.

export interface ReplicationSettings {
  /** `dfs.namenode.replication.max-streams`: transfers in flight per source datanode. */
  maxStreams: number;
  /** A transfer not confirmed by then is dropped and its block scheduled again. */
  pendingTimeoutMs: number;
  /** `dfs.namenode.replication.min`: replicas for a block to count as safe. */
  minReplication: number;
  /** Blocks looked at per tick per live datanode (HDFS's work multiplier, 2). */
  blocksPerTickPerDatanode: number;
  /** Blocks re-classified per tick by a rescan (after the rack count changes). */
  rescanBlocksPerTick: number;
}

export const defaultReplicationSettings: ReplicationSettings = {
  maxStreams: 2,
  pendingTimeoutMs: 15_000,
  minReplication: 1,
  blocksPerTickPerDatanode: 2,
  rescanBlocksPerTick: 50_000,
};

/** Shortest pending-transfer timeout: a whole block must cross a slow link in it. */
export const minPendingTimeoutMs = 10_000;
/** Pending-transfer timeout in redundancy intervals, as the brief of issue 3 suggests. */
export const pendingTimeoutIntervals = 5;

export function pendingTimeoutMsOf(redundancyIntervalMs: number): number {
  return Math.max(minPendingTimeoutMs, pendingTimeoutIntervals * redundancyIntervalMs);
}

// Which reported replicas count (pure). A replica counts only with the block's current
// generation stamp and, once the block is committed, its committed length; anything older,
// of another length, or of a block the namespace no longer has must be deleted.
import type { BlockState } from '../storage/records.js';

export type ReplicaVerdict =
  | { kind: 'accept' }
  | { kind: 'invalidate'; reason: 'unknown block' | 'stale generation stamp' | 'wrong length' }
  /** Newer than the namenode knows: a pipeline recovery not yet recorded; the next report settles it. */
  | { kind: 'ignore' };

export interface KnownBlock {
  genStamp: number;
  length: number;
  state: BlockState;
}

export function judgeReportedReplica(known: KnownBlock | undefined, genStamp: number, length: number): ReplicaVerdict {
  if (known === undefined) return { kind: 'invalidate', reason: 'unknown block' };
  if (genStamp < known.genStamp) return { kind: 'invalidate', reason: 'stale generation stamp' };
  if (genStamp > known.genStamp) return { kind: 'ignore' };
  if (known.state !== 'underConstruction' && length !== known.length) return { kind: 'invalidate', reason: 'wrong length' };
  return { kind: 'accept' };
}

/** A replica that makes a block complete: current stamp and the committed length. */
export function replicaMatchesCommitted(known: KnownBlock, replicaLength: number): boolean {
  return known.state !== 'underConstruction' && replicaLength === known.length;
}

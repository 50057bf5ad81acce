// Which reported replicas count (pure). A replica counts only with the block's current
// generation stamp and, once the block is committed, its committed length; anything older,
// of another length, or of a block the namespace no longer has must be deleted.
import type { BlockState } from '../storage/records.js';

export type ReplicaVerdict =
  | { readonly kind: 'accept' }
  | { readonly kind: 'invalidate'; readonly reason: 'unknown block' | 'stale generation stamp' | 'wrong length' }
  /** Newer than the namenode knows: a pipeline recovery not yet recorded; the next report settles it. */
  | { readonly kind: 'ignore' };

export interface KnownBlock {
  genStamp: number;
  length: number;
  state: BlockState;
}

/** Shared verdicts: a million-replica report allocates none. */
const verdicts = {
  accept: { kind: 'accept' },
  ignore: { kind: 'ignore' },
  unknown: { kind: 'invalidate', reason: 'unknown block' },
  stale: { kind: 'invalidate', reason: 'stale generation stamp' },
  wrongLength: { kind: 'invalidate', reason: 'wrong length' },
} as const satisfies Record<string, ReplicaVerdict>;

export function judgeReportedReplica(known: KnownBlock | undefined, genStamp: number, length: number): ReplicaVerdict {
  if (known === undefined) return verdicts.unknown;
  return judgeReplicaOfKnownBlock(known.genStamp, known.length, known.state, genStamp, length);
}

/** The same rule over the block's fields, for callers reading them from the packed block map. */
export function judgeReplicaOfKnownBlock(knownGenStamp: number, knownLength: number, knownState: BlockState, genStamp: number, length: number): ReplicaVerdict {
  if (genStamp < knownGenStamp) return verdicts.stale;
  if (genStamp > knownGenStamp) return verdicts.ignore;
  if (knownState !== 'underConstruction' && length !== knownLength) return verdicts.wrongLength;
  return verdicts.accept;
}

export function unknownBlockVerdict(): ReplicaVerdict {
  return verdicts.unknown;
}

/** A replica that makes a block complete: current stamp and the committed length. */
export function replicaMatchesCommitted(known: KnownBlock, replicaLength: number): boolean {
  return known.state !== 'underConstruction' && replicaLength === known.length;
}

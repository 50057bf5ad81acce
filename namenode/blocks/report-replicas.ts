// The replicas of one full-report chunk as the block manager reads them: in order, one at a
// time, so the link can hand over a cursor over the frame's bytes instead of an array of
// tuples (block-report-scanner.ts); tests and small reports pass arrays.
import type { ReportedReplica } from '../../protocol/datanode-namenode.js';

export interface ReplicaCursor {
  readonly count: number;
  /** The next replica; the tuple may be reused by the following call, so read it at once. */
  next(): ReportedReplica;
}

export function cursorOver(replicas: readonly ReportedReplica[]): ReplicaCursor {
  let index = 0;
  return {
    count: replicas.length,
    next: () => replicas[index++] as ReportedReplica,
  };
}

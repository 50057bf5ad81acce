// A replica as the block store tracks it in memory: which block, which generation, how
// many bytes, whether it is still being written, and on which volume it lives.
import { join } from 'node:path';
import type { ReplicaWriter } from './replica-writer.js';
import { blockFileName, finalizedSubdir, metaFileName } from './layout.js';
import type { Volume } from './volume.js';

export type ReplicaState = 'rbw' | 'finalized';

export interface Replica {
  blockId: number;
  genStamp: number;
  /** Data bytes on disk (the checksum file is not counted). */
  length: number;
  state: ReplicaState;
  volume: Volume;
  /** Block and meta file bytes, counted into the volume's dfsUsed. */
  diskBytes: number;
  /** The writer appending to this replica while a pipeline holds it open. */
  writer: ReplicaWriter | null;
}

export function replicaDir(replica: Pick<Replica, 'blockId' | 'state' | 'volume'>): string {
  return replica.state === 'rbw' ? replica.volume.rbwDir : finalizedSubdir(replica.volume.root, replica.blockId);
}

export function blockPathOf(replica: Pick<Replica, 'blockId' | 'state' | 'volume'>): string {
  return join(replicaDir(replica), blockFileName(replica.blockId));
}

export function metaPathOf(replica: Pick<Replica, 'blockId' | 'genStamp' | 'state' | 'volume'>): string {
  return join(replicaDir(replica), metaFileName(replica.blockId, replica.genStamp));
}

// What one tick of the replication monitor decides; the redundancy shell sends it.
import type { DatanodeDescriptor } from '../datanodes/datanode-manager.js';

export interface TransferDecision {
  source: DatanodeDescriptor;
  block: { id: number; genStamp: number; length: number };
  targets: DatanodeDescriptor[];
  /** 'rack': an extra copy to spread a block over racks; the excess is trimmed after. */
  reason: 'under' | 'rack';
}

export interface InvalidateDecision {
  datanode: DatanodeDescriptor;
  blockId: number;
  genStamp: number;
  reason: 'excess' | 'corrupt';
}

export interface ReplicationWork {
  transfers: TransferDecision[];
  invalidates: InvalidateDecision[];
  /** Datanodes whose every block now has its target elsewhere: now Decommissioned. */
  decommissioned: DatanodeDescriptor[];
}

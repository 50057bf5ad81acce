// Read-only views of one block's replicas, joined with what the datanode manager knows of
// their datanodes: counts by kind, racks, corrupt holders, and the inputs of the pure trim
// and decommission decisions. Used by the replication monitor.
import type { BlockMap } from '../blocks/block-map.js';
import type { DatanodeDescriptor, DatanodeManager } from '../datanodes/datanode-manager.js';
import type { ReplicaCounts } from './block-health.js';
import type { DecommissioningBlock } from './decommission-progress.js';
import type { TrimCandidate } from './excess-replicas.js';

export class BlockReplicas {
  constructor(
    private readonly blockMap: BlockMap,
    private readonly datanodes: DatanodeManager,
  ) {}

  countAt(blockId: number, slot: number): ReplicaCounts {
    const counts: ReplicaCounts = { live: 0, decommissioning: 0, corrupt: 0, racks: 0 };
    let firstRack: string | undefined;
    let racks: Set<string> | undefined;
    for (let position = 0; position < this.blockMap.replicaCountAt(slot); position++) {
      const datanodeIndex = this.blockMap.replicaNodeAt(slot, position);
      const node = this.datanodes.atIndex(datanodeIndex);
      if (node === undefined || node.lastLiveness === 'dead') continue;
      if (this.blockMap.isCorrupt(blockId, datanodeIndex)) counts.corrupt++;
      else if (node.adminState !== 'Normal') counts.decommissioning++;
      else {
        counts.live++;
        if (firstRack === undefined) firstRack = node.rack;
        else if (node.rack !== firstRack) (racks ??= new Set([firstRack])).add(node.rack);
      }
    }
    counts.racks = racks?.size ?? (firstRack === undefined ? 0 : 1);
    return counts;
  }

  /** Racks of the live replicas and of replicas on their way, for placement to spread against. */
  liveRacksOf(blockId: number, slot: number, incoming: Iterable<number>): string[] {
    const racks: string[] = [];
    const add = (index: number) => {
      const node = this.datanodes.atIndex(index);
      if (node !== undefined && node.adminState === 'Normal' && node.lastLiveness !== 'dead') racks.push(node.rack);
    };
    for (let position = 0; position < this.blockMap.replicaCountAt(slot); position++) {
      const index = this.blockMap.replicaNodeAt(slot, position);
      if (!this.blockMap.isCorrupt(blockId, index)) add(index);
    }
    for (const index of incoming) add(index);
    return racks;
  }

  corruptHoldersOf(blockId: number, slot: number): number[] {
    const holders: number[] = [];
    for (let position = 0; position < this.blockMap.replicaCountAt(slot); position++) {
      const index = this.blockMap.replicaNodeAt(slot, position);
      if (this.blockMap.isCorrupt(blockId, index)) holders.push(index);
    }
    return holders;
  }

  /** The block's replicas on known datanodes, in replica order, for the trim decision. */
  trimCandidatesOf(blockId: number, slot: number): TrimCandidate[] {
    const candidates: TrimCandidate[] = [];
    for (let position = 0; position < this.blockMap.replicaCountAt(slot); position++) {
      const index = this.blockMap.replicaNodeAt(slot, position);
      const node = this.datanodes.atIndex(index);
      if (node === undefined) continue;
      candidates.push({
        datanodeIndex: index,
        rack: node.rack,
        remaining: node.remaining,
        corrupt: this.blockMap.isCorrupt(blockId, index),
        dead: node.lastLiveness === 'dead',
        inService: node.adminState === 'Normal',
      });
    }
    return candidates;
  }

  /** A view of each block on the node, made as the check walks them (it stops at the first one that holds). */
  *decommissioningBlocksOn(node: DatanodeDescriptor): Generator<DecommissioningBlock> {
    for (const slot of this.blockMap.slotsOn(node.index)) {
      const blockId = this.blockMap.blockIdAt(slot);
      const corruptHere = this.blockMap.isCorrupt(blockId, node.index);
      const underConstruction = this.blockMap.stateAt(slot) === 'underConstruction';
      const live = corruptHere || underConstruction ? 0 : this.countAt(blockId, slot).live;
      yield { corruptHere, underConstruction, live, expected: this.blockMap.expectedReplicationAt(slot) };
    }
  }
}

// The replication monitor, the pure core of self-healing: state (block map, datanodes,
// pending transfers) plus `now` in, decisions (transfers to send, replicas to delete,
// datanodes done decommissioning) out. No timers, clock or I/O here: the shell calls
// `onDatanodeDead`, the `on…` event methods and `computeWork(now)` and sends the result.
//
// It never rescans the block map per tick: every event that changes a block's replicas or
// target re-classifies that block (O(its replicas)), keeping the needed-replication queues
// and the health counters (under-replicated, missing, safe) true at all times.
//
// The decisions themselves live in pure modules: block health (block-health.ts), which
// surplus or corrupt replicas to delete (excess-replicas.ts) and when a decommissioning
// datanode is done (decommission-progress.ts); this class keeps the state and coordinates.
import type { BlockMap } from '../blocks/block-map.js';
import type { DatanodeDescriptor, DatanodeManager } from '../datanodes/datanode-manager.js';
import type { Liveness } from '../datanodes/liveness.js';
import { type PlacementNode, chooseTargets } from '../placement/placement-policy.js';
import { type HealthCounters, type ReplicaCounts, applyHealthChange, healthOf } from './block-health.js';
import { BlockReplicas } from './block-replicas.js';
import { isDecommissionComplete } from './decommission-progress.js';
import { planTrim } from './excess-replicas.js';
import { NeededReplicationQueues, ReplicationPriority, replicationPriorityOf } from './needed-replication-queues.js';
import { PendingReplications } from './pending-replications.js';
import type { ReplicationSettings } from './replication-settings.js';
import type { InvalidateDecision, ReplicationWork } from './replication-work.js';

export class ReplicationMonitor {
  readonly needed: NeededReplicationQueues;
  private readonly replicas: BlockReplicas;
  readonly pending = new PendingReplications();
  readonly counters: HealthCounters = { underReplicated: 0, missing: 0, completeBlocks: 0, safeBlocks: 0 };
  /** Blocks with a replica to delete (surplus, or corrupt once enough good ones exist). */
  private readonly toTrim = new Set<number>();
  /** Replicas told to delete, per block: not counted, and a report of them is ignored until the deletion is. */
  private readonly deleting = new Map<number, Set<number>>();
  private clusterRacks = 1;
  private rescan: Iterator<number> | undefined;

  constructor(
    private readonly blockMap: BlockMap,
    private readonly datanodes: DatanodeManager,
    private readonly settings: ReplicationSettings,
    private readonly random: () => number,
  ) {
    this.needed = new NeededReplicationQueues(blockMap);
    this.replicas = new BlockReplicas(blockMap, datanodes);
  }

  // ---- events ----

  /** Re-classifies one block after anything about it changed. */
  blockChanged(blockId: number, slot = this.blockMap.slotOf(blockId)): void {
    if (slot < 0) return;
    const counts = this.replicas.countAt(blockId, slot);
    this.setHealth(slot, healthOf(this.blockMap.stateAt(slot), counts, this.blockMap.expectedReplicationAt(slot), this.settings.minReplication));
    this.requeue(blockId, slot, counts);
  }

  /** Before a block leaves the block map (file deleted, block abandoned). */
  blockRemoved(blockId: number): void {
    const slot = this.blockMap.slotOf(blockId);
    if (slot >= 0) {
      this.setHealth(slot, 0);
      // Before the record is freed: the queues link records, not block ids.
      this.needed.removeAt(slot);
    }
    this.toTrim.delete(blockId);
    this.pending.dropBlock(blockId);
    this.deleting.delete(blockId);
  }

  /** A replica was reported; a transfer we scheduled may be confirmed by it. */
  replicaArrived(blockId: number, datanodeIndex: number, slot = this.blockMap.slotOf(blockId)): void {
    this.pending.onReplicaArrived(blockId, datanodeIndex);
    this.blockChanged(blockId, slot);
  }

  /** A datanode reported a deletion: a replica we told it to delete is gone. */
  replicaDeleted(blockId: number, datanodeIndex: number): void {
    const nodes = this.deleting.get(blockId);
    nodes?.delete(datanodeIndex);
    if (nodes?.size === 0) this.deleting.delete(blockId);
    this.blockChanged(blockId);
  }

  /** True while a report of this replica must be ignored: we told the node to delete it. */
  isBeingDeleted(blockId: number, datanodeIndex: number): boolean {
    return this.deleting.get(blockId)?.has(datanodeIndex) ?? false;
  }

  /**
   * A datanode was declared dead (missing heartbeats, never a closed socket): its replicas
   * leave the block map, transfers from or to it are forgotten, and its blocks are queued.
   */
  onDatanodeDead(node: DatanodeDescriptor): void {
    const blockIds = this.blockMap.blocksOn(node.index);
    for (const blockId of blockIds) this.blockMap.removeReplica(blockId, node.index);
    this.datanodeReset(node);
    for (const blockId of blockIds) this.blockChanged(blockId);
  }

  /**
   * The datanode died or registered anew, and its command queues were emptied with it:
   * transfers from or to it will not happen, and deletions we asked of it may not either,
   * so its next full report is taken at its word (a surplus is trimmed again then).
   */
  datanodeReset(node: DatanodeDescriptor): void {
    for (const blockId of this.pending.dropNode(node.index)) this.blockChanged(blockId);
    for (const [blockId, nodes] of this.deleting) {
      if (!nodes.delete(node.index)) continue;
      if (nodes.size === 0) this.deleting.delete(blockId);
      this.blockChanged(blockId);
    }
  }

  /** A datanode's admin state changed: whether its replicas count changed for all its blocks. */
  adminStateChanged(node: DatanodeDescriptor): void {
    for (const blockId of this.blockMap.blocksOn(node.index)) this.blockChanged(blockId);
  }

  /** The number of racks with usable datanodes; a change re-classifies every block, a chunk per tick. */
  setClusterRacks(racks: number): void {
    if (racks === this.clusterRacks) return;
    this.clusterRacks = racks;
    this.rescan = this.blockMap.blockIds();
  }

  // ---- classification ----

  /** The replicas of a block by kind; all zero for a block not in the map. */
  countReplicas(blockId: number): ReplicaCounts {
    const slot = this.blockMap.slotOf(blockId);
    return slot < 0 ? { live: 0, decommissioning: 0, corrupt: 0, racks: 0 } : this.replicas.countAt(blockId, slot);
  }

  private setHealth(slot: number, health: number): void {
    const before = this.blockMap.healthAt(slot);
    if (before === health) return;
    applyHealthChange(this.counters, before, health);
    this.blockMap.setHealthAt(slot, health);
  }

  private isBadlyDistributed(slot: number, counts: ReplicaCounts): boolean {
    return this.clusterRacks >= 2 && this.blockMap.expectedReplicationAt(slot) >= 2 && counts.live >= 2 && counts.racks < 2;
  }

  /** Where the block belongs now: a needed-replication level, the trim set, or neither. */
  private requeue(blockId: number, slot: number, counts: ReplicaCounts): void {
    if (this.blockMap.stateAt(slot) === 'underConstruction' || counts.live + counts.decommissioning === 0) {
      // Nothing to copy from (or still being written): repair waits for a replica to appear.
      this.needed.removeAt(slot);
      this.toTrim.delete(blockId);
      return;
    }
    const expected = this.blockMap.expectedReplicationAt(slot);
    const pending = this.pending.countFor(blockId);
    if (counts.live + pending < expected) this.needed.putAt(slot, replicationPriorityOf(counts.live, expected));
    else if (pending === 0 && this.isBadlyDistributed(slot, counts)) this.needed.putAt(slot, ReplicationPriority.badlyDistributed);
    else this.needed.removeAt(slot);
    const surplus = counts.live > expected;
    const corruptReady = counts.corrupt > 0 && counts.live >= expected;
    if (surplus || corruptReady) this.toTrim.add(blockId);
    else this.toTrim.delete(blockId);
  }

  // ---- the tick ----

  /** One tick's decisions. Nothing is scheduled or deleted while `safeMode` is on. */
  computeWork(now: number, safeMode: boolean): ReplicationWork {
    const work: ReplicationWork = { transfers: [], invalidates: [], decommissioned: [] };
    for (const blockId of this.pending.expire(now)) this.blockChanged(blockId);
    this.continueRescan();
    if (safeMode) return work;
    const candidates = this.placementCandidates(now);
    const budget = Math.max(8, candidates.length * this.settings.blocksPerTickPerDatanode);
    this.scheduleReplication(now, budget, candidates, work);
    this.trimReplicas(budget, work);
    this.checkDecommissioning(work);
    return work;
  }

  private continueRescan(): void {
    if (this.rescan === undefined) return;
    for (let i = 0; i < this.settings.rescanBlocksPerTick; i++) {
      const next = this.rescan.next();
      if (next.done === true) {
        this.rescan = undefined;
        return;
      }
      this.blockChanged(next.value);
    }
  }

  private placementCandidates(now: number): Array<PlacementNode & { descriptor: DatanodeDescriptor }> {
    const candidates: Array<PlacementNode & { descriptor: DatanodeDescriptor }> = [];
    for (const node of this.datanodes.all()) {
      if (node.adminState !== 'Normal' || node.lastLiveness === 'dead') continue;
      const liveness = this.datanodes.liveness(node, now);
      if (liveness === 'dead') continue;
      candidates.push({
        uuid: node.uuid,
        hostname: node.hostname,
        ipAddress: node.ipAddress,
        rack: node.rack,
        remaining: node.remaining,
        activeTransfers: node.activeTransfers + this.pending.incomingTo(node.index),
        liveness,
        adminState: node.adminState,
        descriptor: node,
      });
    }
    return candidates;
  }

  private scheduleReplication(
    now: number,
    budget: number,
    candidates: Array<PlacementNode & { descriptor: DatanodeDescriptor }>,
    work: ReplicationWork,
  ): void {
    for (const blockId of this.needed.take(budget)) {
      const scheduled = this.scheduleBlock(blockId, now, candidates, work);
      this.blockChanged(blockId);
      if (!scheduled) this.needed.moveToBack(blockId);
    }
  }

  private scheduleBlock(
    blockId: number,
    now: number,
    candidates: Array<PlacementNode & { descriptor: DatanodeDescriptor }>,
    work: ReplicationWork,
  ): boolean {
    const slot = this.blockMap.slotOf(blockId);
    if (slot < 0) return false;
    const counts = this.replicas.countAt(blockId, slot);
    const pending = this.pending.countFor(blockId);
    const missingReplicas = this.blockMap.expectedReplicationAt(slot) - counts.live - pending;
    const forRacks = missingReplicas <= 0;
    if (forRacks && !this.isBadlyDistributed(slot, counts)) return false;
    const source = this.chooseSource(blockId, slot, now);
    if (source === undefined) return false;
    const holders = this.holdersOf(blockId, slot);
    const liveRacks = this.replicas.liveRacksOf(blockId, slot, this.pending.targetsOf(blockId));
    const exclude = new Set<string>();
    for (const index of holders) {
      const node = this.datanodes.atIndex(index);
      if (node !== undefined) exclude.add(node.uuid);
    }
    const chosen = chooseTargets({
      nodes: forRacks ? candidates.filter((node) => !liveRacks.includes(node.rack)) : candidates,
      replication: forRacks ? 1 : missingReplicas,
      excludeNodes: exclude,
      writerHost: '',
      blockSizeBytes: this.blockMap.lengthAt(slot),
      random: this.random,
      existing: liveRacks.map((rack) => ({ rack })),
    });
    if (chosen.length === 0) {
      this.freeCorruptHolders(blockId, slot, counts, work);
      return false;
    }
    const targets = chosen.map((node) => node.descriptor);
    this.pending.add(blockId, source.index, targets.map((node) => node.index), now + this.settings.pendingTimeoutMs);
    for (const node of chosen) node.activeTransfers++;
    const block = { id: blockId, genStamp: this.blockMap.genStampAt(slot), length: this.blockMap.lengthAt(slot) };
    work.transfers.push({ source, block, targets, reason: forRacks ? 'rack' : 'under' });
    return true;
  }

  /**
   * A corrupt replica occupies a datanode that could hold a good one. When no other target
   * is left and a good replica exists, delete the corrupt one so the next tick can use it.
   */
  private freeCorruptHolders(blockId: number, slot: number, counts: ReplicaCounts, work: ReplicationWork): void {
    if (counts.corrupt === 0 || counts.live + counts.decommissioning === 0) return;
    for (const index of this.replicas.corruptHoldersOf(blockId, slot)) this.deleteReplica(blockId, slot, index, 'corrupt', work);
  }

  /**
   * HDFS's source choice: a good replica whose datanode has a stream free; decommissioning
   * ones first (they take no client load), then live over stale, then the least busy.
   */
  private chooseSource(blockId: number, slot: number, now: number): DatanodeDescriptor | undefined {
    let best: DatanodeDescriptor | undefined;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let position = 0; position < this.blockMap.replicaCountAt(slot); position++) {
      const index = this.blockMap.replicaNodeAt(slot, position);
      const node = this.datanodes.atIndex(index);
      if (node === undefined || node.lastLiveness === 'dead' || this.blockMap.isCorrupt(blockId, index)) continue;
      const liveness: Liveness = this.datanodes.liveness(node, now);
      const streams = this.pending.streamsFrom(index);
      if (liveness === 'dead' || streams >= this.settings.maxStreams) continue;
      const adminRank = node.adminState === 'Decommission in progress' ? 0 : node.adminState === 'Normal' ? 1 : 2;
      const score = adminRank * 1e6 + (liveness === 'stale' ? 1e5 : 0) + streams * 100 + this.random();
      if (score < bestScore) {
        best = node;
        bestScore = score;
      }
    }
    return best;
  }

  /** Every datanode that holds, is receiving, or is deleting a replica: never a target. */
  private holdersOf(blockId: number, slot: number): Set<number> {
    const holders = new Set<number>();
    for (let position = 0; position < this.blockMap.replicaCountAt(slot); position++) holders.add(this.blockMap.replicaNodeAt(slot, position));
    for (const index of this.pending.targetsOf(blockId)) holders.add(index);
    for (const index of this.deleting.get(blockId) ?? []) holders.add(index);
    return holders;
  }

  // ---- deletions ----

  private trimReplicas(budget: number, work: ReplicationWork): void {
    let looked = 0;
    for (const blockId of [...this.toTrim]) {
      if (looked++ >= budget) return;
      this.toTrim.delete(blockId);
      const slot = this.blockMap.slotOf(blockId);
      if (slot < 0) continue;
      const plan = planTrim(this.replicas.trimCandidatesOf(blockId, slot), this.blockMap.expectedReplicationAt(slot));
      for (const index of plan.corrupt) this.deleteReplica(blockId, slot, index, 'corrupt', work);
      for (const index of plan.excess) this.deleteReplica(blockId, slot, index, 'excess', work);
      this.blockChanged(blockId);
    }
  }

  private deleteReplica(blockId: number, slot: number, datanodeIndex: number, reason: InvalidateDecision['reason'], work: ReplicationWork): void {
    const node = this.datanodes.atIndex(datanodeIndex);
    if (node === undefined) return;
    this.blockMap.removeReplica(blockId, datanodeIndex);
    let nodes = this.deleting.get(blockId);
    if (nodes === undefined) this.deleting.set(blockId, (nodes = new Set()));
    nodes.add(datanodeIndex);
    work.invalidates.push({ datanode: node, blockId, genStamp: this.blockMap.genStampAt(slot), reason });
  }

  // ---- decommissioning ----

  /** A decommissioning datanode is done once none of its blocks needs it for its target. */
  private checkDecommissioning(work: ReplicationWork): void {
    for (const node of this.datanodes.all()) {
      if (node.adminState !== 'Decommission in progress') continue;
      if (!isDecommissionComplete(this.replicas.decommissioningBlocksOn(node))) continue;
      this.datanodes.setAdminState(node, 'Decommissioned');
      work.decommissioned.push(node);
    }
  }
}

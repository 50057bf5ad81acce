// The block map's shell: loads it from LMDB at start, keeps it in step with the namespace,
// applies block reports (full, incremental, bad blocks), queues `invalidate` commands for
// replicas that must go, and answers where a block's good replicas are.
import type { DatanodeLocation } from '../../protocol/common.js';
import type { ReportedReplica } from '../../protocol/datanode-namenode.js';
import type { DatanodeDescriptor, DatanodeManager } from '../datanodes/datanode-manager.js';
import { locationOf } from '../datanodes/datanode-manager.js';
import { isWritersNode } from '../placement/placement-policy.js';
import type { Liveness } from '../datanodes/liveness.js';
import { ReplicationMonitor } from '../replication/replication-monitor.js';
import { type ReplicationSettings, defaultReplicationSettings } from '../replication/replication-settings.js';
import type { NamenodeStore } from '../storage/namenode-store.js';
import { BlockMap } from './block-map.js';
import { type ReplicaCursor, cursorOver } from './report-replicas.js';
import { judgeReplicaOfKnownBlock, replicaMatchesCommitted, unknownBlockVerdict } from './replica-rules.js';

export type ReplicaState = Liveness | 'corrupt';

/** Table records the end-of-report sweep visits per replica of budget: a visit costs a small fraction of applying a replica. */
const sweepSlotsPerReplica = 16;

export interface ReplicaView {
  datanode: DatanodeDescriptor;
  length: number;
  state: ReplicaState;
}

/** Work done a slice at a time: `step(budget)` handles up to about `budget` replicas and says whether all is done. */
export interface BlockReportWork {
  step(budget: number): boolean;
}

export interface BlockHealth {
  underReplicated: number;
  corrupt: number;
  missing: number;
}

export interface BlockManagerOptions {
  replication?: Partial<ReplicationSettings>;
  /** [0, 1) for placement and source choice; injected so simulations repeat. */
  random?: () => number;
}

export class BlockManager {
  readonly blockMap = new BlockMap();
  /** The pure repair core; every change to a block below is passed on to it. */
  readonly replication: ReplicationMonitor;
  /** Datanode index → the full report it is sending; its replicas named so far carry a mark in the block map. */
  private readonly fullReports = new Map<number, number>();

  constructor(
    private readonly datanodes: DatanodeManager,
    private readonly minReplication: number,
    options: BlockManagerOptions = {},
  ) {
    const settings = { ...defaultReplicationSettings, minReplication, ...options.replication };
    this.replication = new ReplicationMonitor(this.blockMap, datanodes, settings, options.random ?? Math.random);
  }

  /** Rebuilds the block map from the namespace at start-up; replicas arrive with reports. */
  loadFromStore(store: NamenodeStore): void {
    this.blockMap.reserve(store.blockRecordCount());
    for (const { value: inode } of store.inodes.getRange()) {
      if (inode.type !== 'file') continue;
      for (const blockId of inode.blockIds) {
        const record = store.blocks.get(blockId);
        if (record === undefined) continue;
        this.blockMap.setFields(blockId, record.genStamp, record.length, record.state, inode.replication);
        this.replication.blockChanged(blockId);
      }
    }
  }

  /** After a namespace change: mirror the block's record, or forget it if it was deleted. */
  refreshBlock(store: NamenodeStore, blockId: number): void {
    const record = store.blocks.get(blockId);
    const file = record === undefined ? undefined : store.inodes.get(record.fileId);
    if (record === undefined || file === undefined) {
      this.forgetBlock(blockId);
      return;
    }
    const previousSlot = this.blockMap.slotOf(blockId);
    const previousGenStamp = previousSlot < 0 ? undefined : this.blockMap.genStampAt(previousSlot);
    const slot = this.blockMap.setFields(blockId, record.genStamp, record.length, record.state, file.replication);
    if (previousGenStamp !== undefined && previousGenStamp !== record.genStamp) {
      // The pipeline moved to a new stamp: old replicas no longer count; survivors report the new one.
      while (this.blockMap.replicaCountAt(slot) > 0) this.blockMap.removeReplica(blockId, this.blockMap.replicaNodeAt(slot, 0));
    } else if (record.state !== 'underConstruction') {
      this.dropReplicasOfWrongLength(blockId);
    }
    this.replication.blockChanged(blockId);
  }

  private dropReplicasOfWrongLength(blockId: number): void {
    const slot = this.blockMap.slotOf(blockId);
    if (slot < 0) return;
    const known = this.blockMap.fieldsAt(slot);
    const wrong: number[] = [];
    for (let position = 0; position < this.blockMap.replicaCountAt(slot); position++) {
      if (!replicaMatchesCommitted(known, this.blockMap.replicaLengthAt(slot, position))) wrong.push(this.blockMap.replicaNodeAt(slot, position));
    }
    for (const datanodeIndex of wrong) {
      this.blockMap.removeReplica(blockId, datanodeIndex);
      const node = this.datanodes.atIndex(datanodeIndex);
      if (node) this.datanodes.queueInvalidate(node, blockId, known.genStamp);
    }
  }

  /** A block left the namespace: every datanode holding it is told to delete it. */
  forgetBlock(blockId: number): void {
    const slot = this.blockMap.slotOf(blockId);
    const genStamp = slot < 0 ? undefined : this.blockMap.genStampAt(slot);
    this.replication.blockRemoved(blockId);
    for (const datanodeIndex of this.blockMap.remove(blockId)) {
      const node = this.datanodes.atIndex(datanodeIndex);
      if (node && genStamp !== undefined) this.datanodes.queueInvalidate(node, blockId, genStamp);
    }
  }

  setExpectedReplication(blockId: number, replication: number): void {
    const slot = this.blockMap.slotOf(blockId);
    if (slot < 0) return;
    this.blockMap.setExpectedReplicationAt(slot, replication);
    this.replication.blockChanged(blockId);
  }

  onReplicaReceived(node: DatanodeDescriptor, replica: ReportedReplica): void {
    this.receiveReplica(node, replica, false);
  }

  /** One replica named by an incremental or (`inFullReport`) a full report; one id lookup for all of it. */
  private receiveReplica(node: DatanodeDescriptor, [blockId, genStamp, length]: ReportedReplica, inFullReport: boolean): void {
    // A node declared dead counts again only after it registers anew and reports in full.
    if (node.lastLiveness === 'dead') return;
    const map = this.blockMap;
    const slot = map.slotOf(blockId);
    const verdict = slot < 0 ? unknownBlockVerdict() : judgeReplicaOfKnownBlock(map.genStampAt(slot), map.lengthAt(slot), map.stateAt(slot), genStamp, length);
    if (verdict.kind === 'accept') {
      // A replica we told the node to delete stays uncounted until its deletion is reported;
      // one known already (the periodic full report) changes nothing: no re-classification.
      if (!this.replication.isBeingDeleted(blockId, node.index) && map.addReplicaAt(slot, node.index, length)) {
        this.replication.replicaArrived(blockId, node.index, slot);
      }
    } else if (verdict.kind === 'invalidate') {
      map.removeReplica(blockId, node.index);
      this.datanodes.queueInvalidate(node, blockId, genStamp);
      this.replication.blockChanged(blockId, slot);
    }
    // Whatever the verdict, a replica the node still has (an ignored newer stamp, say) stays.
    if (inFullReport && slot >= 0) map.markReportedAt(slot, node.index);
  }

  onReplicaDeleted(node: DatanodeDescriptor, blockId: number, genStamp: number): void {
    const slot = this.blockMap.slotOf(blockId);
    // A deletion of an older stamp must not drop the current replica on the same node.
    if (slot >= 0 && genStamp < this.blockMap.genStampAt(slot)) return;
    this.blockMap.removeReplica(blockId, node.index);
    this.replication.replicaDeleted(blockId, node.index);
  }

  /**
   * One chunk of a full block report, applied at once (tests, small reports). The link uses
   * `startBlockReportChunk` to apply big chunks a slice at a time.
   */
  onBlockReportChunk(node: DatanodeDescriptor, reportId: number, replicas: readonly ReportedReplica[] | ReplicaCursor, last: boolean, now: number): void {
    const work = this.startBlockReportChunk(node, reportId, replicas, last, now);
    while (!work.step(Number.POSITIVE_INFINITY));
  }

  /**
   * One chunk of a full block report, as work done in slices. Additions apply replica by
   * replica (they are facts either way) and each replica named gets a mark in the block map;
   * after the `last` chunk the node's replicas without a mark are dropped. No per-report
   * memory beyond the marks: not even the set of ids seen. The caller keeps the datanode's
   * later messages waiting until the work is done.
   */
  startBlockReportChunk(node: DatanodeDescriptor, reportId: number, replicas: readonly ReportedReplica[] | ReplicaCursor, last: boolean, now: number): BlockReportWork {
    const cursor = Array.isArray(replicas) ? cursorOver(replicas) : (replicas as ReplicaCursor);
    const current = this.fullReports.get(node.index);
    if (current !== reportId) {
      // An unfinished earlier report's marks must not count for this one.
      if (current !== undefined) this.blockMap.clearReported(node.index);
      this.fullReports.set(node.index, reportId);
    }
    let applied = 0;
    let sweeping = false;
    let sweepSlot = 0;
    const step = (budget: number): boolean => {
      for (const end = Math.min(cursor.count, applied + budget); applied < end; applied++) this.receiveReplica(node, cursor.next(), true);
      if (applied < cursor.count) return false;
      if (!last) return true;
      // Another report from this node began meanwhile (the node registered again on a new
      // socket): it cleared the marks when it began, and its own sweep decides; stop here.
      if (this.fullReports.get(node.index) !== reportId) return true;
      if (!sweeping) {
        node.lastBlockReportMs = now;
        sweeping = true;
      }
      // The node's later messages on this socket wait until the sweep ends, so no replica of it arrives unmarked behind the sweep.
      sweepSlot = this.blockMap.sweepUnreported(node.index, sweepSlot, budget * sweepSlotsPerReplica, (blockId) => {
        this.blockMap.removeReplica(blockId, node.index);
        this.replication.blockChanged(blockId);
      });
      if (sweepSlot >= 0) return false;
      this.fullReports.delete(node.index);
      return true;
    };
    return { step };
  }

  /** A replica found bad (by a reader or the datanode's scanner); kept out of locations. */
  markCorrupt(node: DatanodeDescriptor, blockId: number, genStamp: number): void {
    const slot = this.blockMap.slotOf(blockId);
    if (slot < 0 || genStamp !== this.blockMap.genStampAt(slot) || !this.blockMap.hasReplicaOn(slot, node.index)) return;
    this.blockMap.markCorrupt(blockId, node.index);
    this.replication.blockChanged(blockId);
  }

  replicasOf(blockId: number, now: number): ReplicaView[] {
    const slot = this.blockMap.slotOf(blockId);
    if (slot < 0) return [];
    const views: ReplicaView[] = [];
    for (let position = 0; position < this.blockMap.replicaCountAt(slot); position++) {
      const datanode = this.datanodes.atIndex(this.blockMap.replicaNodeAt(slot, position));
      if (datanode === undefined) continue;
      const state = this.blockMap.isCorrupt(blockId, datanode.index) ? 'corrupt' : this.datanodes.liveness(datanode, now);
      views.push({ datanode, length: this.blockMap.replicaLengthAt(slot, position), state });
    }
    return views;
  }

  /** Good replicas on reachable nodes: live first, stale last; dead and corrupt never. */
  goodReplicaCount(blockId: number, now: number): number {
    return this.replicasOf(blockId, now).filter((replica) => replica.state === 'live' || replica.state === 'stale').length;
  }

  /**
   * Where a reader should go: live replicas, then stale ones. When every replica is
   * corrupt the corrupt ones are returned with `corrupt: true`, as HDFS does.
   */
  locate(blockId: number, now: number, readerHost = ''): { locations: DatanodeLocation[]; corrupt: boolean } {
    const replicas = this.replicasOf(blockId, now);
    // A replica on the reader's own machine costs no network; stale nodes are tried last.
    const rank = (replica: (typeof replicas)[number]): number =>
      replica.state !== 'live' ? 2 : readerHost !== '' && isWritersNode(replica.datanode, readerHost) ? 0 : 1;
    const good = replicas.filter((replica) => replica.state === 'live' || replica.state === 'stale');
    good.sort((a, b) => rank(a) - rank(b) || a.datanode.activeTransfers - b.datanode.activeTransfers);
    if (good.length > 0) return { locations: good.map((replica) => locationOf(replica.datanode)), corrupt: false };
    const corrupt = replicas.filter((replica) => replica.state === 'corrupt');
    return { locations: corrupt.map((replica) => locationOf(replica.datanode)), corrupt: corrupt.length > 0 };
  }

  /** `complete` may close a block once enough good replicas have its committed length. */
  isMinimallyReplicated(blockId: number, committedLength: number, now: number): boolean {
    const matching = this.replicasOf(blockId, now).filter(
      (replica) => (replica.state === 'live' || replica.state === 'stale') && replica.length === committedLength,
    );
    return matching.length >= this.minReplication;
  }

  /** Lengths of good replicas of the current stamp, for lease recovery of a last block. */
  reportedLengths(blockId: number, now: number): number[] {
    return this.replicasOf(blockId, now)
      .filter((replica) => replica.state !== 'corrupt' && replica.state !== 'dead')
      .map((replica) => replica.length);
  }

  /**
   * The cluster-wide figures (getStats, metrics, report) from counters kept on events, so a
   * heartbeat-rate caller costs O(1), not a pass over every block. HDFS's meanings: under-
   * replicated = fewer live replicas than the target, corrupt = at least one corrupt
   * replica, missing = no good replica at all.
   */
  health(_now?: number): BlockHealth {
    const counters = this.replication.counters;
    return { underReplicated: counters.underReplicated, corrupt: this.blockMap.corruptBlockCount, missing: counters.missing };
  }

  /** A datanode registered (first start, restart, or after being declared dead). */
  onDatanodeRegistered(node: DatanodeDescriptor): void {
    this.replication.datanodeReset(node);
  }

  /** A node was declared dead: its replicas leave the block map and its blocks are queued. */
  onDatanodeDead(node: DatanodeDescriptor): void {
    this.replication.onDatanodeDead(node);
  }
}

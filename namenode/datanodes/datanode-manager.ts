// The datanodes the namenode knows, keyed by their persistent UUID: address, storage
// figures from heartbeats, liveness, and the bounded queue of commands each one picks up
// with its next heartbeat reply.
import { type RackTable, rackOf } from '../../config/index.js';
import type { DatanodeReportEntry } from '../../protocol/client-namenode.js';
import type { DatanodeLocation } from '../../protocol/common.js';
import type { DatanodeCommand, DatanodeRegistration, Heartbeat } from '../../protocol/datanode-namenode.js';
import { type ExcludeList, emptyExcludeList, isExcluded } from './exclude-list.js';
import { type Liveness, type LivenessLimits, livenessOf } from './liveness.js';

export type AdminState = DatanodeReportEntry['adminState'];

/** Invalidations waiting for one datanode; beyond this we ask for a block report instead. */
export const maxQueuedInvalidatesPerDatanode = 200_000;
/** Blocks to invalidate in one heartbeat reply, so one reply stays small and the disk is not swamped. */
export const maxInvalidatesPerHeartbeat = 1000;

export interface DatanodeDescriptor {
  /** Small stable number standing for the datanode in the block map (cheaper than its UUID). */
  readonly index: number;
  readonly uuid: string;
  hostname: string;
  dataPort: number;
  ipAddress: string;
  rack: string;
  softwareVersion: string;
  adminState: AdminState;
  capacity: number;
  dfsUsed: number;
  nonDfsUsed: number;
  remaining: number;
  activeTransfers: number;
  failedVolumes: number;
  lastHeartbeatMs: number;
  lastBlockReportMs: number;
  /** Liveness when last checked, so the monitor sees transitions. */
  lastLiveness: Liveness;
  pendingInvalidates: Array<[blockId: number, genStamp: number]>;
  pendingCommands: DatanodeCommand[];
}

export interface AdminStateChange {
  node: DatanodeDescriptor;
  from: AdminState;
  to: AdminState;
}

export function datanodeName(node: DatanodeDescriptor): string {
  return `${node.hostname}:${node.dataPort}`;
}

export function locationOf(node: DatanodeDescriptor): DatanodeLocation {
  return { uuid: node.uuid, name: datanodeName(node), hostname: node.hostname, rack: node.rack };
}

export class DatanodeManager {
  private readonly byUuid = new Map<string, DatanodeDescriptor>();
  private readonly byIndex: DatanodeDescriptor[] = [];
  private excludeList: ExcludeList = emptyExcludeList;
  /** Admin states kept in LMDB (uuid → state), for datanodes not registered since the restart. */
  private readonly knownAdminStates = new Map<string, AdminState>();

  constructor(
    readonly limits: LivenessLimits,
    private readonly rackTable: RackTable,
  ) {}

  /** A register message: a new node, or a known UUID (perhaps at a new address). */
  register(message: DatanodeRegistration, ipAddress: string, now: number): DatanodeDescriptor {
    const node = this.byUuid.get(message.datanodeUuid) ?? this.add(message.datanodeUuid, now);
    // A (re)started datanode reports in full next; what was queued for its old self is void
    // (deletions still due follow again from that report: unknown blocks, old stamps, surplus).
    this.clearQueues(node);
    node.hostname = message.hostname;
    node.dataPort = message.dataPort;
    node.ipAddress = ipAddress;
    node.rack = rackOf(this.rackTable, datanodeName(node), node.hostname, ipAddress);
    node.softwareVersion = message.softwareVersion;
    node.capacity = message.storage.capacity;
    node.dfsUsed = message.storage.dfsUsed;
    node.nonDfsUsed = message.storage.nonDfsUsed;
    node.remaining = message.storage.remaining;
    node.failedVolumes = message.storage.volumes.filter((volume) => volume.failed).length;
    node.lastHeartbeatMs = now;
    node.lastLiveness = 'live';
    return node;
  }

  /** Admin states loaded from LMDB at start: a node decommissioned before the restart stays so. */
  loadAdminStates(states: Record<string, AdminState>): void {
    for (const [uuid, state] of Object.entries(states)) this.knownAdminStates.set(uuid, state);
  }

  /** What to persist: every datanode not in service. */
  adminStatesRecord(): Record<string, AdminState> {
    const record: Record<string, AdminState> = {};
    for (const [uuid, state] of this.knownAdminStates) if (state !== 'Normal') record[uuid] = state;
    return record;
  }

  /**
   * A new exclude list (`refreshNodes`, start-up): listed datanodes start decommissioning
   * (or stay Decommissioned), others return to Normal. Returns what changed.
   */
  setExcludeList(list: ExcludeList): AdminStateChange[] {
    this.excludeList = list;
    const changes: AdminStateChange[] = [];
    for (const node of this.byIndex) {
      const change = this.applyExcludeList(node);
      if (change !== undefined) changes.push(change);
    }
    return changes;
  }

  /** The admin state a datanode should have under the current list, applied; a change or undefined. */
  applyExcludeList(node: DatanodeDescriptor): AdminStateChange | undefined {
    const from = node.adminState;
    let to: AdminState = 'Normal';
    if (isExcluded(this.excludeList, node)) {
      const known = this.knownAdminStates.get(node.uuid);
      to = from !== 'Normal' ? from : known === 'Decommissioned' ? 'Decommissioned' : 'Decommission in progress';
    }
    this.setAdminState(node, to);
    return from === to ? undefined : { node, from, to };
  }

  setAdminState(node: DatanodeDescriptor, state: AdminState): void {
    node.adminState = state;
    if (state === 'Normal') this.knownAdminStates.delete(node.uuid);
    else this.knownAdminStates.set(node.uuid, state);
  }

  private add(uuid: string, now: number): DatanodeDescriptor {
    const node: DatanodeDescriptor = {
      index: this.byIndex.length,
      uuid,
      hostname: '',
      dataPort: 0,
      ipAddress: '',
      rack: '',
      softwareVersion: '',
      adminState: 'Normal',
      capacity: 0,
      dfsUsed: 0,
      nonDfsUsed: 0,
      remaining: 0,
      activeTransfers: 0,
      failedVolumes: 0,
      lastHeartbeatMs: now,
      lastBlockReportMs: 0,
      lastLiveness: 'live',
      pendingInvalidates: [],
      pendingCommands: [],
    };
    this.byUuid.set(uuid, node);
    this.byIndex.push(node);
    return node;
  }

  onHeartbeat(node: DatanodeDescriptor, heartbeat: Heartbeat, now: number): void {
    node.capacity = heartbeat.capacity;
    node.dfsUsed = heartbeat.dfsUsed;
    node.nonDfsUsed = heartbeat.nonDfsUsed;
    node.remaining = heartbeat.remaining;
    node.activeTransfers = heartbeat.activeTransfers;
    node.failedVolumes = heartbeat.failedVolumes;
    node.lastHeartbeatMs = now;
  }

  get(uuid: string): DatanodeDescriptor | undefined {
    return this.byUuid.get(uuid);
  }

  atIndex(index: number): DatanodeDescriptor | undefined {
    return this.byIndex[index];
  }

  all(): readonly DatanodeDescriptor[] {
    return this.byIndex;
  }

  liveness(node: DatanodeDescriptor, now: number): Liveness {
    return livenessOf(node.lastHeartbeatMs, now, this.limits);
  }

  countByLiveness(now: number): Record<Liveness, number> {
    const counts: Record<Liveness, number> = { live: 0, stale: 0, dead: 0 };
    for (const node of this.byIndex) counts[this.liveness(node, now)]++;
    return counts;
  }

  queueInvalidate(node: DatanodeDescriptor, blockId: number, genStamp: number): void {
    if (node.pendingInvalidates.length >= maxQueuedInvalidatesPerDatanode) {
      // Dropping is safe: the next full report lists the block again and it is invalidated then.
      this.queueCommandOnce(node, { kind: 'blockReportNow' });
      return;
    }
    node.pendingInvalidates.push([blockId, genStamp]);
  }

  /** A dead or re-registered datanode's queued commands are void (see register). */
  clearQueues(node: DatanodeDescriptor): void {
    node.pendingCommands = [];
    node.pendingInvalidates = [];
  }

  queueCommandOnce(node: DatanodeDescriptor, command: DatanodeCommand): void {
    if (node.pendingCommands.some((queued) => queued.kind === command.kind && command.kind !== 'transfer')) return;
    node.pendingCommands.push(command);
  }

  /**
   * Commands for one heartbeat reply: all queued commands and a bounded batch of
   * invalidations; deletions wait while the namenode is in safe mode.
   */
  drainCommands(node: DatanodeDescriptor, deletionsAllowed = true): DatanodeCommand[] {
    const commands = node.pendingCommands.splice(0, node.pendingCommands.length);
    if (deletionsAllowed && node.pendingInvalidates.length > 0) {
      commands.push({ kind: 'invalidate', blocks: node.pendingInvalidates.splice(0, maxInvalidatesPerHeartbeat) });
    }
    return commands;
  }

  reportEntry(node: DatanodeDescriptor, blocks: number, now: number): DatanodeReportEntry {
    return {
      uuid: node.uuid,
      name: datanodeName(node),
      hostname: node.hostname,
      rack: node.rack,
      adminState: node.adminState,
      capacity: node.capacity,
      dfsUsed: node.dfsUsed,
      nonDfsUsed: node.nonDfsUsed,
      remaining: node.remaining,
      blocks,
      lastContactMs: Math.max(0, now - node.lastHeartbeatMs),
      lastBlockReportTime: node.lastBlockReportMs,
      activeTransfers: node.activeTransfers,
      failedVolumes: node.failedVolumes,
      softwareVersion: node.softwareVersion,
      state: this.liveness(node, now),
    };
  }
}

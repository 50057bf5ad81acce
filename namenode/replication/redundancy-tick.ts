// One tick of the namenode's self-healing core (pure: in-memory state + `now` in,
// decisions out): liveness transitions (a death drops the node's replicas and queues its
// blocks), safe-mode accounting, then the replication monitor's work unless in safe mode.
// The shell (main.ts) runs it every `dfs.namenode.redundancy.interval.seconds`, persists
// what must survive a restart, then queues the commands for the heartbeat replies.
import type { BlockManager } from '../blocks/block-manager.js';
import type { AdminStateChange, DatanodeDescriptor, DatanodeManager } from '../datanodes/datanode-manager.js';
import type { Liveness } from '../datanodes/liveness.js';
import type { SafeMode } from '../safemode/safe-mode.js';
import type { ReplicationWork } from './replication-work.js';

export interface NamenodeCore {
  datanodes: DatanodeManager;
  blockManager: BlockManager;
  safeMode: SafeMode;
}

export interface LivenessChange {
  node: DatanodeDescriptor;
  from: Liveness;
  to: Liveness;
}

export interface TickDecisions extends ReplicationWork {
  livenessChanges: LivenessChange[];
  leftSafeMode: boolean;
}

/**
 * Liveness transitions since the last check. A dead node stays dead until it registers
 * again (a heartbeat alone gets it a `reregister` command), so its full report rebuilds
 * its replicas from scratch.
 */
export function checkLiveness(core: NamenodeCore, now: number): LivenessChange[] {
  const changes: LivenessChange[] = [];
  const racks = new Set<string>();
  for (const node of core.datanodes.all()) {
    if (node.lastLiveness === 'dead') continue;
    const liveness = core.datanodes.liveness(node, now);
    if (liveness !== node.lastLiveness) {
      changes.push({ node, from: node.lastLiveness, to: liveness });
      node.lastLiveness = liveness;
    }
    if (liveness === 'dead') {
      core.datanodes.clearQueues(node);
      core.blockManager.onDatanodeDead(node);
    } else if (node.adminState === 'Normal') {
      racks.add(node.rack);
    }
  }
  core.blockManager.replication.setClusterRacks(Math.max(1, racks.size));
  return changes;
}

/** Feeds safe mode the monitor's counts; true when start-up safe mode just ended. */
export function updateSafeMode(core: NamenodeCore, now: number): boolean {
  const { safeBlocks, completeBlocks } = core.blockManager.replication.counters;
  return core.safeMode.update(safeBlocks, completeBlocks, now);
}

export function redundancyTick(core: NamenodeCore, now: number): TickDecisions {
  const livenessChanges = checkLiveness(core, now);
  const leftSafeMode = updateSafeMode(core, now);
  const work = core.blockManager.replication.computeWork(now, core.safeMode.isOn);
  return { ...work, livenessChanges, leftSafeMode };
}

/** Admin-state changes (exclude list, registration) change which replicas count. */
export function applyAdminStateChanges(core: NamenodeCore, changes: readonly AdminStateChange[]): void {
  for (const change of changes) core.blockManager.replication.adminStateChanged(change.node);
}

// What the namespace operations work with: the store, the in-memory block map and lease
// table they keep in step after each commit, safe mode, permissions, the config and a clock.
import type { Config } from '../../config/index.js';
import type { BlockManager } from '../blocks/block-manager.js';
import type { ReplicaArrivals } from '../blocks/replica-arrivals.js';
import type { LeaseLimits, LeaseTable } from '../leases/lease-core.js';
import type { SafeMode } from '../safemode/safe-mode.js';
import type { NamenodeStore } from '../storage/namenode-store.js';
import type { FsPermissions } from './fs-permissions.js';

export interface NamespaceContext {
  store: NamenodeStore;
  config: Config;
  blockManager: BlockManager;
  /** Wakes RPCs waiting for a replica report (complete). */
  replicaArrivals: ReplicaArrivals;
  leases: LeaseTable;
  safeMode: SafeMode;
  /** Permission checks (HDFS's model); every namespace operation asks it first. */
  permissions: FsPermissions;
  clock: () => number;
}

/** The caller of an RPC: the user (for ownership and permissions) and the address it came from (for placement). */
export interface Caller {
  user: string;
  host: string;
}

export function leaseLimitsOf(config: Config): LeaseLimits {
  return {
    softLimitMs: config['tsdfs.lease.soft-limit.ms'],
    hardLimitMs: config['dfs.namenode.lease-hard-limit-sec'] * 1000,
  };
}

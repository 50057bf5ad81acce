// The namenode's parts wired together over one opened store, without any server: the
// namespace, file writes, block manager, datanode manager, leases and safe mode. main.ts
// adds the servers and timers; tests use this directly.
import { randomBytes } from 'node:crypto';
import type { Config, RackTable } from '../config/index.js';
import { BlockManager } from './blocks/block-manager.js';
import { BlockTokenIssuer } from './blocks/block-tokens.js';
import { ReplicaArrivals } from './blocks/replica-arrivals.js';
import { type DatanodeDescriptor, DatanodeManager, locationOf } from './datanodes/datanode-manager.js';
import { type Liveness, livenessLimitsOf } from './datanodes/liveness.js';
import { LeaseTable } from './leases/lease-core.js';
import { FileWrites, type TargetRequest } from './namespace/file-writes.js';
import { FsPermissions, permissionSettingsOf } from './namespace/fs-permissions.js';
import { Namespace } from './namespace/namespace.js';
import type { NamespaceContext } from './namespace/namespace-context.js';
import { type GroupLookup, osGroupLookup } from './namespace/user-groups.js';
import { type PlacementNode, chooseTargets } from './placement/placement-policy.js';
import { loadAdminStates } from './replication/redundancy-shell.js';
import { updateSafeMode } from './replication/redundancy-tick.js';
import { pendingTimeoutMsOf } from './replication/replication-settings.js';
import { SafeMode } from './safemode/safe-mode.js';
import { processUserName } from './storage/format.js';
import type { NamenodeStore } from './storage/namenode-store.js';
import type { FormatRecord } from './storage/records.js';

export interface NamenodeServices {
  config: Config;
  format: FormatRecord;
  context: NamespaceContext;
  namespace: Namespace;
  fileWrites: FileWrites;
  blockManager: BlockManager;
  datanodes: DatanodeManager;
  leases: LeaseTable;
  safeMode: SafeMode;
  clock: () => number;
  /** The cluster secret (tsdfs.cluster.secret.file): datanode handshakes and block tokens derive their keys from it. */
  clusterSecret: Buffer;
  /** Tokens for LocatedBlocks and transfer commands (`dfs.block.access.token.enable`). */
  blockTokens: BlockTokenIssuer;
}

export interface ServiceOptions {
  /** main.ts reads it from the secret file; in-process tests get a random one. */
  clusterSecret?: Buffer;
  clock?: () => number;
  random?: () => number;
  rackTable?: RackTable;
  /** A user's groups; default: the OS's, with `hadoop.user.group.static.mapping.overrides`. */
  groups?: GroupLookup;
  /** The superuser; default: the OS user running the namenode, as in HDFS. */
  superuser?: string;
}

export function createNamenodeServices(store: NamenodeStore, config: Config, options: ServiceOptions = {}): NamenodeServices {
  const clock = options.clock ?? Date.now;
  const random = options.random ?? Math.random;
  const datanodes = new DatanodeManager(livenessLimitsOf(config), options.rackTable ?? new Map());
  const blockManager = new BlockManager(datanodes, config['dfs.namenode.replication.min'], {
    random,
    replication: {
      maxStreams: config['dfs.namenode.replication.max-streams'],
      pendingTimeoutMs: pendingTimeoutMsOf(config['dfs.namenode.redundancy.interval.seconds'] * 1000),
    },
  });
  blockManager.loadFromStore(store);
  const leases = new LeaseTable();
  // Writers get a fresh lease period after a restart, as in HDFS.
  for (const { value } of store.leases.getRange()) leases.add(value.clientName, value.fileId, clock());
  const safeMode = new SafeMode({ thresholdPct: config['dfs.namenode.safemode.threshold-pct'], extensionMs: config['dfs.namenode.safemode.extension'] });
  const groups = options.groups ?? osGroupLookup({ staticMapping: config['hadoop.user.group.static.mapping.overrides'] });
  const permissions = new FsPermissions(store, permissionSettingsOf(config, options.superuser ?? processUserName(), groups));
  const context: NamespaceContext = { store, config, blockManager, replicaArrivals: new ReplicaArrivals(), leases, safeMode, permissions, clock };
  const namespace = new Namespace(context);
  const targetChooser = (request: TargetRequest) => {
    const now = clock();
    // Only the fields placement weighs, not a copy of each whole descriptor (a create's hot path).
    const nodes = datanodes.all().map((node) => placementViewOf(node, datanodes.liveness(node, now)));
    const chosen = chooseTargets({ ...request, nodes, random });
    return chosen.map((view) => locationOf(view.node));
  };
  const fileWrites = new FileWrites(context, namespace, targetChooser);
  const clusterSecret = options.clusterSecret ?? randomBytes(32);
  const blockTokens = new BlockTokenIssuer(clusterSecret, config['dfs.block.access.token.enable'], clock, config['dfs.block.access.token.lifetime'] * 60_000);
  const services: NamenodeServices = { config, format: store.format, context, namespace, fileWrites, blockManager, datanodes, leases, safeMode, clock, clusterSecret, blockTokens };
  loadAdminStates(services);
  // An empty namespace leaves start-up safe mode at once; one with blocks waits for reports.
  updateSafeMode(services, clock());
  return services;
}

interface PlacementView extends PlacementNode {
  node: DatanodeDescriptor;
}

function placementViewOf(node: DatanodeDescriptor, liveness: Liveness): PlacementView {
  const { uuid, hostname, ipAddress, rack, remaining, activeTransfers, adminState } = node;
  return { uuid, hostname, ipAddress, rack, remaining, activeTransfers, liveness, adminState, node };
}

// Client → namenode RPC: `POST /rpc/<method>` with a JSON body, answered with JSON or a
// RemoteException. One table lists every method's request and response schema, so the
// server's routes and the client's calls are typed from the same source.
import { z } from 'zod';
import {
  BlockId,
  DatanodeLocation,
  DatanodeUuid,
  ExtendedBlock,
  FileStatus,
  GenerationStamp,
  LocatedBlock,
  Permission,
  Replication,
  SafeInt,
  UserName,
} from './common.js';
import { maxPathComponentBytes } from './limits.js';

/** Header naming the caller in `simple` auth mode (HDFS's `user.name`). */
export const userHeader = 'x-tsdfs-user';
/** Names one writer across calls (HDFS's DFSClient name), so leases have an owner. */
export const ClientName = z.string().min(1).max(200).regex(/^[A-Za-z0-9_.:@-]+$/);
const PathString = z.string().max(16 * 1024);
const Empty = z.object({});
/** Requests are strict: an unknown key (a typo such as `recursiv`) is refused, never ignored. */
const NoFields = z.strictObject({});
/** One name in a directory (a listing's `startAfter`): no `/`, no NUL, at most 255 UTF-8 bytes. */
const PathComponent = z
  .string()
  .min(1)
  .refine((name) => !name.includes('/') && !name.includes('\0'), 'a path component may not contain "/" or NUL')
  .refine((name) => Buffer.byteLength(name, 'utf8') <= maxPathComponentBytes, `a path component is at most ${maxPathComponentBytes} bytes`);

export const ContentSummary = z.object({
  length: SafeInt,
  fileCount: SafeInt,
  directoryCount: SafeInt,
  spaceConsumed: SafeInt,
  quota: z.number().int(),
  spaceQuota: z.number().int(),
});
export type ContentSummary = z.infer<typeof ContentSummary>;

export const FsStats = z.object({
  capacity: SafeInt,
  dfsUsed: SafeInt,
  remaining: SafeInt,
  nonDfsUsed: SafeInt,
  totalFiles: SafeInt,
  totalDirectories: SafeInt,
  totalBlocks: SafeInt,
  underReplicatedBlocks: SafeInt,
  corruptBlocks: SafeInt,
  missingBlocks: SafeInt,
  liveDatanodes: SafeInt,
  deadDatanodes: SafeInt,
  safeMode: z.boolean(),
});
export type FsStats = z.infer<typeof FsStats>;

export const AdminState = z.enum(['Normal', 'Decommission in progress', 'Decommissioned']);
export const DatanodeReportEntry = z.object({
  uuid: DatanodeUuid,
  name: z.string(),
  hostname: z.string(),
  rack: z.string(),
  adminState: AdminState,
  capacity: SafeInt,
  dfsUsed: SafeInt,
  nonDfsUsed: SafeInt,
  remaining: SafeInt,
  blocks: SafeInt,
  /** Milliseconds since the datanode's last heartbeat (HDFS's "lastContact", in ms). */
  lastContactMs: SafeInt,
  /** Epoch milliseconds of the last full block report; 0 = none yet. */
  lastBlockReportTime: SafeInt,
  activeTransfers: SafeInt,
  failedVolumes: SafeInt,
  softwareVersion: z.string(),
  state: z.enum(['live', 'stale', 'dead']),
});
export type DatanodeReportEntry = z.infer<typeof DatanodeReportEntry>;

export const DatanodeReport = z.object({
  safeMode: z.boolean(),
  capacity: SafeInt,
  dfsUsed: SafeInt,
  nonDfsUsed: SafeInt,
  remaining: SafeInt,
  underReplicatedBlocks: SafeInt,
  corruptBlocks: SafeInt,
  missingBlocks: SafeInt,
  live: z.array(DatanodeReportEntry),
  dead: z.array(DatanodeReportEntry),
  decommissioning: z.array(DatanodeReportEntry),
});
export type DatanodeReport = z.infer<typeof DatanodeReport>;

export const FsckReplicaState = z.enum(['live', 'stale', 'decommissioning', 'corrupt']);
export const FsckFile = z.object({
  path: z.string(),
  length: SafeInt,
  replication: SafeInt,
  underConstruction: z.boolean(),
  blocks: z.array(
    z.object({
      id: BlockId,
      genStamp: SafeInt,
      length: SafeInt,
      replicas: z.array(
        z.object({ uuid: z.string(), name: z.string(), rack: z.string(), state: FsckReplicaState }),
      ),
    }),
  ),
});
export const FsckReport = z.object({
  path: z.string(),
  status: z.enum(['HEALTHY', 'CORRUPT']),
  totalFiles: SafeInt,
  totalDirs: SafeInt,
  totalSize: SafeInt,
  totalBlocks: SafeInt,
  minimallyReplicatedBlocks: SafeInt,
  underReplicatedBlocks: SafeInt,
  overReplicatedBlocks: SafeInt,
  misReplicatedBlocks: SafeInt,
  missingBlocks: SafeInt,
  corruptBlocks: SafeInt,
  defaultReplication: SafeInt,
  averageBlockReplication: z.number().nonnegative(),
  datanodes: SafeInt,
  racks: SafeInt,
  files: z.array(FsckFile),
});
export type FsckReport = z.infer<typeof FsckReport>;

export const RefreshNodesResponse = z.object({
  /** The `dfs.hosts.exclude` file read ('' when unset: nobody excluded). */
  excludeFile: z.string(),
  excludedEntries: SafeInt,
  /** Datanodes whose admin state changed. */
  changes: z.array(z.object({ uuid: z.string(), name: z.string(), from: AdminState, to: AdminState })),
});
export type RefreshNodesResponse = z.infer<typeof RefreshNodesResponse>;

export const Topology = z.object({
  racks: z.array(
    z.object({
      rack: z.string(),
      nodes: z.array(
        z.object({ name: z.string(), hostname: z.string(), uuid: z.string(), state: z.enum(['live', 'stale', 'dead']), adminState: AdminState }),
      ),
    }),
  ),
});
export type Topology = z.infer<typeof Topology>;

export const rpcMethods = {
  mkdirs: {
    request: z.strictObject({ path: PathString, permission: Permission.optional(), createParent: z.boolean().default(true) }),
    response: z.object({ created: z.boolean() }),
  },
  getFileInfo: {
    request: z.strictObject({ path: PathString }),
    response: z.object({ status: FileStatus.nullable() }),
  },
  listing: {
    request: z.strictObject({ path: PathString, startAfter: PathComponent.optional() }),
    /** `remaining` > 0 means another page follows after the last entry's name. */
    response: z.object({ entries: z.array(FileStatus), remaining: SafeInt }),
  },
  create: {
    request: z.strictObject({
      path: PathString,
      clientName: ClientName,
      overwrite: z.boolean().default(false),
      createParent: z.boolean().default(true),
      replication: Replication.optional(),
      blockSize: SafeInt.optional(),
      permission: Permission.optional(),
      /**
       * tsdfs extension: also allocate the file's first block (as `addBlock` would) in the
       * same transaction and return it as `block`, saving a round trip and a durable commit
       * per file. A writer whose file ends up empty abandons it (`abandonBlock`). No block
       * comes back when no datanode can take one; `addBlock` then reports why.
       */
      firstBlock: z.boolean().default(false),
    }),
    response: z.object({ status: FileStatus, block: LocatedBlock.optional() }),
  },
  addBlock: {
    request: z.strictObject({
      path: PathString,
      clientName: ClientName,
      fileId: SafeInt,
      /** The block just finished, with its final length (null for the first block). */
      previous: ExtendedBlock.nullable().default(null),
      /** Datanodes the client found failing; not chosen again for this block. */
      excludeNodes: z.array(DatanodeUuid).max(1000).default([]),
    }),
    response: z.object({ block: LocatedBlock }),
  },
  abandonBlock: {
    request: z.strictObject({ path: PathString, clientName: ClientName, fileId: SafeInt, block: ExtendedBlock }),
    response: Empty,
  },
  complete: {
    request: z.strictObject({
      path: PathString,
      clientName: ClientName,
      fileId: SafeInt,
      last: ExtendedBlock.nullable().default(null),
      /**
       * tsdfs extension: once complete, rename the file to this path in the same transaction,
       * with `rename`'s rules and permission checks (a copy's `._COPYING_` file lands in one
       * round trip instead of two). If the rename is refused, nothing happens: the file stays
       * open under its name and the error comes back.
       */
      renameTo: PathString.optional(),
    }),
    /** false: the last blocks lack their minimum replicas yet; call again shortly. */
    response: z.object({ complete: z.boolean() }),
  },
  getBlockLocations: {
    request: z.strictObject({ path: PathString, offset: SafeInt.default(0), length: SafeInt.default(Number.MAX_SAFE_INTEGER) }),
    response: z.object({
      fileLength: SafeInt,
      underConstruction: z.boolean(),
      blocks: z.array(LocatedBlock),
    }),
  },
  delete: {
    request: z.strictObject({ path: PathString, recursive: z.boolean().default(false) }),
    response: z.object({ deleted: z.boolean() }),
  },
  rename: {
    request: z.strictObject({ src: PathString, dst: PathString }),
    response: z.object({ renamed: z.boolean(), dst: z.string() }),
  },
  setReplication: {
    request: z.strictObject({ path: PathString, replication: Replication }),
    response: z.object({ changed: z.boolean() }),
  },
  setPermission: {
    request: z.strictObject({ path: PathString, permission: Permission }),
    response: Empty,
  },
  setOwner: {
    request: z.strictObject({ path: PathString, owner: UserName.optional(), group: UserName.optional() }),
    response: Empty,
  },
  renewLease: {
    request: z.strictObject({ clientName: ClientName }),
    response: Empty,
  },
  recoverLease: {
    request: z.strictObject({ path: PathString, clientName: ClientName }),
    response: z.object({ recovered: z.boolean() }),
  },
  reportBadBlocks: {
    request: z.strictObject({
      blocks: z.array(z.object({ block: ExtendedBlock, datanodeUuid: DatanodeUuid })).max(1000),
    }),
    response: Empty,
  },
  /** Pipeline recovery, step 1: a new generation stamp for a block under construction. */
  updateBlockForPipeline: {
    request: z.strictObject({ clientName: ClientName, block: ExtendedBlock }),
    response: z.object({ block: LocatedBlock }),
  },
  /** Pipeline recovery, step 2: the surviving datanodes now hold the block at `newGenStamp`. */
  updatePipeline: {
    request: z.strictObject({
      clientName: ClientName,
      oldBlock: ExtendedBlock,
      newGenStamp: GenerationStamp,
      newNodes: z.array(DatanodeUuid).min(1).max(1000),
    }),
    response: Empty,
  },
  getContentSummary: {
    request: z.strictObject({ path: PathString }),
    response: ContentSummary,
  },
  getStats: {
    request: NoFields,
    response: FsStats,
  },
  datanodeReport: {
    request: z.strictObject({ type: z.enum(['all', 'live', 'dead', 'decommissioning']).default('all') }),
    response: DatanodeReport,
  },
  setSafeMode: {
    request: z.strictObject({ action: z.enum(['get', 'enter', 'leave']) }),
    response: z.object({ safeMode: z.boolean() }),
  },
  fsck: {
    request: z.strictObject({ path: PathString, files: z.boolean().default(true) }),
    response: FsckReport,
  },
  /** Re-reads `dfs.hosts.exclude`: listed datanodes decommission, others return to Normal. */
  refreshNodes: {
    request: NoFields,
    response: RefreshNodesResponse,
  },
  /** Racks (sorted) and their datanodes (sorted by name), as `dfsadmin -printTopology` lists them. */
  printTopology: {
    request: NoFields,
    response: Topology,
  },
  getServerDefaults: {
    request: NoFields,
    response: z.object({
      blockSize: SafeInt,
      bytesPerChecksum: SafeInt,
      replication: SafeInt,
      checksumType: z.literal('CRC32C'),
      clusterId: z.string(),
    }),
  },
} as const;

export type RpcMethod = keyof typeof rpcMethods;
export type RpcRequest<M extends RpcMethod> = z.input<(typeof rpcMethods)[M]['request']>;
export type RpcParsedRequest<M extends RpcMethod> = z.output<(typeof rpcMethods)[M]['request']>;
export type RpcResponse<M extends RpcMethod> = z.output<(typeof rpcMethods)[M]['response']>;
export const rpcMethodNames = Object.keys(rpcMethods) as RpcMethod[];

export function isRpcMethod(name: string): name is RpcMethod {
  return Object.hasOwn(rpcMethods, name);
}

export { DatanodeLocation };

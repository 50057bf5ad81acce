// Shapes shared by several protocols: blocks, datanode locations, file statuses.
import { z } from 'zod';
import { maxReplication } from './limits.js';

export const SafeInt = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const BlockId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const GenerationStamp = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const Replication = z.number().int().min(1).max(maxReplication);
/** Octal permission as HDFS prints it: "755", "1777" (sticky bit). */
export const Permission = z.string().regex(/^[0-7]{3,4}$/, 'permission must be 3 or 4 octal digits');
export const UserName = z.string().min(1).max(256).regex(/^[^\s:/\0]+$/, 'user and group names may not contain spaces, ":" or "/"');
export const DatanodeUuid = z.string().min(1).max(64).regex(/^[A-Za-z0-9-]+$/);
export const HostPort = z.string().min(3).max(300).regex(/^[^\s/]+:\d{1,5}$/, 'expected host:port');

/** A block as it travels: numeric id, generation stamp, bytes. */
export const ExtendedBlock = z.object({
  id: BlockId,
  genStamp: GenerationStamp,
  length: SafeInt,
});
export type ExtendedBlock = z.infer<typeof ExtendedBlock>;

/** Where a replica lives, enough to connect to it. */
export const DatanodeLocation = z.object({
  uuid: DatanodeUuid,
  name: HostPort,
  hostname: z.string(),
  rack: z.string(),
});
export type DatanodeLocation = z.infer<typeof DatanodeLocation>;

export const LocatedBlock = z.object({
  block: ExtendedBlock,
  /** Offset of the block's first byte in the file. */
  offset: SafeInt,
  /** Replicas in the order a reader should try them (best first). */
  locations: z.array(DatanodeLocation),
  /** True when every known replica is corrupt. */
  corrupt: z.boolean(),
  /** Block access token for the data-transfer protocol (empty when tokens are off). */
  token: z.string(),
});
export type LocatedBlock = z.infer<typeof LocatedBlock>;

export const FileType = z.enum(['file', 'directory']);
export type FileType = z.infer<typeof FileType>;

/** A file's status; also the `ls --json` / `stat --json` element. */
export const FileStatus = z.object({
  path: z.string(),
  type: FileType,
  length: SafeInt,
  replication: z.number().int().nonnegative(),
  blockSize: SafeInt,
  owner: z.string(),
  group: z.string(),
  permission: Permission,
  modificationTime: SafeInt,
  accessTime: SafeInt,
  fileId: SafeInt,
  childrenNum: SafeInt,
  underConstruction: z.boolean(),
});
export type FileStatus = z.infer<typeof FileStatus>;

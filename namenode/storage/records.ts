// The records the namenode keeps in LMDB: one shape per sub-database. Values are stored
// with msgpack, so these types are the on-disk layout (bump namenodeLayoutVersion when a
// change is incompatible).

export type InodeType = 'file' | 'directory';
export type FileState = 'complete' | 'underConstruction';

export interface InodeRecord {
  id: number;
  /** 0 for the root. */
  parentId: number;
  /** '' for the root. */
  name: string;
  type: InodeType;
  owner: string;
  group: string;
  /** Permission bits, sticky bit included (0o1777). */
  mode: number;
  mtime: number;
  atime: number;
  /** Files only (0 for directories). */
  replication: number;
  blockSize: number;
  /** Sum of the committed blocks' lengths. */
  length: number;
  state: FileState;
  /** Block ids in file order (empty for directories). */
  blockIds: number[];
  /** Directories: number of children, kept so listings and stats need no scan. */
  childrenNum: number;
}

/** What a new, empty directory needs said; the rest of its record is the same for every one. */
export interface NewDirectory {
  id: number;
  parentId: number;
  name: string;
  owner: string;
  group: string;
  now: number;
  /** Default 0o755, what a umask of 022 leaves. */
  mode?: number;
}

/** The record of a new, empty directory (the root at format, a directory built offline). */
export function newDirectoryRecord(directory: NewDirectory): InodeRecord {
  const { id, parentId, name, owner, group, now, mode = 0o755 } = directory;
  return { id, parentId, name, type: 'directory', owner, group, mode, mtime: now, atime: now, replication: 0, blockSize: 0, length: 0, state: 'complete', blockIds: [], childrenNum: 0 };
}

/** A block's life: allocated → committed (final length known) → complete (minimum replicas seen). */
export type BlockState = 'underConstruction' | 'committed' | 'complete';

export interface BlockRecord {
  id: number;
  fileId: number;
  genStamp: number;
  /** 0 until committed. */
  length: number;
  state: BlockState;
}

export interface LeaseRecord {
  fileId: number;
  clientName: string;
  path: string;
  createdMs: number;
}

export interface FormatRecord {
  clusterId: string;
  namespaceId: string;
  layoutVersion: number;
  createdAt: number;
}

export const rootInodeId = 1;

/** Keys of the `meta` sub-database. */
export const metaKeys = {
  format: 'format',
  nextInodeId: 'nextInodeId',
  nextBlockId: 'nextBlockId',
  nextGenStamp: 'nextGenStamp',
  fileCount: 'fileCount',
  directoryCount: 'directoryCount',
} as const;
export type CounterKey = Exclude<keyof typeof metaKeys, 'format'>;

/** `meta` key of the datanodes' admin states (uuid → state, only those not Normal). */
export const adminStatesMetaKey = 'datanodeAdminStates';

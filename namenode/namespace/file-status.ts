// Inode → the wire's FileStatus (also the `ls --json` element).
import type { FileStatus } from '../../protocol/common.js';
import type { InodeRecord } from '../storage/records.js';
import { formatPermission } from './permission.js';

export function fileStatusOf(inode: InodeRecord, path: string): FileStatus {
  const isFile = inode.type === 'file';
  return {
    path,
    type: inode.type,
    length: isFile ? inode.length : 0,
    replication: isFile ? inode.replication : 0,
    blockSize: isFile ? inode.blockSize : 0,
    owner: inode.owner,
    group: inode.group,
    permission: formatPermission(inode.mode),
    modificationTime: inode.mtime,
    accessTime: inode.atime,
    fileId: inode.id,
    childrenNum: isFile ? 0 : inode.childrenNum,
    underConstruction: inode.state === 'underConstruction',
  };
}

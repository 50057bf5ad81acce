// fsck: walks a subtree and checks every block of every closed file against its file's
// replication — under-, over-, mis-replicated, missing (no good replica) and corrupt
// (every replica corrupt) — in the FsckReport shape `tsdfs fsck` prints. As in HDFS,
// replicas on decommissioning datanodes are listed and readable but do not count as live.
import type { FsckReport } from '../../protocol/client-namenode.js';
import { normalizePath } from '../../protocol/paths.js';
import type { ReplicaView } from '../blocks/block-manager.js';
import type { DatanodeManager } from '../datanodes/datanode-manager.js';
import { locationOf } from '../datanodes/datanode-manager.js';
import type { InodeRecord } from '../storage/records.js';
import { requireInode } from './inode-paths.js';
import type { Namespace } from './namespace.js';
import type { NamespaceContext } from './namespace-context.js';

/** Files listed in one report; the counts still cover the whole subtree. Bounds the reply. */
export const maxFsckFilesListed = 10_000;

type FsckFile = FsckReport['files'][number];
type FsckBlock = FsckFile['blocks'][number];

export function runFsck(context: NamespaceContext, namespace: Namespace, datanodes: DatanodeManager, rawPath: string, listFiles: boolean): FsckReport {
  const path = normalizePath(rawPath);
  const now = context.clock();
  const liveNodes = datanodes.all().filter((node) => datanodes.liveness(node, now) !== 'dead');
  const racks = new Set(liveNodes.map((node) => node.rack)).size;
  const report = emptyReport(path, context.config['dfs.replication'], liveNodes.length, racks);
  let goodReplicas = 0;
  for (const { inode, path: filePath } of namespace.walk(requireInode(context.store, path), path)) {
    if (inode.type === 'directory') {
      report.totalDirs++;
      continue;
    }
    report.totalFiles++;
    report.totalSize += inode.length;
    const file = checkFile(context, inode, filePath, now, report, racks);
    goodReplicas += file.goodReplicas;
    if (listFiles && report.files.length < maxFsckFilesListed) report.files.push(file.entry);
  }
  report.averageBlockReplication = report.totalBlocks === 0 ? 0 : goodReplicas / report.totalBlocks;
  report.status = report.missingBlocks > 0 || report.corruptBlocks > 0 ? 'CORRUPT' : 'HEALTHY';
  return report;
}

function emptyReport(path: string, defaultReplication: number, datanodes: number, racks: number): FsckReport {
  return {
    path,
    status: 'HEALTHY',
    totalFiles: 0,
    totalDirs: 0,
    totalSize: 0,
    totalBlocks: 0,
    minimallyReplicatedBlocks: 0,
    underReplicatedBlocks: 0,
    overReplicatedBlocks: 0,
    misReplicatedBlocks: 0,
    missingBlocks: 0,
    corruptBlocks: 0,
    defaultReplication,
    averageBlockReplication: 0,
    datanodes,
    racks,
    files: [],
  };
}

function checkFile(context: NamespaceContext, inode: InodeRecord, path: string, now: number, report: FsckReport, racks: number): { entry: FsckFile; goodReplicas: number } {
  const entry: FsckFile = { path, length: inode.length, replication: inode.replication, underConstruction: inode.state === 'underConstruction', blocks: [] };
  let goodReplicas = 0;
  for (const blockId of inode.blockIds) {
    const record = context.store.blocks.get(blockId);
    // The block being written is the writer's business until it is committed.
    if (record === undefined || record.state === 'underConstruction') continue;
    const replicas = context.blockManager.replicasOf(blockId, now).filter((replica) => replica.state !== 'dead');
    const good = countBlock(replicas, inode.replication, context.config['dfs.namenode.replication.min'], racks, report);
    goodReplicas += good;
    entry.blocks.push(blockEntry(blockId, record.genStamp, record.length, replicas));
  }
  return { entry, goodReplicas };
}

function isGood(replica: ReplicaView): boolean {
  return replica.state === 'live' || replica.state === 'stale';
}

/** Adds one block to the report's counts; returns its number of live (in-service) replicas. */
function countBlock(replicas: ReplicaView[], replication: number, minReplication: number, racks: number, report: FsckReport): number {
  const readable = replicas.filter(isGood);
  const good = readable.filter((replica) => replica.datanode.adminState === 'Normal');
  report.totalBlocks++;
  if (readable.length === 0) {
    if (replicas.some((replica) => replica.state === 'corrupt')) report.corruptBlocks++;
    else report.missingBlocks++;
    return 0;
  }
  if (readable.length >= minReplication) report.minimallyReplicatedBlocks++;
  if (good.length < replication) report.underReplicatedBlocks++;
  if (good.length > replication) report.overReplicatedBlocks++;
  const blockRacks = new Set(good.map((replica) => replica.datanode.rack)).size;
  if (racks > 1 && good.length > 1 && blockRacks < 2) report.misReplicatedBlocks++;
  return good.length;
}

function blockEntry(id: number, genStamp: number, length: number, replicas: ReplicaView[]): FsckBlock {
  return {
    id,
    genStamp,
    length,
    replicas: replicas.map((replica) => {
      const location = locationOf(replica.datanode);
      const state =
        replica.state === 'corrupt'
          ? 'corrupt'
          : replica.datanode.adminState !== 'Normal'
            ? 'decommissioning'
            : replica.state === 'stale'
              ? 'stale'
              : 'live';
      return { uuid: location.uuid, name: location.name, rack: location.rack, state };
    }),
  };
}

// `fsck` in HDFS's layout: optional per-file and per-block lines, the totals block, and
// the verdict `The filesystem under path '/' is HEALTHY`.
import type { FsckReport } from '../../protocol/client-namenode.js';

type FsckFile = FsckReport['files'][number];
type FsckBlock = FsckFile['blocks'][number];

export interface FsckDetail {
  files: boolean;
  blocks: boolean;
  locations: boolean;
}

export function formatFsck(report: FsckReport, detail: FsckDetail): string[] {
  const lines: string[] = [];
  if (detail.files || detail.blocks || detail.locations) {
    for (const file of report.files) lines.push(...formatFsckFile(file, detail));
  }
  if (lines.at(-1) !== '') lines.push('');
  lines.push(...formatFsckTotals(report), '', `The filesystem under path '${report.path}' is ${report.status}`);
  return lines;
}

/** Replicas that count as live for `Live_repl`: HDFS leaves out decommissioning and corrupt. */
function liveReplicas(block: FsckBlock): number {
  return block.replicas.filter((replica) => replica.state === 'live' || replica.state === 'stale').length;
}

function fileVerdict(file: FsckFile): string {
  const missing = file.blocks.filter((block) => liveReplicas(block) === 0);
  if (missing.length > 0) {
    const missingBytes = missing.reduce((sum, block) => sum + block.length, 0);
    const corrupt = missing.some((block) => block.replicas.some((replica) => replica.state === 'corrupt'));
    return `${corrupt ? 'CORRUPT' : 'MISSING'} ${missing.length} blocks of total size ${missingBytes} B`;
  }
  const under = file.blocks.filter((block) => liveReplicas(block) < file.replication);
  if (under.length > 0) return `Under replicated ${under.length} block(s); target ${file.replication}`;
  return 'OK';
}

export function formatFsckFile(file: FsckFile, detail: FsckDetail): string[] {
  const openForWrite = file.underConstruction ? ', OPENFORWRITE' : '';
  const lines = [`${file.path} ${file.length} bytes, replicated: replication=${file.replication}, ${file.blocks.length} block(s)${openForWrite}:  ${fileVerdict(file)}`];
  if (detail.blocks || detail.locations) {
    file.blocks.forEach((block, index) => lines.push(formatFsckBlock(block, index, detail.locations)));
    lines.push('');
  }
  return lines;
}

function formatFsckBlock(block: FsckBlock, index: number, withLocations: boolean): string {
  const live = liveReplicas(block);
  const head = `${index}. blk_${block.id}_${block.genStamp} len=${block.length}`;
  if (live === 0) return `${head} MISSING!`;
  if (!withLocations) return `${head} Live_repl=${live}`;
  const storages = block.replicas.map((replica) => {
    const flag = replica.state === 'live' ? '' : `(${replica.state.toUpperCase()})`;
    return `DatanodeInfoWithStorage[${replica.name},${replica.uuid},DISK]${flag}`;
  });
  return `${head} Live_repl=${live}  [${storages.join(', ')}]`;
}

const share = (count: number, total: number): string => `${count} (${total > 0 ? ((100 * count) / total).toFixed(1) : '0.0'} %)`;

function formatFsckTotals(report: FsckReport): string[] {
  const blocks = report.totalBlocks;
  const averageBlockSize = blocks > 0 ? Math.floor(report.totalSize / blocks) : 0;
  return [
    `Status: ${report.status}`,
    ` Total size:\t${report.totalSize} B`,
    ` Total dirs:\t${report.totalDirs}`,
    ` Total files:\t${report.totalFiles}`,
    ` Total blocks (validated):\t${blocks}${blocks > 0 ? ` (avg. block size ${averageBlockSize} B)` : ''}`,
    ` Minimally replicated blocks:\t${share(report.minimallyReplicatedBlocks, blocks)}`,
    ` Over-replicated blocks:\t${share(report.overReplicatedBlocks, blocks)}`,
    ` Under-replicated blocks:\t${share(report.underReplicatedBlocks, blocks)}`,
    ` Mis-replicated blocks:\t\t${share(report.misReplicatedBlocks, blocks)}`,
    ` Default replication factor:\t${report.defaultReplication}`,
    ` Average block replication:\t${report.averageBlockReplication.toFixed(1)}`,
    ` Missing blocks:\t\t${report.missingBlocks}`,
    ` Corrupt blocks:\t\t${report.corruptBlocks}`,
    ` Number of data-nodes:\t\t${report.datanodes}`,
    ` Number of racks:\t\t${report.racks}`,
  ];
}

// `dfsadmin -report` in HDFS's layout: the cluster summary, a line of dashes, then one
// block per datanode under `Live datanodes (N):` / `Dead datanodes (M):`.
import type { DatanodeReport, DatanodeReportEntry } from '../../protocol/client-namenode.js';
import { byteDescription, percent } from './size.js';
import { javaDate } from './time.js';

export type ReportSection = 'live' | 'dead' | 'decommissioning';

const sizeLine = (label: string, bytes: number): string => `${label}: ${bytes} (${byteDescription(bytes)})`;

export function formatReport(report: DatanodeReport, sections: readonly ReportSection[], now: number): string[] {
  const lines = report.safeMode ? ['Safe mode is ON'] : [];
  lines.push(...formatClusterSummary(report), '-'.repeat(49));
  for (const section of sections) {
    const nodes = report[section];
    lines.push(`${sectionTitle[section]} (${nodes.length}):`, '');
    for (const node of nodes) lines.push(...formatDatanode(node, now), '');
  }
  return lines;
}

const sectionTitle: Record<ReportSection, string> = {
  live: 'Live datanodes',
  dead: 'Dead datanodes',
  decommissioning: 'Decommissioning datanodes',
};

function formatClusterSummary(report: DatanodeReport): string[] {
  // HDFS's "present capacity" is what DFS can use: its own data plus what is left.
  const present = report.dfsUsed + report.remaining;
  return [
    sizeLine('Configured Capacity', report.capacity),
    sizeLine('Present Capacity', present),
    sizeLine('DFS Remaining', report.remaining),
    sizeLine('DFS Used', report.dfsUsed),
    `DFS Used%: ${percent(report.dfsUsed, present)}`,
    `Under replicated blocks: ${report.underReplicatedBlocks}`,
    `Blocks with corrupt replicas: ${report.corruptBlocks}`,
    `Missing blocks: ${report.missingBlocks}`,
  ];
}

export function formatDatanode(node: DatanodeReportEntry, now: number): string[] {
  const host = node.name.slice(0, node.name.lastIndexOf(':'));
  return [
    `Name: ${node.name} (${node.hostname || host})`,
    `Hostname: ${node.hostname || host}`,
    `Rack: ${node.rack}`,
    `Decommission Status : ${node.adminState}`,
    sizeLine('Configured Capacity', node.capacity),
    sizeLine('DFS Used', node.dfsUsed),
    sizeLine('Non DFS Used', node.nonDfsUsed),
    sizeLine('DFS Remaining', node.remaining),
    `DFS Used%: ${percent(node.dfsUsed, node.capacity)}`,
    `DFS Remaining%: ${percent(node.remaining, node.capacity)}`,
    `Num of Blocks: ${node.blocks}`,
    `Xceivers: ${node.activeTransfers}`,
    `Failed Volumes: ${node.failedVolumes}`,
    `Last contact: ${javaDate(now - node.lastContactMs)}`,
    `Last Block Report: ${node.lastBlockReportTime === 0 ? 'Never' : javaDate(node.lastBlockReportTime)}`,
  ];
}

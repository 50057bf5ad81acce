// `count`, `du` and `df` output in Hadoop's layouts.
import type { ContentSummary, FsStats } from '../../protocol/client-namenode.js';
import { humanSize } from './size.js';
import { formatTable } from './table.js';

const sizeText = (bytes: number, human: boolean): string => (human ? humanSize(bytes) : String(bytes));

/** Hadoop's ContentSummary.toString: `%12s %12s %18s ` then the path; `-q` adds quotas. */
export function formatCountLine(summary: ContentSummary, path: string, options: { quotas: boolean; human: boolean }): string {
  const quotaPart = options.quotas ? formatQuotas(summary, options.human) : '';
  const counts = `${String(summary.directoryCount).padStart(12)} ${String(summary.fileCount).padStart(12)} ${sizeText(summary.length, options.human).padStart(18)} `;
  return `${quotaPart}${counts}${path}`;
}

function formatQuotas(summary: ContentSummary, human: boolean): string {
  const hasQuota = summary.quota >= 0;
  const hasSpaceQuota = summary.spaceQuota >= 0;
  const quota = hasQuota ? String(summary.quota) : 'none';
  const remaining = hasQuota ? String(summary.quota - summary.directoryCount - summary.fileCount) : 'inf';
  const spaceQuota = hasSpaceQuota ? sizeText(summary.spaceQuota, human) : 'none';
  const remainingSpace = hasSpaceQuota ? sizeText(summary.spaceQuota - summary.spaceConsumed, human) : 'inf';
  return `${quota.padStart(12)} ${remaining.padStart(15)} ${spaceQuota.padStart(15)} ${remainingSpace.padStart(15)} `;
}

/** The `count -v` header, in the same columns. */
export function formatCountHeader(quotas: boolean): string {
  const quotaPart = quotas ? `${'QUOTA'.padStart(12)} ${'REM_QUOTA'.padStart(15)} ${'SPACE_QUOTA'.padStart(15)} ${'REM_SPACE_QUOTA'.padStart(15)} ` : '';
  return `${quotaPart}${'DIR_COUNT'.padStart(12)} ${'FILE_COUNT'.padStart(12)} ${'CONTENT_SIZE'.padStart(18)} PATHNAME`;
}

/** Numbers are sizes; strings (a header) are printed as they are. */
export interface DiskUsageRow {
  length: number | string;
  spaceConsumed: number | string;
  path: string;
}

const cell = (value: number | string, human: boolean): string => (typeof value === 'string' ? value : sizeText(value, human));

/** `du`: size, space consumed with all replicas, path; columns two spaces apart. */
export function formatDiskUsage(rows: readonly DiskUsageRow[], human: boolean): string[] {
  return formatTable(rows.map((row) => [cell(row.length, human), cell(row.spaceConsumed, human), row.path]));
}

/** `df`: `Filesystem Size Used Available Use%` for the whole file system. */
export function formatDiskFree(filesystem: string, stats: Pick<FsStats, 'capacity' | 'dfsUsed' | 'remaining'>, human: boolean): string[] {
  const usedPercent = stats.capacity > 0 ? Math.round((100 * stats.dfsUsed) / stats.capacity) : 0;
  return formatTable(
    [
      ['Filesystem', 'Size', 'Used', 'Available', 'Use%'],
      [filesystem, sizeText(stats.capacity, human), sizeText(stats.dfsUsed, human), sizeText(stats.remaining, human), `${usedPercent}%`],
    ],
    ['left', 'right', 'right', 'right', 'right'],
  );
}

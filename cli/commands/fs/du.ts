// `du [-s] [-h] [-v] <path> ...`: bytes and bytes with all replicas, per entry of a
// directory or (with -s) per argument.
import type { FileStatus } from '../../../protocol/common.js';
import { parseCommandArguments } from '../../args.js';
import type { CommandRun } from '../../command.js';
import { type DiskUsageRow, formatDiskUsage } from '../../format/summary.js';
import type { ShellClient } from '../../shell/client.js';
import { writeLines } from '../../shell/output.js';
import { type ShellPath, childPath, entryName, forEachArgument, requireStatus, shellPath } from '../../shell/paths.js';

export const runDu: CommandRun = async (args, io) => {
  const parsed = parseCommandArguments(args, { flags: ['-s', '-h', '-v', '-x'] });
  const client = await io.client();
  const rows: DiskUsageRow[] = [];
  const paths = parsed.positionals.length > 0 ? parsed.positionals : ['.'];
  const exitCode = await forEachArgument(io, paths, async (typed) => {
    const path = shellPath(client, typed);
    const status = await requireStatus(client, path);
    if (parsed.flags.has('-s') || status.type === 'file') rows.push(await usageRow(client, path, status));
    else for await (const child of client.list(path.absolute)) rows.push(await usageRow(client, childPath(path, entryName(child)), child));
  });
  const header = parsed.flags.has('-v') ? [{ length: 'SIZE', spaceConsumed: 'DISK_SPACE_CONSUMED_WITH_ALL_REPLICAS', path: 'FULL_PATH_NAME' }] : [];
  writeLines(io.stdout, formatDiskUsage([...header, ...rows], parsed.flags.has('-h')));
  return exitCode;
};

async function usageRow(client: ShellClient, path: ShellPath, status: FileStatus): Promise<DiskUsageRow> {
  if (status.type === 'file') return { length: status.length, spaceConsumed: status.length * status.replication, path: path.shown };
  const summary = await client.contentSummary(path.absolute);
  return { length: summary.length, spaceConsumed: summary.spaceConsumed, path: path.shown };
}

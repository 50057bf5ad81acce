// `stat [format] <path> ...`: Hadoop's format letters (%n %b %r %o %y %F %u %g ...),
// default `%y` (modification time, UTC); `--json` prints DESIGN.md's status object.
import type { CommandRun } from '../../command.js';
import { expectPositionals, parseCommandArguments } from '../../args.js';
import { formatStat, statusJson } from '../../format/listing.js';
import { writeJson } from '../../shell/output.js';
import { entryName, forEachArgument, requireStatus, shellPath } from '../../shell/paths.js';

export const runStat: CommandRun = async (args, io) => {
  const parsed = parseCommandArguments(args, { flags: ['--json'] });
  const positionals = expectPositionals(parsed, 1);
  const hasFormat = positionals.length > 1 && (positionals[0] as string).includes('%');
  const format = hasFormat ? (positionals[0] as string) : '%y';
  const paths = hasFormat ? positionals.slice(1) : positionals;
  const client = await io.client();
  const statuses: Record<string, unknown>[] = [];
  const exitCode = await forEachArgument(io, paths, async (typed) => {
    const path = shellPath(client, typed);
    const status = await requireStatus(client, path);
    if (parsed.flags.has('--json')) statuses.push(statusJson(status, path.absolute));
    else io.stdout.write(`${formatStat(format, status, entryName(status) || path.shown)}\n`);
  });
  if (parsed.flags.has('--json') && statuses.length > 0) writeJson(io.stdout, paths.length === 1 ? statuses[0] : statuses);
  return exitCode;
};

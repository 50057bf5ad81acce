// `count [-q] [-h] [-v] <path> ...`: DIR_COUNT FILE_COUNT CONTENT_SIZE PATHNAME.
import { expectPositionals, parseCommandArguments } from '../../args.js';
import type { CommandRun } from '../../command.js';
import { formatCountHeader, formatCountLine } from '../../format/summary.js';
import { forEachArgument, requireStatus, shellPath } from '../../shell/paths.js';

export const runCount: CommandRun = async (args, io) => {
  const parsed = parseCommandArguments(args, { flags: ['-q', '-h', '-v', '-u'] });
  const options = { quotas: parsed.flags.has('-q'), human: parsed.flags.has('-h') };
  const client = await io.client();
  if (parsed.flags.has('-v')) io.stdout.write(`${formatCountHeader(options.quotas)}\n`);
  return forEachArgument(io, expectPositionals(parsed, 1), async (typed) => {
    const path = shellPath(client, typed);
    await requireStatus(client, path);
    const summary = await client.contentSummary(path.absolute);
    io.stdout.write(`${formatCountLine(summary, typed, options)}\n`);
  });
};

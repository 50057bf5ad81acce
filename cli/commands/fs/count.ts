// `count [-q] [-h] [-v] <path> ...`: DIR_COUNT FILE_COUNT CONTENT_SIZE PATHNAME.
import { expectPositionals, parseCommandArguments } from '../../args.js';
import type { Command } from '../../command.js';
import { formatCountHeader, formatCountLine } from '../../format/summary.js';
import { forEachArgument, requireStatus, shellPath } from '../../shell/paths.js';

export const countCommand: Command = {
  name: 'count',
  kind: 'shell',
  usage: '[-q] [-h] [-v] <path> ...',
  help: `Count directories, files and bytes below each path.
Columns: DIR_COUNT FILE_COUNT CONTENT_SIZE PATHNAME.
  -q  also QUOTA REM_QUOTA SPACE_QUOTA REM_SPACE_QUOTA
  -h  sizes as 1.5 K, 128 M, ...
  -v  print a header line`,
  async run(args, io) {
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
  },
};

// `df [-h] [<path>]`: capacity, used and available of the whole file system.
import { parseCommandArguments } from '../../args.js';
import type { CommandRun } from '../../command.js';
import { formatDiskFree } from '../../format/summary.js';
import { writeLines } from '../../shell/output.js';

export const runDf: CommandRun = async (args, io) => {
  const parsed = parseCommandArguments(args, { flags: ['-h'] });
  const client = await io.client();
  const stats = await client.rpc('getStats', {});
  writeLines(io.stdout, formatDiskFree(io.config['fs.defaultFS'], stats, parsed.flags.has('-h')));
};

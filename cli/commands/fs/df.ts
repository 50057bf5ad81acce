// `df [-h] [<path>]`: capacity, used and available of the whole file system.
import { parseCommandArguments } from '../../args.js';
import type { Command } from '../../command.js';
import { formatDiskFree } from '../../format/summary.js';
import { writeLines } from '../../shell/output.js';

export const dfCommand: Command = {
  name: 'df',
  kind: 'shell',
  usage: '[-h] [<path> ...]',
  help: `Show the file system's capacity, space used and space available.
  -h  sizes as 1.5 K, 128 M, ...`,
  async run(args, io) {
    const parsed = parseCommandArguments(args, { flags: ['-h'] });
    const client = await io.client();
    const stats = await client.rpc('getStats', {});
    writeLines(io.stdout, formatDiskFree(io.config['fs.defaultFS'], stats, parsed.flags.has('-h')));
  },
};

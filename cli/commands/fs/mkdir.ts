// `mkdir [-p] <path> ...`: HDFS refuses an existing path and a missing parent without -p.
import { parentPath } from '../../../protocol/paths.js';
import { expectPositionals, parseCommandArguments } from '../../args.js';
import type { CommandRun } from '../../command.js';
import { pathError } from '../../shell/errors.js';
import { forEachArgument, shellPath, statOrNull } from '../../shell/paths.js';

export const runMkdir: CommandRun = async (args, io) => {
  const parsed = parseCommandArguments(args, { flags: ['-p'] });
  const parents = parsed.flags.has('-p');
  const client = await io.client();
  return forEachArgument(io, expectPositionals(parsed, 1), async (typed) => {
    const path = shellPath(client, typed);
    const existing = await statOrNull(client, path.absolute);
    if (existing?.type === 'file') throw pathError(typed, 'Is not a directory');
    if (existing) {
      if (parents) return;
      throw pathError(typed, 'File exists');
    }
    if (!parents && (await statOrNull(client, parentPath(path.absolute))) === null) throw pathError(typed, 'No such file or directory');
    await client.mkdir(path.absolute, { parents });
  });
};

// `rm [-r|-R] [-f] [-skipTrash] <path> ...`. tsdfs has no trash yet, so every delete is
// immediate (as HDFS with -skipTrash) and says `Deleted <path>`.
import { UsageError, parseCommandArguments } from '../../args.js';
import type { CommandRun } from '../../command.js';
import { pathError } from '../../shell/errors.js';
import { forEachArgument, shellPath, statOrNull } from '../../shell/paths.js';

export const runRm: CommandRun = async (args, io) => {
  const parsed = parseCommandArguments(args, { flags: ['-r', '-R', '-f', '-skipTrash', '-safely'] });
  const recursive = parsed.flags.has('-r') || parsed.flags.has('-R');
  const force = parsed.flags.has('-f');
  if (parsed.positionals.length === 0) {
    if (force) return 0;
    throw new UsageError('missing argument');
  }
  const client = await io.client();
  return forEachArgument(io, parsed.positionals, async (typed) => {
    const path = shellPath(client, typed);
    const existing = await statOrNull(client, path.absolute);
    if (existing === null) {
      if (force) return;
      throw pathError(typed, 'No such file or directory');
    }
    if (existing.type === 'directory' && !recursive) throw pathError(typed, 'Is a directory');
    if (path.absolute === '/') throw pathError(typed, 'Input/output error: refusing to delete the root directory');
    await client.rm(path.absolute, { recursive });
    io.stdout.write(`Deleted ${typed}\n`);
  });
};

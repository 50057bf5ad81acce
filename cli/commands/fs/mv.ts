// `mv <src> ... <dst>`: rename inside tsdfs; several sources need a directory to go into.
import { expectPositionals, parseCommandArguments } from '../../args.js';
import type { CommandRun } from '../../command.js';
import { pathError } from '../../shell/errors.js';
import { childPath, entryName, forEachArgument, requireStatus, shellPath, statOrNull } from '../../shell/paths.js';

export const runMv: CommandRun = async (args, io) => {
  const positionals = expectPositionals(parseCommandArguments(args, {}), 2);
  const client = await io.client();
  const destination = shellPath(client, positionals.at(-1) as string);
  const destinationStatus = await statOrNull(client, destination.absolute);
  const sources = positionals.slice(0, -1);
  if (sources.length > 1 && destinationStatus?.type !== 'directory') {
    throw pathError(destination.shown, destinationStatus ? 'Is not a directory' : 'No such file or directory');
  }
  return forEachArgument(io, sources, async (typed) => {
    const source = shellPath(client, typed);
    const sourceStatus = await requireStatus(client, source);
    const target = destinationStatus?.type === 'directory' ? childPath(destination, entryName(sourceStatus)) : destination;
    if (target.absolute === source.absolute) throw pathError(typed, 'source and destination are the same');
    if (await statOrNull(client, target.absolute)) throw pathError(target.shown, 'File exists');
    const result = (await client.mv(source.absolute, target.absolute)) as { renamed?: boolean } | boolean | undefined;
    if (result === false || (typeof result === 'object' && result?.renamed === false)) {
      throw pathError(typed, `could not be moved to \`${target.shown}'`);
    }
  });
};

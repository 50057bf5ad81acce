// `touchz <path> ...`: create empty files; a file that exists must already be empty.
import { finished } from 'node:stream/promises';
import { expectPositionals, parseCommandArguments } from '../../args.js';
import type { CommandRun } from '../../command.js';
import { pathError } from '../../shell/errors.js';
import { forEachArgument, shellPath, statOrNull } from '../../shell/paths.js';

export const runTouchz: CommandRun = async (args, io) => {
  const client = await io.client();
  return forEachArgument(io, expectPositionals(parseCommandArguments(args, {}), 1), async (typed) => {
    const path = shellPath(client, typed);
    const existing = await statOrNull(client, path.absolute);
    if (existing?.type === 'directory') throw pathError(typed, 'Is a directory');
    if (existing && existing.length > 0) throw pathError(typed, 'Not a zero-length file');
    const stream = await client.createWriteStream(path.absolute, { overwrite: existing !== null, firstBlock: false });
    stream.end();
    // `finished` rejects when the namenode refused the file; end()'s callback would not say.
    await finished(stream);
  });
};

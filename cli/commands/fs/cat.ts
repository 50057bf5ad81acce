// `cat <path> ...`: files' bytes to stdout, in order.
import { pipeline } from 'node:stream/promises';
import { expectPositionals, parseCommandArguments } from '../../args.js';
import type { CommandRun } from '../../command.js';
import { pathError } from '../../shell/errors.js';
import { forEachArgument, requireStatus, shellPath } from '../../shell/paths.js';

export const runCat: CommandRun = async (args, io) => {
  const parsed = parseCommandArguments(args, { flags: ['-ignoreCrc'] });
  const client = await io.client();
  return forEachArgument(io, expectPositionals(parsed, 1), async (typed) => {
    const path = shellPath(client, typed);
    const status = await requireStatus(client, path);
    if (status.type === 'directory') throw pathError(typed, 'Is a directory');
    // stdout stays open for the next file and the runner's last words. The process's own
    // stdout keeps nothing once a write is done, so its chunks' memory can be reused.
    if (client.writeFileTo !== undefined) {
      await client.writeFileTo(path.absolute, io.stdout, { reuseBuffers: io.stdout === process.stdout });
      return;
    }
    await pipeline(await client.createReadStream(path.absolute), io.stdout, { end: false });
  });
};

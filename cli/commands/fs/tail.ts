// `tail [-f] <path>`: the last kilobyte of a file; -f keeps printing what is appended.
import { pipeline } from 'node:stream/promises';
import { expectPositionals, parseCommandArguments } from '../../args.js';
import type { CommandIo, CommandRun } from '../../command.js';
import { pathError } from '../../shell/errors.js';
import type { ShellClient } from '../../shell/client.js';
import { type ShellPath, requireStatus, shellPath } from '../../shell/paths.js';
import { pauseUnlessStopped } from '../../shell/polling.js';

/** HDFS's tail shows the last kilobyte. */
export const tailBytes = 1024;
/** How often `tail -f` looks for new bytes. */
const followPollMs = 1000;

export const runTail: CommandRun = async (args, io) => {
  const parsed = parseCommandArguments(args, { flags: ['-f'] });
  const [typed] = expectPositionals(parsed, 1, 1);
  const client = await io.client();
  const path = shellPath(client, typed as string);
  const status = await requireStatus(client, path);
  if (status.type === 'directory') throw pathError(path.shown, 'Is a directory');
  let printed = await printFrom(io, client, path, Math.max(0, status.length - tailBytes), status.length);
  while (parsed.flags.has('-f') && (await pauseUnlessStopped(io, followPollMs))) {
    const { length } = await requireStatus(client, path);
    if (length > printed) printed = await printFrom(io, client, path, printed, length);
  }
};

/** Prints bytes [start, end) and returns `end`. */
async function printFrom(io: CommandIo, client: ShellClient, path: ShellPath, start: number, end: number): Promise<number> {
  if (end > start) await pipeline(await client.createReadStream(path.absolute, { start }), io.stdout, { end: false });
  return end;
}

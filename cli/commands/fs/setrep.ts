// `setrep [-w] <rep> <path> ...`: sets every file's replication (directories: all files
// below); -w waits until each block has exactly that many replicas, as HDFS does.
import { maxReplication } from '../../../protocol/limits.js';
import { expectPositionals, parseCommandArguments, parseIntegerArgument } from '../../args.js';
import type { CommandIo, CommandRun } from '../../command.js';
import type { ShellClient } from '../../shell/client.js';
import { ShellError } from '../../shell/errors.js';
import { type ShellPath, forEachArgument, requireStatus, shellPath, walkTree } from '../../shell/paths.js';
import { pauseUnlessStopped } from '../../shell/polling.js';

/** How often `-w` asks the namenode again. */
const replicationPollMs = 1000;

export const runSetrep: CommandRun = async (args, io) => {
  const parsed = parseCommandArguments(args, { flags: ['-w', '-R'] });
  const positionals = expectPositionals(parsed, 2);
  const replication = parseIntegerArgument(positionals[0] as string, 'replication', 1, maxReplication);
  const client = await io.client();
  const changed: ShellPath[] = [];
  let decreasing = false;
  const exitCode = await forEachArgument(io, positionals.slice(1), async (typed) => {
    const root = shellPath(client, typed);
    for await (const entry of walkTree(client, root, await requireStatus(client, root))) {
      if (entry.status.type !== 'file') continue;
      await client.setReplication(entry.path.absolute, replication);
      decreasing ||= entry.status.replication > replication;
      io.stdout.write(`Replication ${replication} set: ${entry.path.shown}\n`);
      changed.push(entry.path);
    }
  });
  if (parsed.flags.has('-w')) {
    // Excess replicas go only when the namenode gets round to removing them.
    if (decreasing) io.stdout.write('WARNING: the waiting time may be long for DECREASING the number of replications.\n');
    for (const path of changed) await waitForReplication(io, client, path, replication);
  }
  return exitCode;
};

async function waitForReplication(io: CommandIo, client: ShellClient, path: ShellPath, replication: number): Promise<void> {
  io.stdout.write(`Waiting for ${path.shown} ...`);
  for (;;) {
    const located = await client.rpc('getBlockLocations', { path: path.absolute });
    if (located.blocks.every((block) => block.locations.length === replication)) break;
    io.stdout.write('.');
    if (!(await pauseUnlessStopped(io, replicationPollMs))) throw new ShellError(`interrupted while waiting for ${path.shown}`);
  }
  io.stdout.write(' done\n');
}

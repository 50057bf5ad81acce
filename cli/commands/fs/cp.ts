// `cp [-f] [-r] <src> ... <dst>`: copies inside tsdfs by streaming each file through this
// client (read → write). Directories are copied recursively, as HDFS's cp does.
import { expectPositionals, parseCommandArguments } from '../../args.js';
import type { CommandRun } from '../../command.js';
import { entryName, forEachArgument, requireStatus, shellPath, statOrNull } from '../../shell/paths.js';
import { createTransferProgress } from '../../shell/progress.js';
import { type TransferContext, copyRemote } from '../../shell/transfer.js';
import { checkManySourcesTarget, checkNewTargetParent, remoteTarget } from './copy-destination.js';

export const runCp: CommandRun = async (args, io) => {
  const parsed = parseCommandArguments(args, { flags: ['-f', '-r', '-R', '-p', '-d'] });
  const positionals = expectPositionals(parsed, 2);
  const client = await io.client();
  const destination = shellPath(client, positionals.at(-1) as string);
  const destinationStatus = await statOrNull(client, destination.absolute);
  const sources = positionals.slice(0, -1);
  checkManySourcesTarget(sources.length, destination, destinationStatus);
  await checkNewTargetParent(client, destination, destinationStatus);
  const progress = await createTransferProgress(io);
  const context: TransferContext = { io, client, overwrite: parsed.flags.has('-f'), progress };
  try {
    return await forEachArgument(io, sources, async (typed) => {
      const source = shellPath(client, typed);
      const status = await requireStatus(client, source);
      await copyRemote(context, source, status, remoteTarget(destination, destinationStatus, entryName(status)));
    });
  } finally {
    progress.stop();
  }
};

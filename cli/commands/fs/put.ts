// `put [-f] [-p] <localsrc> ... <dst>` (also copyFromLocal): local files and directory
// trees into tsdfs; `-` reads standard input.
import { basename } from 'node:path';
import { parseCommandArguments, expectPositionals } from '../../args.js';
import type { CommandRun } from '../../command.js';
import { forEachArgument, shellPath, statOrNull } from '../../shell/paths.js';
import { createTransferProgress } from '../../shell/progress.js';
import { type TransferContext, uploadFile, uploadStream } from '../../shell/transfer.js';
import { pathError } from '../../shell/errors.js';
import { checkManySourcesTarget, checkNewTargetParent, remoteTarget } from './copy-destination.js';

export const runPut: CommandRun = async (args, io) => {
  const parsed = parseCommandArguments(args, { flags: ['-f', '-p', '-d', '-l'] });
  const positionals = expectPositionals(parsed, 1);
  const sources = positionals.length === 1 ? positionals : positionals.slice(0, -1);
  const client = await io.client();
  const destination = shellPath(client, positionals.length === 1 ? '.' : (positionals.at(-1) as string));
  const destinationStatus = await statOrNull(client, destination.absolute);
  checkManySourcesTarget(sources.length, destination, destinationStatus);
  await checkNewTargetParent(client, destination, destinationStatus);
  const progress = await createTransferProgress(io);
  const context: TransferContext = { io, client, overwrite: parsed.flags.has('-f'), preservePermission: parsed.flags.has('-p'), progress };
  try {
    return await forEachArgument(io, sources, async (local) => {
      if (local === '-') {
        if (destinationStatus?.type === 'directory') throw pathError(destination.shown, 'Is a directory');
        return uploadStream(context, io.stdin, destination);
      }
      await uploadFile(context, local, remoteTarget(destination, destinationStatus, basename(local)));
    });
  } finally {
    progress.stop();
  }
};

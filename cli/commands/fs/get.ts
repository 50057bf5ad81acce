// `get [-f] <src> ... <localdst>` (also copyToLocal): files and directory trees out of tsdfs.
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { expectPositionals, parseCommandArguments } from '../../args.js';
import type { CommandRun } from '../../command.js';
import { pathError } from '../../shell/errors.js';
import { entryName, forEachArgument, requireStatus, shellPath } from '../../shell/paths.js';
import { createTransferProgress } from '../../shell/progress.js';
import { type TransferContext, downloadFile } from '../../shell/transfer.js';

export const runGet: CommandRun = async (args, io) => {
  const parsed = parseCommandArguments(args, { flags: ['-f', '-p', '-ignoreCrc', '-crc'] });
  const positionals = expectPositionals(parsed, 1);
  const sources = positionals.length === 1 ? positionals : positionals.slice(0, -1);
  const localTyped = positionals.length === 1 ? '.' : (positionals.at(-1) as string);
  const localDestination = resolve(io.cwd, localTyped);
  const localIsDirectory = (await stat(localDestination).catch(() => null))?.isDirectory() ?? false;
  if (sources.length > 1 && !localIsDirectory) throw pathError(localTyped, 'Is not a directory');
  const client = await io.client();
  const progress = await createTransferProgress(io);
  const context: TransferContext = { io, client, overwrite: parsed.flags.has('-f'), progress };
  try {
    return await forEachArgument(io, sources, async (typed) => {
      const source = shellPath(client, typed);
      const status = await requireStatus(client, source);
      const local = localIsDirectory ? join(localDestination, entryName(status) || 'root') : localDestination;
      await downloadFile(context, source, status, local);
    });
  } finally {
    progress.stop();
  }
};

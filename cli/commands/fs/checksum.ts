// `checksum <path> ...`: `PATH\tCRC32C\t<hex>`, the CRC32C of the file's bytes, computed by
// reading the file (so it is comparable with a local file's CRC32C).
import { expectPositionals, parseCommandArguments } from '../../args.js';
import type { CommandRun } from '../../command.js';
import { pathError } from '../../shell/errors.js';
import { forEachArgument, requireStatus, shellPath } from '../../shell/paths.js';

export const runChecksum: CommandRun = async (args, io) => {
  // The native CRC32C module loads only for this command, keeping start-up quick.
  const { crc32cOf } = await import('../../../protocol/checksum.js');
  const client = await io.client();
  return forEachArgument(io, expectPositionals(parseCommandArguments(args, {}), 1), async (typed) => {
    const path = shellPath(client, typed);
    if ((await requireStatus(client, path)).type === 'directory') throw pathError(typed, 'Is a directory');
    let crc = 0;
    for await (const chunk of await client.createReadStream(path.absolute)) crc = crc32cOf(chunk as Buffer, crc);
    io.stdout.write(`${typed}\tCRC32C\t${crc.toString(16).padStart(8, '0')}\n`);
  });
};

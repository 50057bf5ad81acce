// `fsck <path> [-files] [-blocks] [-locations] [--json]`: the health of files and blocks
// below a path, in HDFS's layout; exit 1 when the file system there is CORRUPT.
import { parseCommandArguments, expectPositionals } from '../../args.js';
import type { CommandRun } from '../../command.js';
import { formatFsck } from '../../format/fsck.js';
import { writeJson, writeLines } from '../../shell/output.js';
import { shellPath } from '../../shell/paths.js';

export const runFsck: CommandRun = async (args, io) => {
  const parsed = parseCommandArguments(args, { flags: ['-files', '-blocks', '-locations', '-racks', '-openforwrite', '--json'] });
  const [typed] = expectPositionals(parsed, 1, 1);
  const detail = {
    files: parsed.flags.has('-files'),
    blocks: parsed.flags.has('-blocks'),
    locations: parsed.flags.has('-locations'),
  };
  const client = await io.client();
  const path = shellPath(client, typed as string).absolute;
  const wantFiles = detail.files || detail.blocks || detail.locations;
  const result = await client.rpc('fsck', { path, files: wantFiles });
  if (parsed.flags.has('--json')) writeJson(io.stdout, result);
  else writeLines(io.stdout, formatFsck(result, detail));
  return result.status === 'CORRUPT' ? 1 : 0;
};

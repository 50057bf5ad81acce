// `test -e|-d|-f|-z|-s <path>`: answers with the exit code only (0 yes, 1 no).
import { UsageError, expectPositionals, parseCommandArguments } from '../../args.js';
import type { CommandRun } from '../../command.js';
import type { FileStatus } from '../../../protocol/common.js';
import { shellPath, statOrNull } from '../../shell/paths.js';

const questions: Record<string, (status: FileStatus) => boolean> = {
  '-e': () => true,
  '-d': (status) => status.type === 'directory',
  '-f': (status) => status.type === 'file',
  '-z': (status) => status.length === 0,
  '-s': (status) => status.length > 0,
};

export const runTest: CommandRun = async (args, io) => {
  const parsed = parseCommandArguments(args, { flags: Object.keys(questions) });
  const [typed] = expectPositionals(parsed, 1, 1);
  if (parsed.flags.size !== 1) throw new UsageError('expected exactly one of -e -d -f -z -s');
  const question = questions[[...parsed.flags][0] as string] as (status: FileStatus) => boolean;
  const client = await io.client();
  const status = await statOrNull(client, shellPath(client, typed as string).absolute);
  return status !== null && question(status) ? 0 : 1;
};

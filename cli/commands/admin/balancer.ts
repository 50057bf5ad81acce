// `balancer [-threshold PCT]`: moves blocks until every datanode's use is within PCT of
// the cluster's average. Planned; the namenode has no balancer support yet.
import { parseCommandArguments } from '../../args.js';
import type { CommandRun } from '../../command.js';
import { ShellError } from '../../shell/errors.js';

export const runBalancer: CommandRun = async (args) => {
  parseCommandArguments(args, { valued: ['-threshold'] });
  throw new ShellError('the balancer is not supported by this version of tsdfs yet');
};

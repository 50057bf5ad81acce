// `balancer [-threshold PCT]`: moves blocks until every datanode's use is within PCT of
// the cluster's average. Planned; the namenode has no balancer support yet.
import { parseCommandArguments } from '../../args.js';
import type { Command } from '../../command.js';
import { ShellError } from '../../shell/errors.js';

export const balancerCommand: Command = {
  name: 'balancer',
  kind: 'admin',
  usage: '[-threshold <percent>]',
  help: 'Even out disk use across datanodes (not supported by this version of tsdfs yet).',
  async run(args) {
    parseCommandArguments(args, { valued: ['-threshold'] });
    throw new ShellError('the balancer is not supported by this version of tsdfs yet');
  },
};

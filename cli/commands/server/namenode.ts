// `namenode [-format [-force]]`: formats the name directory, or runs the namenode until
// SIGINT/SIGTERM. The namenode's code (lmdb, express) is loaded only here.
import { parseCommandArguments } from '../../args.js';
import type { CommandRun } from '../../command.js';

export const runNamenode: CommandRun = async (args, io) => {
  const parsed = parseCommandArguments(args, { flags: ['-format', '-force', '-nonInteractive'] });
  const namenode = await import('../../../namenode/main.js');
  if (parsed.flags.has('-format')) {
    const { clusterId } = await namenode.formatNamenode(io.config, { force: parsed.flags.has('-force') });
    io.stdout.write(`Formatted namenode in ${io.config['dfs.namenode.name.dir']}, cluster id ${clusterId}\n`);
    return 0;
  }
  const server = await namenode.startNamenode(io.config);
  await io.shutdownRequested();
  await server.close();
  return 0;
};

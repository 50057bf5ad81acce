// `datanode`: runs a datanode until SIGINT/SIGTERM, or exits 1 when it cannot go on (a
// namenode of another cluster, failed volumes).
import { parseCommandArguments } from '../../args.js';
import type { Command } from '../../command.js';

export const datanodeCommand: Command = {
  name: 'datanode',
  kind: 'server',
  usage: '',
  help: 'Run a datanode (prints "tsdfs datanode listening on HOST:PORT uuid=UUID" when ready).',
  async run(args, io) {
    parseCommandArguments(args, {});
    const { startDatanode } = await import('../../../datanode/main.js');
    let reportFatal: (message: string) => void = () => {};
    const fatal = new Promise<string>((resolve) => (reportFatal = resolve));
    const server = await startDatanode(io.config, { onFatal: (message) => reportFatal(message) });
    const outcome = await Promise.race([io.shutdownRequested().then(() => null), fatal]);
    await server.close().catch(() => {});
    if (outcome === null) return 0;
    io.stderr.write(`datanode: ${outcome}\n`);
    return 1;
  },
};

// `datanode`: runs a datanode until SIGINT/SIGTERM or a `shutdown` from the namenode, or
// exits 1 when it cannot go on (a namenode of another cluster, failed volumes).
import { parseCommandArguments } from '../../args.js';
import type { CommandRun } from '../../command.js';

type Ending = { kind: 'stop' } | { kind: 'fatal'; message: string };

export const runDatanode: CommandRun = async (args, io) => {
  parseCommandArguments(args, {});
  const { startDatanode } = await import('../../../datanode/main.js');
  let end: (ending: Ending) => void = () => {};
  const ended = new Promise<Ending>((resolve) => (end = resolve));
  void io.shutdownRequested().then(() => end({ kind: 'stop' }));
  const server = await startDatanode(io.config, {
    onFatal: (message) => end({ kind: 'fatal', message }),
    onShutdown: () => end({ kind: 'stop' }),
  });
  const ending = await ended;
  await server.close().catch(() => {});
  if (ending.kind === 'stop') return 0;
  io.stderr.write(`datanode: ${ending.message}\n`);
  return 1;
};

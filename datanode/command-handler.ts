// Carries out the commands the namenode sends in heartbeat replies: delete replicas,
// copy a replica to other datanodes, register again, report now, shut down.
import type { Logger } from 'pino';
import type { DatanodeCommand } from '../protocol/datanode-namenode.js';
import type { NamenodeLink } from './namenode-link.js';
import type { DataServerContext } from './transfer/data-server-context.js';
import { transferReplica } from './transfer/replica-transfer.js';

export interface CommandHandlerDeps {
  context: DataServerContext;
  link: () => NamenodeLink | null;
  log: Logger;
  onShutdown(reason: string): void;
}

export function createCommandHandler(deps: CommandHandlerDeps): (command: DatanodeCommand) => void {
  return (command) => {
    runCommand(deps, command).catch((error: unknown) => deps.log.error({ err: error, kind: command.kind }, 'command failed'));
  };
}

async function runCommand(deps: CommandHandlerDeps, command: DatanodeCommand): Promise<void> {
  switch (command.kind) {
    case 'invalidate':
      return invalidate(deps, command.blocks);
    case 'transfer':
      await transferReplica(deps.context, command.block, command.targets, command.token);
      return;
    case 'reregister':
      deps.link()?.reregister();
      return;
    case 'blockReportNow':
      deps.link()?.sendBlockReportNow();
      return;
    case 'shutdown':
      deps.log.warn({ reason: command.reason }, 'namenode asked this datanode to shut down');
      deps.onShutdown(command.reason);
      return;
  }
}

async function invalidate(deps: CommandHandlerDeps, blocks: ReadonlyArray<readonly [number, number]>): Promise<void> {
  const { store, metrics } = deps.context;
  for (const [blockId, genStamp] of blocks) {
    const outcome = await store.deleteReplica(blockId, genStamp);
    // A deleted replica is reported by the store's event; an absent one is reported here
    // so the namenode stops counting a location that does not exist.
    if (outcome === 'deleted') metrics.blocksRemoved.inc();
    if (outcome === 'absent') deps.link()?.reportDeleted(blockId, genStamp);
  }
}

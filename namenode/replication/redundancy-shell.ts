// The shell around the self-healing core: reads the exclude file, persists admin states
// in LMDB, and turns tick decisions into commands on the per-datanode queues that the
// heartbeat replies carry. Persist first, then send.
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { TransferCommand } from '../../protocol/datanode-namenode.js';
import { DfsError } from '../../protocol/errors.js';
import type { z } from 'zod';
import { type AdminState, type AdminStateChange, type DatanodeDescriptor, datanodeName, locationOf } from '../datanodes/datanode-manager.js';
import { parseExcludeList } from '../datanodes/exclude-list.js';
import { transferTokenUser } from '../blocks/block-tokens.js';
import type { NamenodeServices } from '../namenode-services.js';
import { adminStatesMetaKey } from '../storage/records.js';
import { type TickDecisions, applyAdminStateChanges, redundancyTick } from './redundancy-tick.js';

export function loadAdminStates(services: NamenodeServices): void {
  const stored = services.context.store.meta.get(adminStatesMetaKey) as Record<string, AdminState> | undefined;
  services.datanodes.loadAdminStates(stored ?? {});
}

export async function persistAdminStates(services: NamenodeServices): Promise<void> {
  const record = services.datanodes.adminStatesRecord();
  await services.context.store.write(() => services.context.store.meta.put(adminStatesMetaKey, record));
}

export interface RefreshNodesResult {
  excludeFile: string;
  excludedEntries: number;
  changes: Array<{ uuid: string; name: string; from: AdminState; to: AdminState }>;
}

/** `refreshNodes`: re-reads `dfs.hosts.exclude` (unset = nobody excluded) and applies it. */
export async function refreshNodes(services: NamenodeServices): Promise<RefreshNodesResult> {
  const file = services.config['dfs.hosts.exclude'];
  let text = '';
  if (file !== '') {
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new DfsError('FileNotFound', `cannot read dfs.hosts.exclude ${file}: ${(error as Error).message}`);
    }
  }
  const list = parseExcludeList(text);
  const changes = services.datanodes.setExcludeList(list);
  await applyAdminChanges(services, changes);
  return { excludeFile: file, excludedEntries: list.entries.size, changes: changes.map(describeChange) };
}

/** A registration under the current exclude list may change the node's admin state. */
export function onDatanodeRegistered(services: NamenodeServices, node: DatanodeDescriptor, log?: Logger): void {
  const change = services.datanodes.applyExcludeList(node);
  if (change === undefined) return;
  applyAdminChanges(services, [change]).catch((error: unknown) => log?.error({ err: error }, 'persisting a datanode admin state failed'));
}

async function applyAdminChanges(services: NamenodeServices, changes: AdminStateChange[]): Promise<void> {
  if (changes.length === 0) return;
  applyAdminStateChanges(services, changes);
  await persistAdminStates(services);
}

function describeChange(change: AdminStateChange): RefreshNodesResult['changes'][number] {
  return { uuid: change.node.uuid, name: datanodeName(change.node), from: change.from, to: change.to };
}

/** One tick: decide, persist the admin states that changed, then queue the commands. */
export async function runRedundancyTick(services: NamenodeServices, log: Logger): Promise<TickDecisions> {
  const decisions = redundancyTick(services, services.clock());
  for (const change of decisions.livenessChanges) {
    log.info({ datanode: change.node.uuid, name: datanodeName(change.node), from: change.from, to: change.to }, 'datanode liveness changed');
  }
  if (decisions.leftSafeMode) log.info(services.safeMode.status(), 'left start-up safe mode');
  if (decisions.decommissioned.length > 0) {
    await persistAdminStates(services);
    log.info({ datanodes: decisions.decommissioned.map(datanodeName) }, 'datanodes decommissioned');
  }
  queueDecisions(services, decisions);
  if (decisions.transfers.length > 0 || decisions.invalidates.length > 0) {
    log.debug({ transfers: decisions.transfers.length, invalidates: decisions.invalidates.length }, 'replication work scheduled');
  }
  return decisions;
}

export function queueDecisions(services: NamenodeServices, decisions: Pick<TickDecisions, 'transfers' | 'invalidates'>): void {
  for (const transfer of decisions.transfers) {
    const token = services.blockTokens.issue(transfer.block.id, 'copy', transferTokenUser);
    const command: z.infer<typeof TransferCommand> = { kind: 'transfer', block: transfer.block, targets: transfer.targets.map(locationOf), token };
    services.datanodes.queueCommandOnce(transfer.source, command);
  }
  for (const invalidate of decisions.invalidates) services.datanodes.queueInvalidate(invalidate.datanode, invalidate.blockId, invalidate.genStamp);
}

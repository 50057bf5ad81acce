// The namenode's `transfer` command: copies a finalized replica to other datanodes
// through the ordinary write pipeline with stage=transfer (used by re-replication).
import { type Ack, AckStatus, encodePacket, type PipelineTarget } from '../../protocol/data-transfer.js';
import type { DatanodeLocation, ExtendedBlock } from '../../protocol/common.js';
import type { ReplicaReader } from '../storage/replica-reader.js';
import { reportCorruptReplica } from './block-sender.js';
import type { DataServerContext } from './data-server-context.js';
import { openPipeline, type PipelineConnection } from './pipeline-connection.js';
import { replicaPackets, sendPool } from './replica-packets.js';

export type TransferOutcome = 'done' | 'failed' | 'corrupt';

export async function transferReplica(
  context: DataServerContext,
  block: ExtendedBlock,
  targets: readonly DatanodeLocation[],
  token: string,
): Promise<TransferOutcome> {
  const [first, ...rest] = targets.map((target): PipelineTarget => ({ uuid: target.uuid, name: target.name }));
  if (!first) return 'failed';
  const reader = await context.store.openReader(block.id, block.genStamp);
  // Outgoing copies count as transfers too, but the namenode already bounds how many it asks for.
  const counted = context.slots.tryAcquire();
  try {
    const opened = await openPipeline({
      target: first,
      rest,
      blockId: block.id,
      query: { genStamp: reader.genStamp, bytesPerChecksum: reader.bytesPerChecksum, stage: 'transfer', offset: 0, clientName: '' },
      authorization: token === '' ? undefined : `Bearer ${token}`,
      agent: context.peerAgent,
    });
    if (!opened.ok) {
      context.log.warn({ blockId: block.id, badNode: opened.badNode, reason: opened.message }, 'transfer could not start');
      return 'failed';
    }
    return await sendThroughPipeline(context, reader, opened.connection);
  } finally {
    if (counted) context.slots.release();
    await reader.close();
  }
}

async function sendThroughPipeline(context: DataServerContext, reader: ReplicaReader, connection: PipelineConnection): Promise<TransferOutcome> {
  let lastSeq = -1;
  const acked = new Promise<boolean>((resolve) => {
    connection.listen({
      onAck: (ack: Ack) => {
        if (ack.statuses.some((status) => status !== AckStatus.success)) resolve(false);
        else if (ack.seq === lastSeq) resolve(true);
      },
      onClose: () => resolve(false),
    });
  });
  for await (const result of replicaPackets(reader, 0, reader.length)) {
    if (!result.ok) {
      reportCorruptReplica(context, reader, result.corruptChunk);
      connection.destroy();
      return 'corrupt';
    }
    if (result.packet.last) lastSeq = result.packet.seq;
    const storage = result.packet.storage;
    await connection.send(encodePacket(result.packet), () => sendPool.release(storage));
  }
  connection.end();
  const ok = await acked;
  if (!ok) connection.destroy();
  context.log.info({ blockId: reader.blockId, ok }, 'replica transfer finished');
  return ok ? 'done' : 'failed';
}

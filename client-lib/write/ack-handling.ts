// What one ack from the pipeline means for the writer: the oldest outstanding packet is
// safe on every node, or a named node of the pipeline failed and must be replaced.
import { type Ack, AckStatus } from '../../protocol/data-transfer.js';

export type AckOutcome =
  | { kind: 'acked' }
  | { kind: 'failed'; badIndex: number; reason: string };

/**
 * `expectedSeq` is the oldest unacknowledged packet's seq (acks come in order);
 * `pipelineLength` the number of nodes, each of which must report success.
 */
export function interpretAck(ack: Ack, expectedSeq: number | undefined, pipelineLength: number): AckOutcome {
  const badIndex = ack.statuses.findIndex((status) => status !== AckStatus.success);
  if (badIndex >= 0) {
    const what = ack.statuses[badIndex] === AckStatus.checksumError ? 'checksum error' : 'error';
    return { kind: 'failed', badIndex, reason: `${what} reported for packet ${ack.seq}` };
  }
  if (ack.statuses.length < pipelineLength) {
    // A node that sent no status did not acknowledge: the first missing one is at fault.
    return { kind: 'failed', badIndex: ack.statuses.length, reason: `no status from node ${ack.statuses.length} for packet ${ack.seq}` };
  }
  if (expectedSeq === undefined || ack.seq !== expectedSeq >>> 0) {
    return { kind: 'failed', badIndex: 0, reason: `unexpected ack for packet ${ack.seq} (expected ${expectedSeq ?? 'none'})` };
  }
  return { kind: 'acked' };
}

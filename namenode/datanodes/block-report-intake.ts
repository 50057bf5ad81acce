// How the datanode link takes in full block reports without stalling the namenode. A
// chunk carries up to 100k replicas: validating them through the zod tuple schema costs
// ~1 µs each and applying them ~0.5 µs each, so one chunk would hold the event loop (and
// every RPC) for 100-300 ms. Here replicas are checked by a plain loop with the schema's
// rules, and applied a slice at a time with the event loop free in between.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { BlockReport, type ReportedReplica } from '../../protocol/datanode-namenode.js';
import { maxReplicasPerBlockReportMessage } from '../../protocol/limits.js';
import type { BlockReportWork } from '../blocks/block-manager.js';

/** Longest stretch a block report holds the event loop before RPCs get a turn. */
export const blockReportSliceMs = 20;
/** Replicas applied between two looks at the clock. */
const replicasPerClockCheck = 1000;

function isPositiveSafeInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** The ReportedReplica schema's rules: [block id > 0, generation stamp > 0, length ≥ 0], safe integers. */
function isReportedReplica(value: unknown): value is ReportedReplica {
  if (!Array.isArray(value) || value.length !== 3) return false;
  const length: unknown = value[2];
  return isPositiveSafeInteger(value[0]) && isPositiveSafeInteger(value[1]) && typeof length === 'number' && Number.isSafeInteger(length) && length >= 0;
}

/**
 * A `blockReport` message checked without running zod over every replica: the envelope
 * goes through the schema, the replicas through `isReportedReplica`. Undefined when the
 * message is not a well-formed block report, so the caller's full schema parse can say why.
 */
export function parseBlockReportFast(json: unknown): BlockReport | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const { replicas, ...envelope } = json as Record<string, unknown>;
  if (envelope.type !== 'blockReport' || !Array.isArray(replicas) || replicas.length > maxReplicasPerBlockReportMessage) return undefined;
  for (const replica of replicas) if (!isReportedReplica(replica)) return undefined;
  const parsed = BlockReport.safeParse({ ...envelope, replicas: [] });
  return parsed.success ? { ...parsed.data, replicas: replicas as ReportedReplica[] } : undefined;
}

/** Runs the work to its end, giving the event loop a turn every `blockReportSliceMs`. */
export async function runInSlices(work: BlockReportWork): Promise<void> {
  let sliceStartedMs = performance.now();
  while (!work.step(replicasPerClockCheck)) {
    if (performance.now() - sliceStartedMs < blockReportSliceMs) continue;
    await nextTurn();
    sliceStartedMs = performance.now();
  }
}

// How the datanode link takes in full block reports without stalling the namenode. Chunks
// are normally read from the frame's bytes (block-report-scanner.ts); one the scanner
// leaves is JSON.parsed, and its replicas checked here by a plain loop with the schema's
// rules (zod over every tuple costs ~1 µs each, more than applying them). Either way the
// replicas are applied a slice at a time with the event loop free in between.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { BlockReport, type IncrementalBlockReport, type ReportedReplica } from '../../protocol/datanode-namenode.js';
import { maxReplicasPerBlockReportMessage } from '../../protocol/limits.js';
import type { BlockReportWork } from '../blocks/block-manager.js';

/** Longest stretch a block report holds the event loop before RPCs get a turn. */
export const blockReportSliceMs = 10;
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

/** The IncrementalBlockReport schema's bound on each list. */
const maxIncrementalEntries = 100_000;

function isDeletedReplica(value: unknown): value is [number, number] {
  return Array.isArray(value) && value.length === 2 && isPositiveSafeInteger(value[0]) && isPositiveSafeInteger(value[1]);
}

/**
 * An `incrementalBlockReport` checked by plain loops with the schema's rules (one arrives
 * per datanode every few milliseconds while files are written; zod took ~40 µs each).
 * Undefined when it is not a well-formed one, so the caller's schema parse can say why.
 * Unknown keys are dropped, as the schema strips them.
 */
export function parseIncrementalReportFast(json: unknown): IncrementalBlockReport | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const { type, received, deleted } = json as Record<string, unknown>;
  if (type !== 'incrementalBlockReport' || !Array.isArray(received) || !Array.isArray(deleted)) return undefined;
  if (received.length > maxIncrementalEntries || deleted.length > maxIncrementalEntries) return undefined;
  for (const replica of received) if (!isReportedReplica(replica)) return undefined;
  for (const block of deleted) if (!isDeletedReplica(block)) return undefined;
  return { type, received: received as ReportedReplica[], deleted: deleted as Array<[number, number]> };
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

/**
 * Runs the work to its end, giving the event loop a turn every `blockReportSliceMs`, and
 * one before it starts: a report's chunks can follow each other in one task (the link
 * handles the next waiting frame as soon as this one is done), so without it a run of
 * chunks each shorter than a slice would hold the loop for all of them together.
 */
export async function runInSlices(work: BlockReportWork): Promise<void> {
  await nextTurn();
  let sliceStartedMs = performance.now();
  while (!work.step(replicasPerClockCheck)) {
    if (performance.now() - sliceStartedMs < blockReportSliceMs) continue;
    await nextTurn();
    sliceStartedMs = performance.now();
  }
}

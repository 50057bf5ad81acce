// A block's health: its replicas by kind, the health byte kept per block in the block map,
// and the cluster-wide counters that follow it. Pure.
import type { BlockState } from '../storage/records.js';

export interface ReplicaCounts {
  /** Good replicas on in-service datanodes: what counts toward the target. */
  live: number;
  /** Good replicas on decommissioning or decommissioned datanodes: readable, not counted. */
  decommissioning: number;
  corrupt: number;
  /** Distinct racks of the live replicas. */
  racks: number;
}

export interface HealthCounters {
  /** Blocks with a good replica but fewer live ones than their target. */
  underReplicated: number;
  /** Blocks without any good replica. */
  missing: number;
  /** Complete blocks: what safe mode counts against. */
  completeBlocks: number;
  /** Complete blocks with at least the minimum replicas reported. */
  safeBlocks: number;
}

/** Bits of a block's health byte in the block map: what the block currently counts as. */
const healthBit = { complete: 1, safe: 2, under: 4, missing: 8 } as const;

/** The health byte of a block in `state` with these replicas and `expected` as its target. */
export function healthOf(state: BlockState, counts: ReplicaCounts, expected: number, minReplication: number): number {
  if (state === 'underConstruction') return 0;
  const usable = counts.live + counts.decommissioning;
  let health = 0;
  if (state === 'complete') {
    health |= healthBit.complete;
    if (usable >= minReplication) health |= healthBit.safe;
  }
  if (usable === 0) health |= healthBit.missing;
  else if (counts.live < expected) health |= healthBit.under;
  return health;
}

/** Moves the counters from what a block counted as (`before`) to what it counts as now. */
export function applyHealthChange(counters: HealthCounters, before: number, after: number): void {
  const delta = (bit: number) => ((after & bit) !== 0 ? 1 : 0) - ((before & bit) !== 0 ? 1 : 0);
  counters.completeBlocks += delta(healthBit.complete);
  counters.safeBlocks += delta(healthBit.safe);
  counters.underReplicated += delta(healthBit.under);
  counters.missing += delta(healthBit.missing);
}

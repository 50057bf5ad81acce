// A block's health byte and the counters that follow it: complete, safe (minimum replicas
// usable), under-replicated (live short of the target), missing (nothing usable).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type HealthCounters, applyHealthChange, healthOf } from '../../namenode/replication/block-health.js';

const counts = (live: number, decommissioning = 0, corrupt = 0) => ({ live, decommissioning, corrupt, racks: live > 0 ? 1 : 0 });
const zero = (): HealthCounters => ({ underReplicated: 0, missing: 0, completeBlocks: 0, safeBlocks: 0 });

function countersOf(health: number): HealthCounters {
  const counters = zero();
  applyHealthChange(counters, 0, health);
  return counters;
}

test('a block being written counts as nothing', () => {
  assert.equal(healthOf('underConstruction', counts(0), 3, 1), 0);
});

test('a complete block: safe with the minimum usable, under-replicated below the target, missing with none', () => {
  assert.deepEqual(countersOf(healthOf('complete', counts(3), 3, 1)), { underReplicated: 0, missing: 0, completeBlocks: 1, safeBlocks: 1 });
  assert.deepEqual(countersOf(healthOf('complete', counts(1), 3, 1)), { underReplicated: 1, missing: 0, completeBlocks: 1, safeBlocks: 1 });
  assert.deepEqual(countersOf(healthOf('complete', counts(0, 0, 2), 3, 1)), { underReplicated: 0, missing: 1, completeBlocks: 1, safeBlocks: 0 });
  // Decommissioning replicas are readable (safe, not missing) but do not count toward the target.
  assert.deepEqual(countersOf(healthOf('complete', counts(0, 2), 2, 2)), { underReplicated: 1, missing: 0, completeBlocks: 1, safeBlocks: 1 });
});

test('a committed block is not complete yet but can be under-replicated or missing', () => {
  assert.deepEqual(countersOf(healthOf('committed', counts(1), 2, 1)), { underReplicated: 1, missing: 0, completeBlocks: 0, safeBlocks: 0 });
});

test('a change moves the counters from the old health to the new one and back', () => {
  const counters = zero();
  const before = healthOf('complete', counts(1), 3, 1);
  const after = healthOf('complete', counts(3), 3, 1);
  applyHealthChange(counters, 0, before);
  applyHealthChange(counters, before, after);
  assert.deepEqual(counters, { underReplicated: 0, missing: 0, completeBlocks: 1, safeBlocks: 1 });
  applyHealthChange(counters, after, 0);
  assert.deepEqual(counters, zero());
});

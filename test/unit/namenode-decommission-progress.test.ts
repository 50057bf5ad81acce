// When a decommissioning datanode is done: every block on it has its target of live
// replicas elsewhere; a block being written holds it; a corrupt replica on it never does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type DecommissioningBlock, holdReason, isDecommissionComplete } from '../../namenode/replication/decommission-progress.js';

const block = (live: number, expected: number, extra: Partial<DecommissioningBlock> = {}): DecommissioningBlock => ({
  corruptHere: false, underConstruction: false, live, expected, ...extra,
});

test('a block short of its target elsewhere holds the node; one at or above it does not', () => {
  assert.equal(holdReason(block(2, 3)), 'underReplicated');
  assert.equal(holdReason(block(3, 3)), undefined);
  assert.equal(holdReason(block(4, 3)), undefined);
});

test('a block under construction holds the node whatever its replicas; a corrupt replica here never does', () => {
  assert.equal(holdReason(block(5, 3, { underConstruction: true })), 'underConstruction');
  assert.equal(holdReason(block(0, 3, { corruptHere: true })), undefined);
  assert.equal(holdReason(block(0, 3, { corruptHere: true, underConstruction: true })), undefined);
});

test('the node is done once no block holds it; an empty node is done at once', () => {
  assert.equal(isDecommissionComplete([]), true);
  assert.equal(isDecommissionComplete([block(3, 3), block(0, 2, { corruptHere: true })]), true);
  assert.equal(isDecommissionComplete([block(3, 3), block(1, 2)]), false);
});

test('the check stops at the first block that holds the node', () => {
  let looked = 0;
  function* blocks(): Generator<DecommissioningBlock> {
    for (const each of [block(3, 3), block(1, 3), block(3, 3), block(3, 3)]) {
      looked++;
      yield each;
    }
  }
  assert.equal(isDecommissionComplete(blocks()), false);
  assert.equal(looked, 2);
});

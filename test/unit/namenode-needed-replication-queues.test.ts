// The needed-replication queues as intrusive lists over block records: priority order,
// first-in first-out within a level, moves between levels, round robin, and the link
// arrays released once every queue is empty.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BlockRecords, NeededReplicationQueues, ReplicationPriority } from '../../namenode/replication/needed-replication-queues.js';

/** Block id n lives in record n * 10 (records and ids differ, as in the real table). */
function records(): BlockRecords & { free(blockId: number): void } {
  const freed = new Set<number>();
  return {
    slotOf: (blockId) => (freed.has(blockId) ? -1 : blockId * 10),
    blockIdAt: (slot) => (freed.has(slot / 10) ? -1 : slot / 10),
    free: (blockId) => freed.add(blockId),
    recordCapacity: 0,
  };
}

test('blocks come out most urgent level first, oldest first within a level', () => {
  const queues = new NeededReplicationQueues(records());
  queues.put(1, ReplicationPriority.under);
  queues.put(2, ReplicationPriority.highest);
  queues.put(3, ReplicationPriority.badlyDistributed);
  queues.put(4, ReplicationPriority.highest);
  queues.put(5, ReplicationPriority.veryUnder);
  assert.deepEqual(queues.take(10), [2, 4, 5, 1, 3]);
  assert.deepEqual(queues.take(3), [2, 4, 5]);
  assert.equal(queues.size, 5);
  assert.equal(queues.sizeOf(ReplicationPriority.highest), 2);
});

test('a block is in one level at a time and keeps its place when put at the same level', () => {
  const queues = new NeededReplicationQueues(records());
  queues.put(1, ReplicationPriority.under);
  queues.put(2, ReplicationPriority.under);
  queues.put(1, ReplicationPriority.under);
  assert.deepEqual(queues.take(10), [1, 2]);
  queues.put(1, ReplicationPriority.highest);
  assert.equal(queues.priorityOf(1), ReplicationPriority.highest);
  assert.equal(queues.sizeOf(ReplicationPriority.under), 1);
  assert.deepEqual(queues.take(10), [1, 2]);
  queues.moveToBack(1);
  queues.put(3, ReplicationPriority.highest);
  queues.moveToBack(1);
  assert.deepEqual(queues.take(10), [3, 1, 2]);
  queues.remove(3);
  queues.remove(3);
  assert.equal(queues.priorityOf(3), undefined);
  assert.deepEqual(queues.take(10), [1, 2]);
});

test('the link arrays are released when the last block leaves, and grow again on demand', () => {
  const queues = new NeededReplicationQueues(records());
  for (let id = 1; id <= 500; id++) queues.put(id, ReplicationPriority.highest);
  assert.ok(queues.byteLength >= 5000 * 9);
  for (let id = 1; id <= 500; id++) queues.remove(id);
  assert.equal(queues.size, 0);
  assert.equal(queues.byteLength, 0);
  queues.put(7, ReplicationPriority.under);
  assert.deepEqual(queues.take(10), [7]);
});

test('a block freed while still queued is a programmer error, reported loudly', () => {
  const table = records();
  const queues = new NeededReplicationQueues(table);
  queues.put(1, ReplicationPriority.highest);
  table.free(1);
  assert.throws(() => queues.take(10), /left the table while queued/);
});

test('the only queued block can change level or go to the back without losing its links', () => {
  const queues = new NeededReplicationQueues(records());
  queues.put(4, ReplicationPriority.under);
  queues.put(4, ReplicationPriority.highest);
  assert.equal(queues.priorityOf(4), ReplicationPriority.highest);
  queues.moveToBack(4);
  assert.deepEqual(queues.take(10), [4]);
  queues.put(5, ReplicationPriority.under);
  assert.deepEqual(queues.take(10), [4, 5]);
});

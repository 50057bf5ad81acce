// Which replicas of a block the monitor deletes: corrupt ones only once the live ones reach
// the target, the surplus from the least-free node whose removal keeps the racks, never
// below the target, and never a replica that does not count (dead or decommissioning).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type TrimCandidate, chooseExcessReplica, planTrim } from '../../namenode/replication/excess-replicas.js';

const replica = (datanodeIndex: number, rack: string, remaining: number, extra: Partial<TrimCandidate> = {}): TrimCandidate => ({
  datanodeIndex, rack, remaining, corrupt: false, dead: false, inService: true, ...extra,
});

test('the surplus goes from the least-free datanode; nothing at or below the target', () => {
  const replicas = [replica(0, '/r1', 50), replica(1, '/r1', 10), replica(2, '/r1', 30), replica(3, '/r1', 20)];
  assert.deepEqual(planTrim(replicas, 2), { corrupt: [], excess: [1, 3] });
  assert.deepEqual(planTrim(replicas, 4), { corrupt: [], excess: [] });
  assert.deepEqual(planTrim(replicas, 5), { corrupt: [], excess: [] });
});

test('a removal never costs a rack: the only replica on a rack stays even on the fullest node', () => {
  const replicas = [replica(0, '/r1', 100), replica(1, '/r1', 90), replica(2, '/r2', 1)];
  assert.deepEqual(planTrim(replicas, 2).excess, [1]);
  // Two left on two racks: either removal costs a rack, so the least free goes.
  assert.equal(chooseExcessReplica([replica(0, '/r1', 100), replica(2, '/r2', 1)])?.datanodeIndex, 2);
  assert.equal(chooseExcessReplica([]), undefined);
});

test('on equal free space the first replica in order is chosen', () => {
  assert.deepEqual(planTrim([replica(4, '/r1', 7), replica(5, '/r1', 7), replica(6, '/r1', 7)], 2).excess, [4]);
});

test('dead and decommissioning replicas neither count toward the surplus nor are chosen', () => {
  const replicas = [replica(0, '/r1', 1, { dead: true }), replica(1, '/r1', 2, { inService: false }), replica(2, '/r1', 50), replica(3, '/r1', 40)];
  assert.deepEqual(planTrim(replicas, 2), { corrupt: [], excess: [] });
  assert.deepEqual(planTrim(replicas, 1), { corrupt: [], excess: [3] });
});

test('corrupt replicas are deleted only once the live replicas reach the target', () => {
  const replicas = [replica(0, '/r1', 5, { corrupt: true }), replica(1, '/r1', 50), replica(2, '/r1', 40)];
  assert.deepEqual(planTrim(replicas, 3), { corrupt: [], excess: [] });
  assert.deepEqual(planTrim(replicas, 2), { corrupt: [0], excess: [] });
  assert.deepEqual(planTrim(replicas, 1), { corrupt: [0], excess: [2] });
});

test('a corrupt replica on a dead datanode alone does not trigger deletions, but goes with a counted one', () => {
  const deadCorrupt = replica(0, '/r1', 5, { corrupt: true, dead: true });
  assert.deepEqual(planTrim([deadCorrupt, replica(1, '/r1', 50)], 1), { corrupt: [], excess: [] });
  assert.deepEqual(planTrim([deadCorrupt, replica(1, '/r1', 50), replica(2, '/r1', 5, { corrupt: true })], 1), { corrupt: [0, 2], excess: [] });
});

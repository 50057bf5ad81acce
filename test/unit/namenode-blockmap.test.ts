// The block map and its reports, without a store: which reported replicas count, which get
// an `invalidate` in the next heartbeat reply, chunked full reports, corrupt replicas and
// dead datanodes kept out of locations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlockInfo } from '../../namenode/blocks/block-map.js';
import { BlockManager } from '../../namenode/blocks/block-manager.js';
import { judgeReportedReplica } from '../../namenode/blocks/replica-rules.js';
import { DatanodeManager, maxInvalidatesPerHeartbeat } from '../../namenode/datanodes/datanode-manager.js';
import type { DatanodeRegistration } from '../../protocol/datanode-namenode.js';

const limits = { staleAfterMs: 30_000, deadAfterMs: 630_000 };

function setup() {
  const datanodes = new DatanodeManager(limits, new Map());
  const blocks = new BlockManager(datanodes, 1);
  const register = (uuid: string, now = 0, ipAddress = '203.0.113.1') => {
    const message: DatanodeRegistration = {
      type: 'register',
      datanodeUuid: uuid,
      clusterId: '',
      softwareVersion: '0.1.0',
      hostname: `host-${uuid}`,
      dataPort: 9866,
      storage: { capacity: 1e9, dfsUsed: 0, nonDfsUsed: 0, remaining: 1e9, volumes: [] },
    };
    return datanodes.register(message, ipAddress, now);
  };
  return { datanodes, blocks, register };
}

test('replica rules: unknown, stale and wrong-length replicas are invalidated', () => {
  const committed = { genStamp: 5, length: 100, state: 'committed' as const };
  assert.deepEqual(judgeReportedReplica(undefined, 5, 100), { kind: 'invalidate', reason: 'unknown block' });
  assert.deepEqual(judgeReportedReplica(committed, 4, 100), { kind: 'invalidate', reason: 'stale generation stamp' });
  assert.deepEqual(judgeReportedReplica(committed, 5, 99), { kind: 'invalidate', reason: 'wrong length' });
  assert.deepEqual(judgeReportedReplica(committed, 6, 100), { kind: 'ignore' });
  assert.deepEqual(judgeReportedReplica(committed, 5, 100), { kind: 'accept' });
  assert.deepEqual(judgeReportedReplica({ ...committed, state: 'underConstruction' }, 5, 7), { kind: 'accept' });
});

test('reports become locations; bad replicas become invalidate commands', () => {
  const { datanodes, blocks, register } = setup();
  const a = register('a');
  const b = register('b');
  blocks.blockMap.set(1, new BlockInfo(5, 100, 'complete', 2));
  blocks.onReplicaReceived(a, [1, 5, 100]);
  blocks.onReplicaReceived(b, [1, 4, 100]);
  blocks.onReplicaReceived(b, [2, 1, 10]);
  assert.deepEqual(blocks.locate(1, 0).locations.map((location) => location.uuid), ['a']);
  assert.deepEqual(datanodes.drainCommands(b), [{ kind: 'invalidate', blocks: [[1, 4], [2, 1]] }]);
  assert.deepEqual(datanodes.drainCommands(b), [], 'the queue is drained');
  assert.equal(blocks.isMinimallyReplicated(1, 100, 0), true);
  assert.equal(blocks.isMinimallyReplicated(1, 101, 0), false);
});

test('a chunked full report applies when the last chunk arrives, dropping what the node lost', () => {
  const { blocks, register } = setup();
  const a = register('a');
  for (const id of [1, 2, 3]) blocks.blockMap.set(id, new BlockInfo(1, 10, 'complete', 1));
  for (const id of [1, 2, 3]) blocks.onReplicaReceived(a, [id, 1, 10]);
  blocks.onBlockReportChunk(a, 7, [[1, 1, 10]], false, 100);
  assert.equal(blocks.blockMap.blocksOn(a.index).length, 3, 'nothing dropped before the last chunk');
  blocks.onBlockReportChunk(a, 7, [[2, 1, 10]], true, 100);
  assert.deepEqual([...blocks.blockMap.blocksOn(a.index)].sort(), [1, 2]);
  assert.equal(blocks.locate(3, 100).locations.length, 0);
  assert.equal(a.lastBlockReportMs, 100);
});

test('deleting a block queues invalidate for every replica, bounded per heartbeat', () => {
  const { datanodes, blocks, register } = setup();
  const a = register('a');
  const count = maxInvalidatesPerHeartbeat + 10;
  for (let id = 1; id <= count; id++) {
    blocks.blockMap.set(id, new BlockInfo(3, 10, 'complete', 1));
    blocks.onReplicaReceived(a, [id, 3, 10]);
  }
  for (let id = 1; id <= count; id++) blocks.forgetBlock(id);
  const first = datanodes.drainCommands(a);
  assert.equal(first[0]?.kind === 'invalidate' ? first[0].blocks.length : 0, maxInvalidatesPerHeartbeat);
  const second = datanodes.drainCommands(a);
  assert.equal(second[0]?.kind === 'invalidate' ? second[0].blocks.length : 0, 10);
  assert.equal(blocks.blockMap.size, 0);
});

test('corrupt replicas and dead datanodes are left out of locations', () => {
  const { blocks, register } = setup();
  const a = register('a', 0);
  const b = register('b', 0);
  blocks.blockMap.set(1, new BlockInfo(1, 10, 'complete', 2));
  blocks.onReplicaReceived(a, [1, 1, 10]);
  blocks.onReplicaReceived(b, [1, 1, 10]);
  blocks.markCorrupt(a, 1, 1);
  assert.deepEqual(blocks.locate(1, 0), { locations: [{ uuid: 'b', name: 'host-b:9866', hostname: 'host-b', rack: '/default-rack' }], corrupt: false });
  assert.equal(blocks.health(0).underReplicated, 1);
  // b never heartbeats again: dead after the timeout, and every remaining replica is corrupt.
  const later = limits.deadAfterMs + 1;
  const located = blocks.locate(1, later);
  assert.equal(located.corrupt, true);
  assert.deepEqual(located.locations.map((location) => location.uuid), ['a']);
  assert.equal(blocks.health(later).corrupt, 1);
});

test('stale replicas are offered last', () => {
  const { datanodes, blocks, register } = setup();
  const a = register('a', 0);
  const b = register('b', 0);
  blocks.blockMap.set(1, new BlockInfo(1, 10, 'complete', 2));
  blocks.onReplicaReceived(a, [1, 1, 10]);
  blocks.onReplicaReceived(b, [1, 1, 10]);
  const heartbeat = { type: 'heartbeat' as const, seq: 1, capacity: 1, dfsUsed: 0, nonDfsUsed: 0, remaining: 1, activeTransfers: 0, failedVolumes: 0 };
  datanodes.onHeartbeat(b, heartbeat, 40_000);
  assert.deepEqual(blocks.locate(1, 40_000).locations.map((location) => location.uuid), ['b', 'a']);
});

test("readers get their own machine's replica first, then live ones, stale last", () => {
  const { blocks, register, datanodes } = setup();
  const far = register('far', 0, '203.0.113.1');
  const near = register('near', 0, '203.0.113.2');
  const stale = register('stale', 0, '203.0.113.3');
  blocks.blockMap.set(1, new BlockInfo(5, 100, 'complete', 3));
  for (const node of [stale, far, near]) blocks.onReplicaReceived(node, [1, 5, 100]);
  const now = 40_000; // past the stale interval for a node that sent no heartbeat since 0
  for (const node of [far, near]) datanodes.onHeartbeat(node, { type: 'heartbeat', seq: 1, capacity: 1e9, dfsUsed: 0, nonDfsUsed: 0, remaining: 1e9, activeTransfers: 0, failedVolumes: 0 }, now);
  assert.deepEqual(blocks.locate(1, now, '203.0.113.2').locations.map((l) => l.uuid), ['near', 'far', 'stale']);
  assert.deepEqual(blocks.locate(1, now, 'host-far').locations.map((l) => l.uuid), ['far', 'near', 'stale']);
  assert.equal(blocks.locate(1, now).locations.at(-1)?.uuid, 'stale');
});

// The self-healing core with a fake clock: dead datanodes repaired by priority through
// transfers, max-streams per source, pending transfers retried after their timeout,
// surplus trimmed on the least-free node without losing a rack, corrupt replicas deleted
// only once good ones exist, rack spread, decommissioning, and start-up safe mode.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlockInfo } from '../../namenode/blocks/block-map.js';
import { BlockManager } from '../../namenode/blocks/block-manager.js';
import { type DatanodeDescriptor, DatanodeManager } from '../../namenode/datanodes/datanode-manager.js';
import { parseExcludeList } from '../../namenode/datanodes/exclude-list.js';
import { ReplicationPriority } from '../../namenode/replication/needed-replication-queues.js';
import { applyAdminStateChanges, redundancyTick } from '../../namenode/replication/redundancy-tick.js';
import { SafeMode } from '../../namenode/safemode/safe-mode.js';
import type { DatanodeRegistration } from '../../protocol/datanode-namenode.js';

const limits = { staleAfterMs: 30_000, deadAfterMs: 630_000 };
const pendingTimeoutMs = 15_000;

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function setup(options: { racks?: Record<string, string>; maxStreams?: number; safeMode?: SafeMode } = {}) {
  const rackTable = new Map(Object.entries(options.racks ?? {}));
  const datanodes = new DatanodeManager(limits, rackTable);
  const blockManager = new BlockManager(datanodes, 1, { random: seeded(7), replication: { maxStreams: options.maxStreams ?? 2, pendingTimeoutMs } });
  const safeMode = options.safeMode ?? new SafeMode();
  const core = { datanodes, blockManager, safeMode };
  const register = (uuid: string, now = 0, remaining = 1e12) => {
    const message: DatanodeRegistration = {
      type: 'register', datanodeUuid: uuid, clusterId: '', softwareVersion: '0.1.0', hostname: `host-${uuid}`, dataPort: 9866,
      storage: { capacity: 2e12, dfsUsed: 0, nonDfsUsed: 0, remaining, volumes: [] },
    };
    const node = datanodes.register(message, `203.0.113.${uuid.charCodeAt(0)}`, now);
    blockManager.onDatanodeRegistered(node);
    return node;
  };
  const heartbeat = (node: DatanodeDescriptor, now: number) =>
    datanodes.onHeartbeat(node, { type: 'heartbeat', seq: 1, capacity: node.capacity, dfsUsed: 0, nonDfsUsed: 0, remaining: node.remaining, activeTransfers: 0, failedVolumes: 0 }, now);
  const addBlock = (id: number, replication: number, holders: DatanodeDescriptor[]) => {
    blockManager.blockMap.set(id, new BlockInfo(1, 100, 'complete', replication));
    blockManager.replication.blockChanged(id);
    for (const node of holders) blockManager.onReplicaReceived(node, [id, 1, 100]);
  };
  const holders = (id: number) => [...(blockManager.blockMap.get(id)?.replicaEntries() ?? [])].map((r) => datanodes.atIndex(r.datanodeIndex)?.uuid).sort();
  return { datanodes, blockManager, safeMode, core, register, heartbeat, addBlock, holders, tick: (now: number) => redundancyTick(core, now) };
}

test('a dead datanode: its replicas leave the block map, its blocks are copied from a survivor to a new node', () => {
  const { register, heartbeat, addBlock, holders, tick, blockManager } = setup();
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((uuid) => register(uuid)) as DatanodeDescriptor[];
  addBlock(1, 3, [a as DatanodeDescriptor, b as DatanodeDescriptor, c as DatanodeDescriptor]);
  assert.equal(blockManager.health().underReplicated, 0);
  const later = limits.deadAfterMs + 1;
  for (const node of [a, b, d]) heartbeat(node as DatanodeDescriptor, later);
  const decisions = tick(later);
  assert.deepEqual(decisions.livenessChanges.map((change) => [change.node.uuid, change.to]), [['c', 'dead']]);
  assert.deepEqual(holders(1), ['a', 'b']);
  assert.equal(blockManager.health().underReplicated, 1);
  assert.equal(decisions.transfers.length, 1);
  const [transfer] = decisions.transfers;
  assert.ok(['a', 'b'].includes(transfer?.source.uuid ?? ''));
  assert.deepEqual(transfer?.targets.map((node) => node.uuid), ['d']);
  assert.equal(tick(later + 3000).transfers.length, 0, 'the pending copy is not scheduled twice');
  blockManager.onReplicaReceived(d as DatanodeDescriptor, [1, 1, 100]);
  assert.equal(blockManager.replication.pending.size, 0);
  assert.equal(blockManager.health().underReplicated, 0);
});

test('the block with one live replica left is repaired first; max-streams bounds each source', () => {
  const { register, addBlock, tick, blockManager } = setup({ maxStreams: 1 });
  const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((uuid) => register(uuid)) as DatanodeDescriptor[];
  addBlock(1, 3, [a as DatanodeDescriptor, b as DatanodeDescriptor]);
  addBlock(2, 3, [c as DatanodeDescriptor]);
  addBlock(3, 3, [c as DatanodeDescriptor, d as DatanodeDescriptor]);
  assert.equal(blockManager.replication.needed.priorityOf(2), ReplicationPriority.highest);
  assert.equal(blockManager.replication.needed.priorityOf(1), ReplicationPriority.under);
  const work = tick(1000);
  assert.equal(work.transfers[0]?.block.id, 2, 'one replica left goes first');
  const perSource = new Map<string, number>();
  for (const transfer of work.transfers) perSource.set(transfer.source.uuid, (perSource.get(transfer.source.uuid) ?? 0) + 1);
  assert.ok([...perSource.values()].every((count) => count <= 1), 'at most max-streams transfers per source');
  assert.equal(work.transfers.find((t) => t.block.id === 2)?.targets.length, 2, 'both missing replicas in one pipeline');
  void e;
});

test('a transfer whose target never reports is dropped after the timeout and scheduled again', () => {
  const { register, heartbeat, addBlock, tick, blockManager } = setup();
  const nodes = ['a', 'b', 'c'].map((uuid) => register(uuid));
  addBlock(1, 2, [nodes[0] as DatanodeDescriptor]);
  assert.equal(tick(0).transfers.length, 1);
  for (const node of nodes) heartbeat(node, 10_000);
  assert.equal(tick(10_000).transfers.length, 0);
  for (const node of nodes) heartbeat(node, pendingTimeoutMs + 1);
  const retried = tick(pendingTimeoutMs + 1);
  assert.equal(retried.transfers.length, 1, 'timed out, scheduled again');
  assert.equal(blockManager.replication.pending.size, 1);
});

test('surplus replicas: removed from the least-free node whose removal keeps the racks, never below the target', () => {
  const racks = { 'host-a': '/r1', 'host-b': '/r1', 'host-c': '/r2', 'host-d': '/r2' };
  const { register, addBlock, tick, holders, blockManager } = setup({ racks });
  const a = register('a', 0, 5e11);
  const b = register('b', 0, 9e11);
  const c = register('c', 0, 1e11); // least free, but the only other... no: d shares its rack
  const d = register('d', 0, 2e11);
  addBlock(1, 3, [a, b, c, d]);
  let work = tick(1000);
  assert.deepEqual(work.invalidates.map((i) => [i.datanode.uuid, i.reason]), [['c', 'excess']]);
  assert.deepEqual(holders(1), ['a', 'b', 'd']);
  // setReplication lowered to 1: two more go, one rack stays.
  blockManager.setExpectedReplication(1, 1);
  work = tick(2000);
  assert.equal(work.invalidates.length, 2);
  assert.equal(holders(1).length, 1);
  // The deleted replica reported again before its deletion is not counted.
  blockManager.onReplicaReceived(c, [1, 1, 100]);
  assert.equal(holders(1).length, 1);
});

test('a corrupt replica is deleted only after a good copy elsewhere is reported', () => {
  const { register, addBlock, tick, holders, blockManager } = setup();
  const [a, b, c] = ['a', 'b', 'c'].map((uuid) => register(uuid)) as DatanodeDescriptor[];
  addBlock(1, 2, [a as DatanodeDescriptor, b as DatanodeDescriptor]);
  blockManager.markCorrupt(a as DatanodeDescriptor, 1, 1);
  assert.equal(blockManager.health().corrupt, 1);
  assert.equal(blockManager.health().underReplicated, 1);
  const first = tick(1000);
  assert.equal(first.invalidates.length, 0, 'no deletion before the copy exists');
  assert.deepEqual(first.transfers.map((t) => [t.source.uuid, t.targets.map((n) => n.uuid)]), [['b', ['c']]]);
  blockManager.onReplicaReceived(c as DatanodeDescriptor, [1, 1, 100]);
  const second = tick(2000);
  assert.deepEqual(second.invalidates.map((i) => [i.datanode.uuid, i.reason]), [['a', 'corrupt']]);
  assert.deepEqual(holders(1), ['b', 'c']);
  assert.equal(blockManager.health().corrupt, 0);
});

test('with two racks a block on one rack gets a copy on the other, then the surplus goes from the crowded rack', () => {
  const racks = { 'host-a': '/r1', 'host-b': '/r1', 'host-c': '/r1', 'host-d': '/r2' };
  const { register, addBlock, tick, holders, blockManager, core } = setup({ racks });
  const nodes = ['a', 'b', 'c', 'd'].map((uuid) => register(uuid));
  addBlock(1, 3, nodes.slice(0, 3));
  const work = tick(1000); // the tick learns there are two racks and rescans
  const spread = work.transfers.length > 0 ? work : tick(2000);
  assert.deepEqual(spread.transfers.map((t) => [t.reason, t.targets.map((n) => n.uuid)]), [['rack', ['d']]]);
  blockManager.onReplicaReceived(nodes[3] as DatanodeDescriptor, [1, 1, 100]);
  const trim = tick(3000);
  assert.equal(trim.invalidates.length, 1);
  assert.notEqual(trim.invalidates[0]?.datanode.uuid, 'd');
  assert.equal(holders(1).length, 3);
  assert.equal(blockManager.replication.needed.size, 0);
  void core;
});

test('decommissioning: no new replicas there, its blocks copied elsewhere (it may be the source), then Decommissioned; refresh back to Normal', () => {
  const { register, addBlock, tick, blockManager, datanodes, core } = setup();
  const [a, b, c] = ['a', 'b', 'c'].map((uuid) => register(uuid)) as DatanodeDescriptor[];
  addBlock(1, 2, [a as DatanodeDescriptor, b as DatanodeDescriptor]);
  const changes = datanodes.setExcludeList(parseExcludeList('host-a:9866\n# comment\n'));
  applyAdminStateChanges(core, changes);
  assert.deepEqual(changes.map((change) => [change.node.uuid, change.to]), [['a', 'Decommission in progress']]);
  assert.equal(blockManager.health().underReplicated, 1, 'replicas on a decommissioning node do not count');
  const work = tick(1000);
  assert.equal(work.decommissioned.length, 0);
  assert.deepEqual(work.transfers.map((t) => [t.source.uuid, t.targets.map((n) => n.uuid)]), [['a', ['c']]], 'the decommissioning node is the preferred source');
  blockManager.onReplicaReceived(c as DatanodeDescriptor, [1, 1, 100]);
  const done = tick(2000);
  assert.deepEqual(done.decommissioned.map((node) => node.uuid), ['a']);
  assert.equal(a?.adminState, 'Decommissioned');
  assert.deepEqual(datanodes.adminStatesRecord(), { a: 'Decommissioned' });
  const back = datanodes.setExcludeList(parseExcludeList(''));
  applyAdminStateChanges(core, back);
  assert.equal(a?.adminState, 'Normal');
  const trim = tick(3000);
  assert.equal(trim.invalidates.length, 1, 'back in service, its replica makes a surplus');
});

test('start-up safe mode: ON until the threshold of complete blocks is reported, then the extension; nothing scheduled meanwhile', () => {
  const safeMode = new SafeMode({ thresholdPct: 1, extensionMs: 5000 });
  const { register, addBlock, tick, blockManager } = setup({ safeMode });
  const [a, b] = ['a', 'b'].map((uuid) => register(uuid)) as DatanodeDescriptor[];
  addBlock(1, 2, []);
  addBlock(2, 2, [a as DatanodeDescriptor]);
  assert.equal(blockManager.health().missing, 1);
  let work = tick(0);
  assert.equal(safeMode.isOn, true);
  assert.equal(work.transfers.length + work.invalidates.length, 0);
  assert.throws(() => safeMode.checkWritable('create /x'), /safe mode \(1 of 2 blocks/);
  blockManager.onReplicaReceived(a as DatanodeDescriptor, [1, 1, 100]);
  work = tick(1000);
  assert.equal(safeMode.isOn, true, 'threshold reached, extension running');
  assert.equal(work.transfers.length, 0);
  work = tick(6000);
  assert.equal(safeMode.isOn, false);
  assert.equal(work.leftSafeMode, true);
  assert.equal(work.transfers.length, 2, 'repair starts once safe mode is off');
  void b;
});

test('safe mode: an empty namespace leaves at once; enter holds it until leave; leave also ends the start-up mode', () => {
  const empty = new SafeMode({ thresholdPct: 0.999, extensionMs: 30_000 });
  empty.update(0, 0, 0);
  assert.equal(empty.isOn, false);
  empty.enter();
  empty.update(0, 0, 100_000);
  assert.equal(empty.isOn, true);
  empty.leave();
  assert.equal(empty.isOn, false);
  const waiting = new SafeMode({ thresholdPct: 0.999, extensionMs: 30_000 });
  waiting.update(0, 10, 0);
  assert.equal(waiting.isOn, true);
  waiting.leave();
  assert.equal(waiting.isOn, false);
});

test('a dead node that heartbeats again must re-register; its full report makes its replicas count again', () => {
  const { register, heartbeat, addBlock, tick, blockManager, datanodes, holders } = setup();
  const [a, b] = ['a', 'b'].map((uuid) => register(uuid)) as DatanodeDescriptor[];
  addBlock(1, 2, [a as DatanodeDescriptor, b as DatanodeDescriptor]);
  const later = limits.deadAfterMs + 1;
  heartbeat(a as DatanodeDescriptor, later);
  tick(later);
  assert.deepEqual(holders(1), ['a']);
  heartbeat(b as DatanodeDescriptor, later + 1000);
  blockManager.onReplicaReceived(b as DatanodeDescriptor, [1, 1, 100]);
  assert.deepEqual(holders(1), ['a'], 'reports from a node still marked dead are ignored');
  const again = register('b', later + 2000);
  assert.equal(again, b);
  blockManager.onBlockReportChunk(again, 1, [[1, 1, 100], [99, 1, 5]], true, later + 2000);
  assert.deepEqual(holders(1), ['a', 'b']);
  assert.deepEqual(datanodes.drainCommands(again), [{ kind: 'invalidate', blocks: [[99, 1]] }], 'a replica of a deleted file is removed');
});

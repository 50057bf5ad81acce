// Placement over fake datanode lists: distinct targets, the writer's node first, stale
// nodes only when live ones run out, dead/excluded/full nodes never, racks spread.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type PlacementNode, chooseTargets } from '../../namenode/placement/placement-policy.js';

const blockSize = 128 * 1024 * 1024;

function node(uuid: string, fields: Partial<PlacementNode> = {}): PlacementNode {
  return { uuid, hostname: `host-${uuid}`, ipAddress: `203.0.113.${uuid.charCodeAt(0)}`, rack: '/default-rack', remaining: 100 * blockSize, activeTransfers: 0, liveness: 'live', ...fields };
}

/** A repeatable random source. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function choose(nodes: PlacementNode[], replication: number, extra: { excludeNodes?: string[]; writerHost?: string; seed?: number } = {}): string[] {
  return chooseTargets({
    nodes,
    replication,
    excludeNodes: new Set(extra.excludeNodes ?? []),
    writerHost: extra.writerHost ?? '',
    blockSizeBytes: blockSize,
    random: seeded(extra.seed ?? 1),
  }).map((chosen) => chosen.uuid);
}

test('replication distinct live nodes, fewer when fewer exist', () => {
  const nodes = ['a', 'b', 'c', 'd', 'e'].map((uuid) => node(uuid));
  for (let seed = 1; seed < 50; seed++) {
    const targets = choose(nodes, 3, { seed });
    assert.equal(targets.length, 3);
    assert.equal(new Set(targets).size, 3);
  }
  assert.deepEqual(choose([node('a')], 3), ['a']);
  assert.deepEqual(choose([], 3), []);
});

test('dead, excluded and full nodes are never chosen', () => {
  const nodes = [node('dead', { liveness: 'dead' }), node('full', { remaining: blockSize - 1 }), node('excluded'), node('ok')];
  for (let seed = 1; seed < 20; seed++) assert.deepEqual(choose(nodes, 3, { excludeNodes: ['excluded'], seed }), ['ok']);
});

test("the writer's own datanode comes first", () => {
  const nodes = ['a', 'b', 'c', 'd'].map((uuid) => node(uuid));
  for (let seed = 1; seed < 20; seed++) {
    assert.equal(choose(nodes, 3, { writerHost: 'host-c', seed })[0], 'c');
    assert.equal(choose(nodes, 2, { writerHost: `::ffff:203.0.113.${'d'.charCodeAt(0)}`, seed })[0], 'd', 'matched by IP');
  }
});

test('stale nodes only fill in after every live one', () => {
  const nodes = [node('s1', { liveness: 'stale' }), node('l1'), node('s2', { liveness: 'stale' }), node('l2')];
  for (let seed = 1; seed < 20; seed++) {
    const targets = choose(nodes, 3, { seed });
    assert.deepEqual(new Set(targets.slice(0, 2)), new Set(['l1', 'l2']));
    assert.ok(targets[2]?.startsWith('s'));
  }
});

test('load and free space weigh the picks', () => {
  const nodes = [node('busy', { activeTransfers: 20 }), node('idle')];
  let idleFirst = 0;
  for (let seed = 1; seed < 200; seed++) if (choose(nodes, 1, { seed })[0] === 'idle') idleFirst++;
  assert.ok(idleFirst > 150, `idle node first ${idleFirst} times of 199`);
});

test('the second replica goes to another rack, the third to the second one’s rack', () => {
  const nodes = [node('a1', { rack: '/r1' }), node('a2', { rack: '/r1' }), node('b1', { rack: '/r2' }), node('b2', { rack: '/r2' })];
  for (let seed = 1; seed < 30; seed++) {
    const targets = choose(nodes, 3, { writerHost: 'host-a1', seed });
    assert.deepEqual(targets.slice(0, 1), ['a1']);
    assert.deepEqual(new Set(targets.slice(1)), new Set(['b1', 'b2']));
  }
});

// The packed block map on its own: the id index (growth, backward-shift deletion under
// collisions, ids up to 2^53), records reused after deletion, inline and overflow replicas,
// odd replica lengths, full-report marks, per-datanode enumeration and counts, corrupt marks,
// and a seeded random run of ~100k operations against a plain Map-based model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlockIdIndex, hashBlockId } from '../../namenode/blocks/block-id-index.js';
import { BlockInfo, BlockMap } from '../../namenode/blocks/block-map.js';
import { Uint32Column } from '../../namenode/blocks/uint32-column.js';
import type { BlockState } from '../../namenode/storage/records.js';

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('id index: finds, grows and deletes (backward shift) with ids up to 2^53 and forced collisions', () => {
  const ids = new Float64Array(1 << 16).fill(-1);
  const index = new BlockIdIndex(ids);
  // Ids that differ only above bit 32, and the biggest safe integers, must hash apart and be found.
  const chosen = [1, 2 ** 32 + 1, 2 ** 33 + 1, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1, 0];
  for (let i = 0; i < 20_000; i++) chosen.push(7 + i * 1024, 2 ** 40 + i);
  chosen.forEach((id, record) => {
    ids[record] = id;
    index.insert(id, record);
  });
  assert.equal(index.size, chosen.length);
  chosen.forEach((id, record) => assert.equal(index.find(id), record, `id ${id}`));
  assert.equal(index.find(3), -1);
  assert.notEqual(hashBlockId(1), hashBlockId(2 ** 32 + 1));
  // Remove every other id: the rest must stay reachable across the holes.
  chosen.forEach((id, record) => {
    if (record % 2 === 0) index.remove(id);
  });
  chosen.forEach((id, record) => assert.equal(index.find(id), record % 2 === 0 ? -1 : record, `id ${id} after removals`));
  index.remove(3);
  assert.equal(index.size, chosen.length / 2);
});

test('records: set keeps replicas and health, remove frees the record for reuse, the table grows', () => {
  const map = new BlockMap();
  for (let id = 1; id <= 5000; id++) map.set(id, new BlockInfo(id, 10, 'complete', 3));
  assert.equal(map.size, 5000);
  map.addReplica(42, 7, 10);
  const slot = map.slotOf(42);
  map.setHealthAt(slot, 5);
  map.set(42, new BlockInfo(43, 10, 'committed', 2));
  assert.deepEqual({ ...map.get(42) }, { genStamp: 43, length: 10, state: 'committed', expectedReplication: 2, replicas: [7, 10], health: 5 });
  assert.deepEqual(map.remove(42), [7]);
  assert.equal(map.get(42), undefined);
  assert.equal(map.replicaCountOn(7), 0);
  const reused = map.set(9999, new BlockInfo(1, 1, 'underConstruction', 1));
  assert.equal(reused, slot, 'the freed record is reused');
  assert.deepEqual(map.get(9999)?.replicas, [], 'a reused record starts without replicas');
  assert.equal(map.get(9999)?.health, 0);
  assert.equal([...map.blockIds()].length, 5000);
});

test('replicas: inline, then overflow, removal keeps arrival order, counts per datanode', () => {
  const map = new BlockMap();
  map.set(1, new BlockInfo(1, 100, 'complete', 3));
  for (const node of [4, 5, 6, 7, 8]) map.addReplica(1, node, 100);
  map.addReplica(1, 5, 100); // a repeat report changes nothing
  assert.deepEqual(map.get(1)?.replicas, [4, 100, 5, 100, 6, 100, 7, 100, 8, 100]);
  map.removeReplica(1, 5);
  assert.deepEqual(map.get(1)?.replicas, [4, 100, 6, 100, 7, 100, 8, 100], 'an overflow replica moves inline');
  map.removeReplica(1, 8);
  map.removeReplica(1, 99);
  assert.deepEqual(map.get(1)?.replicas, [4, 100, 6, 100, 7, 100]);
  assert.equal(map.replicaCountOn(4), 1);
  assert.equal(map.replicaCountOn(8), 0);
  assert.deepEqual(map.blocksOn(7), [1]);
});

test('replica lengths: odd ones kept apart and surviving a change of the block length', () => {
  const map = new BlockMap();
  map.set(1, new BlockInfo(1, 0, 'underConstruction', 3));
  map.addReplica(1, 0, 0);
  map.addReplica(1, 1, 70);
  map.set(1, new BlockInfo(1, 70, 'committed', 3));
  assert.deepEqual(map.get(1)?.replicas, [0, 0, 1, 70], 'each replica keeps the length it reported');
  map.addReplica(1, 0, 70);
  assert.deepEqual(map.get(1)?.replicas, [0, 70, 1, 70]);
});

test('full-report marks: unmarked replicas are returned once, marks are cleared after', () => {
  const map = new BlockMap();
  for (let id = 1; id <= 10; id++) {
    map.set(id, new BlockInfo(1, 1, 'complete', 1));
    for (const node of [0, 1, 2, 3, 4]) map.addReplica(id, node, 1);
  }
  for (const id of [2, 4, 6]) map.markReported(id, 4); // position 4: an overflow replica
  for (const id of [1, 3]) map.markReported(id, 0);
  assert.deepEqual(map.takeUnreported(4).sort((a, b) => a - b), [1, 3, 5, 7, 8, 9, 10]);
  assert.equal(map.takeUnreported(4).length, 10, 'marks were cleared');
  map.clearReported(0);
  assert.equal(map.takeUnreported(0).length, 10, 'an abandoned report leaves no marks');
  map.markReported(3, 0);
  map.removeReplica(3, 0);
  map.addReplica(3, 0, 1);
  assert.equal(map.takeUnreported(0).includes(3), true, 'a replica added again starts unmarked');
});

test('the end-of-report sweep in short stretches finds what one pass finds, and may drop replicas as it goes', () => {
  const build = () => {
    const map = new BlockMap();
    for (let id = 1; id <= 50; id++) {
      map.set(id, new BlockInfo(1, 1, 'complete', 1));
      for (const node of id % 7 === 0 ? [1, 2] : [0, 1, 2, 3]) map.addReplica(id, node, 1);
      if (id % 3 === 0) map.markReported(id, 3);
    }
    map.remove(10);
    map.remove(11);
    return map;
  };
  const expected = build().takeUnreported(3);
  const map = build();
  const swept: number[] = [];
  let stretches = 0;
  for (let slot = 0; slot >= 0; stretches++) {
    slot = map.sweepUnreported(3, slot, 4, (blockId) => {
      swept.push(blockId);
      map.removeReplica(blockId, 3);
    });
  }
  assert.ok(stretches > 10, `swept in ${stretches} stretches`);
  assert.deepEqual(swept, expected);
  assert.equal(map.replicaCountOn(3), 14, 'only the marked replicas are left (multiples of 3 the node holds)');
  assert.deepEqual(map.takeUnreported(3).length, map.replicaCountOn(3), 'and their marks were cleared');
});

test('reserve sizes the table and its index once for a known block count; filling them then allocates nothing', () => {
  const map = new BlockMap();
  map.reserve(5000);
  assert.equal(map.recordCapacity, 8192);
  const bytes = map.byteLength;
  for (let id = 1; id <= 5000; id++) map.set(id * 7, new BlockInfo(1, 1, 'complete', 3));
  assert.equal(map.recordCapacity, 8192);
  assert.equal(map.byteLength, bytes, 'no array grew');
  for (let id = 1; id <= 5000; id++) assert.equal(map.blockIdAt(map.slotOf(id * 7)), id * 7);
  map.reserve(100);
  assert.equal(map.recordCapacity, 8192, 'reserve never shrinks');
});

test('stamps and lengths past 32 bits round-trip, and a record freed with one is reused clean', () => {
  const column = new Uint32Column(4);
  for (const value of [0, 7, 2 ** 32 - 2, 2 ** 32 - 1, 2 ** 32, 32 * 2 ** 30, Number.MAX_SAFE_INTEGER]) {
    column.set(1, value);
    assert.equal(column.get(1), value);
  }
  column.set(2, 2 ** 40);
  column.grow(8);
  assert.equal(column.get(2), 2 ** 40, 'kept through growth');
  assert.equal(column.get(1), Number.MAX_SAFE_INTEGER);
  const map = new BlockMap();
  map.set(1, new BlockInfo(2 ** 45, 32 * 2 ** 30, 'complete', 3));
  map.addReplica(1, 0, 32 * 2 ** 30);
  map.addReplica(1, 1, 5);
  assert.deepEqual([map.genStampAt(map.slotOf(1)), map.lengthAt(map.slotOf(1))], [2 ** 45, 32 * 2 ** 30]);
  assert.deepEqual(map.get(1)?.replicas, [0, 32 * 2 ** 30, 1, 5]);
  const slot = map.slotOf(1);
  map.remove(1);
  map.set(2, new BlockInfo(1001, 10, 'complete', 3));
  assert.equal(map.slotOf(2), slot, 'the freed record is reused');
  assert.deepEqual([map.genStampAt(slot), map.lengthAt(slot), map.replicaCountAt(slot)], [1001, 10, 0]);
  map.set(3, new BlockInfo(1002, 10, 'complete', 3));
  assert.notEqual(map.slotOf(3), slot);
  assert.equal(map.replicaCountAt(map.slotOf(3)), 0);
});

test('corrupt marks go with the replica and the block', () => {
  const map = new BlockMap();
  map.set(1, new BlockInfo(1, 1, 'complete', 2));
  map.addReplica(1, 0, 1);
  map.addReplica(1, 1, 1);
  map.markCorrupt(1, 0);
  assert.equal(map.isCorrupt(1, 0), true);
  assert.equal(map.corruptBlockCount, 1);
  map.removeReplica(1, 0);
  assert.equal(map.isCorrupt(1, 0), false);
  map.markCorrupt(1, 1);
  map.remove(1);
  assert.equal(map.corruptBlockCount, 0);
});

interface ModelBlock {
  genStamp: number;
  length: number;
  state: BlockState;
  expectedReplication: number;
  replicas: Array<[number, number]>;
  seen: Set<number>;
}

test('randomized: 100k operations agree with a Map-based model (seeded)', () => {
  const random = seeded(20240611);
  const int = (n: number) => Math.floor(random() * n);
  const map = new BlockMap(2); // two inline replicas, so overflow is exercised often
  const model = new Map<number, ModelBlock>();
  const states: BlockState[] = ['underConstruction', 'committed', 'complete'];
  // A few huge ids among small ones, so the hash sees both halves.
  const idOf = () => (random() < 0.1 ? 2 ** 45 + int(500) : 1 + int(5000));
  const datanodes = 12;
  for (let step = 0; step < 100_000; step++) {
    const id = idOf();
    const roll = random();
    const known = model.get(id);
    if (roll < 0.25) {
      // Some stamps and lengths past 32 bits: they live beside the packed columns.
      const fields = { genStamp: int(5) === 0 ? 2 ** 32 - 1 + int(3) : 1 + int(3), length: int(2) === 0 ? 64 : int(5) === 0 ? 32 * 2 ** 30 : int(100), state: states[int(3)] as BlockState, expectedReplication: 1 + int(4) };
      map.set(id, new BlockInfo(fields.genStamp, fields.length, fields.state, fields.expectedReplication));
      if (known === undefined) model.set(id, { ...fields, replicas: [], seen: new Set() });
      else Object.assign(known, fields);
    } else if (roll < 0.33) {
      const holders = map.remove(id);
      assert.deepEqual(holders, known?.replicas.map(([node]) => node) ?? []);
      model.delete(id);
    } else if (roll < 0.65) {
      const node = int(datanodes);
      const length = int(2) === 0 ? 64 : int(7) === 0 ? 2 ** 32 + int(2) : int(100);
      map.addReplica(id, node, length);
      if (known !== undefined) {
        const existing = known.replicas.find(([holder]) => holder === node);
        if (existing) existing[1] = length;
        else known.replicas.push([node, length]);
      }
    } else if (roll < 0.9) {
      const node = int(datanodes);
      map.removeReplica(id, node);
      if (known !== undefined) {
        known.replicas = known.replicas.filter(([holder]) => holder !== node);
        known.seen.delete(node);
      }
    } else if (roll < 0.99) {
      const node = int(datanodes);
      map.markReported(id, node);
      if (known?.replicas.some(([holder]) => holder === node)) known.seen.add(node);
    } else {
      const node = int(datanodes);
      const expected = [...model].filter(([, block]) => block.replicas.some(([holder]) => holder === node) && !block.seen.has(node)).map(([blockId]) => blockId);
      for (const block of model.values()) block.seen.delete(node);
      assert.deepEqual(map.takeUnreported(node).sort((a, b) => a - b), expected.sort((a, b) => a - b));
    }
    if (step % 10_000 === 0 || step === 99_999) compare(map, model, datanodes);
  }
});

function compare(map: BlockMap, model: Map<number, ModelBlock>, datanodes: number): void {
  assert.equal(map.size, model.size);
  for (const [id, block] of model) {
    const snapshot = map.get(id);
    assert.ok(snapshot, `block ${id} is in the map`);
    assert.deepEqual(
      { genStamp: snapshot.genStamp, length: snapshot.length, state: snapshot.state, expectedReplication: snapshot.expectedReplication, replicas: [...snapshot.replicas] },
      { genStamp: block.genStamp, length: block.length, state: block.state, expectedReplication: block.expectedReplication, replicas: block.replicas.flat() },
      `block ${id}`,
    );
  }
  assert.deepEqual([...map.blockIds()].sort((a, b) => a - b), [...model.keys()].sort((a, b) => a - b));
  for (let node = 0; node < datanodes; node++) {
    const expected = [...model].filter(([, block]) => block.replicas.some(([holder]) => holder === node)).map(([id]) => id);
    assert.deepEqual(map.blocksOn(node).sort((a, b) => a - b), expected.sort((a, b) => a - b), `blocks on datanode ${node}`);
    assert.equal(map.replicaCountOn(node), expected.length);
  }
}

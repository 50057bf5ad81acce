// NamenodeStore.write under a burst of mutations: more than one batch's worth submitted in
// one turn all commit, each resolves with its own result only once durable, and a mutation
// that throws (held for a later batch or not) aborts alone and changes nothing.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { parseConfig } from '../../config/index.js';
import { formatNamenode } from '../../namenode/main.js';
import { NamenodeStore, maxMutationsPerBatch } from '../../namenode/storage/namenode-store.js';

let dir: string;
let store: NamenodeStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsdfs-nn-batches-'));
  await formatNamenode(parseConfig({ 'dfs.namenode.name.dir': join(dir, 'name') }), { now: 1000 });
  store = NamenodeStore.open(join(dir, 'name'));
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

test('a burst larger than a batch commits every mutation, in separate batches, each durable before it resolves', async () => {
  const count = maxMutationsPerBatch * 3 + 5;
  let commits = 0;
  store.meta.on('aftercommit', () => commits++);
  for (let round = 0; round < 3; round++) {
    const before = commits;
    const results = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        store.write(() => {
          store.meta.put(`test-${round}-${index}`, index);
          return index * 2;
        }),
      ),
    );
    assert.deepEqual(results, Array.from({ length: count }, (_, index) => index * 2));
    for (let index = 0; index < count; index++) assert.equal(store.meta.get(`test-${round}-${index}`), index);
    assert.ok(commits - before >= 1, 'committed');
  }
});

test('a throwing mutation in a burst aborts alone; the others commit', async () => {
  const count = maxMutationsPerBatch * 2 + 3;
  const outcomes = await Promise.allSettled(
    Array.from({ length: count }, (_, index) =>
      store.write(() => {
        store.meta.put(`k${index}`, index);
        if (index % 7 === 3) throw new Error(`refused ${index}`);
        return index;
      }),
    ),
  );
  for (const [index, outcome] of outcomes.entries()) {
    if (index % 7 === 3) {
      assert.equal(outcome.status, 'rejected');
      assert.equal(store.meta.get(`k${index}`), undefined, `k${index} was rolled back`);
    } else {
      assert.deepEqual(outcome, { status: 'fulfilled', value: index });
      assert.equal(store.meta.get(`k${index}`), index);
    }
  }
});

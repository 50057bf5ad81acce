// Full block reports at the link: the fast replica check agrees with the zod schema, and a
// big chunk applied in slices (with event-loop turns between them) ends as the one-shot path does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlockInfo } from '../../namenode/blocks/block-map.js';
import { BlockManager } from '../../namenode/blocks/block-manager.js';
import { parseBlockReportFast, parseIncrementalReportFast, runInSlices } from '../../namenode/datanodes/block-report-intake.js';
import { DatanodeManager } from '../../namenode/datanodes/datanode-manager.js';
import { DatanodeMessage, type DatanodeRegistration, type ReportedReplica } from '../../protocol/datanode-namenode.js';
import { maxReplicasPerBlockReportMessage } from '../../protocol/limits.js';

const envelope = { type: 'blockReport', reportId: 3, chunk: 0, last: true };

test('the fast block-report check accepts and refuses exactly what the schema does', () => {
  const cases: unknown[] = [
    { ...envelope, replicas: [[1, 2, 0], [Number.MAX_SAFE_INTEGER, 1, 5]] },
    { ...envelope, replicas: [] },
    { ...envelope, replicas: [[1, 2, 0]], extra: 'dropped' },
    { ...envelope, replicas: [[0, 2, 0]] },
    { ...envelope, replicas: [[1, 0, 0]] },
    { ...envelope, replicas: [[1, 2, -1]] },
    { ...envelope, replicas: [[1, 2, 0.5]] },
    { ...envelope, replicas: [[1, 2]] },
    { ...envelope, replicas: [[1, 2, 3, 4]] },
    { ...envelope, replicas: [['1', 2, 3]] },
    { ...envelope, replicas: [[2 ** 53, 2, 3]] },
    { ...envelope, replicas: [null] },
    { ...envelope, replicas: {} },
    { ...envelope, reportId: -1, replicas: [[1, 1, 1]] },
    { ...envelope, last: 'yes', replicas: [] },
    { type: 'blockReport', replicas: [] },
    { ...envelope, replicas: Array.from({ length: maxReplicasPerBlockReportMessage + 1 }, (_, i) => [i + 1, 1, 1]) },
    { type: 'heartbeat', replicas: [] },
    [envelope],
    null,
  ];
  for (const json of cases) {
    const fast = parseBlockReportFast(json);
    const schema = DatanodeMessage.safeParse(json);
    const label = JSON.stringify(json).slice(0, 120);
    if (fast === undefined) assert.ok(!schema.success || schema.data.type !== 'blockReport', `fast refused what the schema accepts: ${label}`);
    else assert.deepEqual(fast, schema.success ? schema.data : 'schema refused', label);
  }
});

test('the fast incremental-report check accepts and refuses exactly what the schema does', () => {
  const ibr = (received: unknown, deleted: unknown = []) => ({ type: 'incrementalBlockReport', received, deleted });
  const big = 100_000;
  const cases: unknown[] = [
    ibr([[1, 2, 0], [Number.MAX_SAFE_INTEGER, 1, 4096]], [[3, 4]]),
    ibr([], []),
    ibr([[1, 2, 0]], [], ),
    { ...ibr([[1, 2, 0]]), extra: 'dropped' },
    ibr([[0, 2, 0]]), ibr([[1, 0, 0]]), ibr([[1, 2, -1]]), ibr([[1, 2, 0.5]]), ibr([[1, 2]]), ibr([[1, 2, 3, 4]]),
    ibr([['1', 2, 3]]), ibr([[2 ** 53, 2, 3]]), ibr([[1, 2, 2 ** 53]]), ibr([null]), ibr({}), ibr('x'), ibr([[1, 2, Number.NaN]]),
    ibr([], [[0, 1]]), ibr([], [[1, 0]]), ibr([], [[1]]), ibr([], [[1, 2, 3]]), ibr([], [[1.5, 2]]), ibr([], [['1', 2]]), ibr([], null), ibr([], [null]),
    { type: 'incrementalBlockReport', received: [] },
    { type: 'incrementalBlockReport', deleted: [] },
    { type: 'incrementalblockreport', received: [], deleted: [] },
    ibr(Array.from({ length: big }, (_, i) => [i + 1, 1, 1])),
    ibr(Array.from({ length: big + 1 }, (_, i) => [i + 1, 1, 1])),
    ibr([], Array.from({ length: big + 1 }, (_, i) => [i + 1, 1])),
    { type: 'heartbeat', received: [], deleted: [] },
    [ibr([])],
    null,
    'incrementalBlockReport',
  ];
  // Random mutations of a valid report: one value replaced by something odd.
  const odd: unknown[] = [0, -1, 1.5, 2 ** 53, '7', null, true, [], {}, Number.MAX_SAFE_INTEGER, 1, undefined];
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  for (let i = 0; i < 2000; i++) {
    const received = Array.from({ length: 1 + Math.floor(random() * 3) }, () => [1 + Math.floor(random() * 100), 1 + Math.floor(random() * 5), Math.floor(random() * 5000)] as unknown[]);
    const deleted = Array.from({ length: Math.floor(random() * 3) }, () => [1 + Math.floor(random() * 100), 1 + Math.floor(random() * 5)] as unknown[]);
    const lists = deleted.length > 0 && random() < 0.4 ? deleted : received;
    const tuple = pick(lists);
    const where = random();
    if (where < 0.7) tuple[Math.floor(random() * (tuple.length + 1))] = pick(odd);
    else if (where < 0.85) tuple.pop();
    else (lists as unknown[]).push(pick(odd));
    cases.push(ibr(received, deleted));
  }
  let accepted = 0;
  for (const json of cases) {
    const fast = parseIncrementalReportFast(json);
    const schema = DatanodeMessage.safeParse(json);
    const label = JSON.stringify(json)?.slice(0, 120) ?? String(json);
    const schemaTook = schema.success && schema.data.type === 'incrementalBlockReport';
    assert.equal(fast !== undefined, schemaTook, `fast and schema disagree on: ${label}`);
    if (fast !== undefined) {
      accepted++;
      assert.deepEqual(fast, schema.success ? schema.data : 'schema refused', label);
    }
  }
  assert.ok(accepted > 100 && accepted < cases.length - 100, `both outcomes exercised (${accepted} of ${cases.length} accepted)`);
});

test('a chunk applied slice by slice ends as the one-shot path does', async () => {
  const setup = () => {
    const datanodes = new DatanodeManager({ staleAfterMs: 30_000, deadAfterMs: 630_000 }, new Map());
    const registration: DatanodeRegistration = {
      type: 'register', datanodeUuid: 'a', clusterId: '', softwareVersion: '0.1.0', hostname: 'host-a', dataPort: 9866,
      storage: { capacity: 1e12, dfsUsed: 0, nonDfsUsed: 0, remaining: 1e12, volumes: [] },
    };
    const node = datanodes.register(registration, '203.0.113.1', 0);
    const blocks = new BlockManager(datanodes, 1);
    for (let id = 1; id <= 60_000; id++) blocks.blockMap.set(id, new BlockInfo(1, 10, 'complete', 1));
    // Held before the report, then missing from it: dropped at its end.
    for (let id = 50_001; id <= 60_000; id++) blocks.onReplicaReceived(node, [id, 1, 10]);
    return { blocks, node };
  };
  const replicas: ReportedReplica[] = [];
  for (let id = 1; id <= 50_000; id++) replicas.push([id, 1, 10]);
  const sliced = setup();
  const work = sliced.blocks.startBlockReportChunk(sliced.node, 9, replicas, true, 500);
  let steps = 0;
  await runInSlices({ step: (budget) => (steps++, work.step(budget)) });
  const oneShot = setup();
  oneShot.blocks.onBlockReportChunk(oneShot.node, 9, replicas, true, 500);
  assert.ok(steps > 10, `applied in ${steps} steps`);
  assert.equal(sliced.blocks.blockMap.replicaCountOn(sliced.node.index), 50_000);
  assert.deepEqual(sliced.blocks.blockMap.blocksOn(sliced.node.index), oneShot.blocks.blockMap.blocksOn(oneShot.node.index));
  assert.deepEqual(sliced.blocks.health(), oneShot.blocks.health());
  assert.equal(sliced.node.lastBlockReportMs, 500);
});

test('a report that begins while an older one is still sweeping decides alone: the old sweep drops nothing more', () => {
  const datanodes = new DatanodeManager({ staleAfterMs: 30_000, deadAfterMs: 630_000 }, new Map());
  const registration: DatanodeRegistration = {
    type: 'register', datanodeUuid: 'a', clusterId: '', softwareVersion: '0.1.0', hostname: 'host-a', dataPort: 9866,
    storage: { capacity: 1e12, dfsUsed: 0, nonDfsUsed: 0, remaining: 1e12, volumes: [] },
  };
  const node = datanodes.register(registration, '203.0.113.1', 0);
  const blocks = new BlockManager(datanodes, 1);
  const all: ReportedReplica[] = [];
  for (let id = 1; id <= 60_000; id++) {
    blocks.blockMap.set(id, new BlockInfo(1, 10, 'complete', 1));
    blocks.onReplicaReceived(node, [id, 1, 10]);
    all.push([id, 1, 10]);
  }
  // The older report names half the blocks; its sweep is under way when the node re-registers and reports all.
  const older = blocks.startBlockReportChunk(node, 1, all.slice(0, 30_000), true, 100);
  for (let steps = 0; steps < 31; steps++) assert.equal(older.step(1000), false, 'replicas applied, sweep begun, not ended');
  blocks.onBlockReportChunk(node, 2, all, true, 200);
  assert.equal(blocks.blockMap.replicaCountOn(node.index), 60_000);
  assert.equal(older.step(1000), true, 'the older sweep stops');
  assert.equal(blocks.blockMap.replicaCountOn(node.index), 60_000, 'nothing the newer report named was dropped');
  assert.equal(node.lastBlockReportMs, 200);
});

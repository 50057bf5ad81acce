// The block scanner: the pure schedule (every replica once per period, spread, most overdue
// first), the throttle (bounded bandwidth), and the scanner over a real block store
// (finds corruption and vanished files, skips replicas being written, reports at once).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { computeChunkChecksums } from '../../protocol/checksum.js';
import { BlockScanner } from '../../datanode/scanner/block-scanner.js';
import { ScanSchedule } from '../../datanode/scanner/scan-schedule.js';
import { ScanThrottle } from '../../datanode/scanner/scan-throttle.js';
import { ScannerMetrics } from '../../datanode/scanner/scanner-metrics.js';
import { BlockStore } from '../../datanode/storage/block-store.js';
import { finalizedSubdir } from '../../datanode/storage/layout.js';

const log = pino({ level: 'silent' });
const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('scan schedule (pure)', () => {
  it('spreads replicas found at start-up evenly over one period', () => {
    const schedule = new ScanSchedule(1000);
    schedule.addExisting([1, 2, 3, 4], 0);
    assert.deepEqual([1, 2, 3, 4].map((id) => schedule.dueTimeOf(id)), [0, 250, 500, 750]);
    assert.deepEqual(schedule.next(0), { kind: 'scan', blockId: 1 });
    schedule.scanned(1, 0);
    assert.deepEqual(schedule.next(0), { kind: 'wait', untilMs: 250 });
  });

  it('a received replica is due one period after it arrived; the most overdue goes first', () => {
    const schedule = new ScanSchedule(1000);
    schedule.addReceived(7, 100);
    schedule.addReceived(3, 200);
    assert.deepEqual(schedule.next(150), { kind: 'wait', untilMs: 1100 });
    assert.deepEqual(schedule.next(5000), { kind: 'scan', blockId: 7 });
    schedule.markSuspect(3, 50);
    assert.deepEqual(schedule.next(60), { kind: 'scan', blockId: 3 });
    schedule.remove(3);
    schedule.remove(7);
    assert.deepEqual(schedule.next(5000), { kind: 'idle' });
  });

  it('verifies every replica exactly once per period, with replicas coming and going (seeded)', () => {
    const periodMs = 10_000;
    const schedule = new ScanSchedule(periodMs);
    let seed = 42;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const ids = Array.from({ length: 500 }, (_, index) => index + 1);
    schedule.addExisting(ids, 0);
    const scans = new Map<number, number[]>();
    let nextId = 1000;
    for (let now = 0; now < 3 * periodMs; now += 7) {
      if (random() < 0.01) schedule.addReceived(nextId++, now);
      if (random() < 0.005) schedule.remove(1 + Math.floor(random() * 500));
      for (let decision = schedule.next(now); decision.kind === 'scan'; decision = schedule.next(now)) {
        scans.set(decision.blockId, [...(scans.get(decision.blockId) ?? []), now]);
        schedule.scanned(decision.blockId, now);
      }
    }
    for (const [blockId, times] of scans) {
      for (let i = 1; i < times.length; i++) {
        const gap = (times[i] as number) - (times[i - 1] as number);
        assert.ok(gap >= periodMs && gap < periodMs + 7, `block ${blockId} rescanned after ${gap} ms`);
      }
    }
    // Start-up replicas still held were all scanned in the first period, spread out.
    const firstScans = ids.filter((id) => schedule.has(id)).map((id) => (scans.get(id) ?? [Infinity])[0] as number);
    assert.ok(firstScans.every((time) => time < periodMs));
    const perTenth = Array.from({ length: 10 }, (_, tenth) => firstScans.filter((time) => Math.floor(time / (periodMs / 10)) === tenth).length);
    assert.ok(Math.max(...perTenth) - Math.min(...perTenth) <= 10, `uneven: ${perTenth.join(',')}`);
  });
});

describe('scan throttle (pure)', () => {
  it('keeps the average rate at the bound, and idle time buys no burst', () => {
    const throttle = new ScanThrottle(1024 * 1024);
    let now = 0;
    for (let i = 0; i < 8; i++) now += throttle.charge(256 * 1024, now);
    assert.equal(now, 2000);
    assert.equal(throttle.charge(1024 * 1024, 10_000), 1000);
  });
});

async function newStore(dataDirs = 1): Promise<BlockStore> {
  const root = await mkdtemp(join(tmpdir(), 'tsdfs-scanner-'));
  dirs.push(root);
  return BlockStore.open({ dataDirs: Array.from({ length: dataDirs }, (_, i) => join(root, `v${i}`)), reservedBytes: 0, blockSizeBytes: 1024 * 1024, log });
}

async function writeReplica(store: BlockStore, blockId: number, data: Buffer): Promise<void> {
  const writer = await store.createRbw(blockId, 1001, 512);
  await writer.append(0, data, computeChunkChecksums(data, 512));
  await writer.finalize();
}

function blockPath(store: BlockStore, blockId: number): string {
  return join(finalizedSubdir(store.getReplica(blockId)?.volume ?? '', blockId), `blk_${blockId}`);
}

async function flipByte(path: string, position: number): Promise<void> {
  const handle = await open(path, 'r+');
  const byte = Buffer.alloc(1);
  await handle.read(byte, 0, 1, position);
  byte[0] = (byte[0] as number) ^ 0xff;
  await handle.write(byte, 0, 1, position);
  await handle.close();
}

function newScanner(store: BlockStore, periodMs: number, bytesPerSecondPerVolume = 64 * 1024 * 1024) {
  const reports: Array<[number, number]> = [];
  const registry = new Registry();
  const metrics = new ScannerMetrics(registry, () => 0, 1024 * 1024);
  const scanner = new BlockScanner({ store, log, metrics, periodMs, bytesPerSecondPerVolume, reportBadBlock: (id, gs) => reports.push([id, gs]) });
  return { scanner, reports, registry };
}

async function metricValue(registry: Registry, name: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((entry) => entry.name === name);
  return Number(metric?.values[0]?.value ?? 0);
}

describe('block scanner over a block store', () => {
  it('passes good replicas, reports a corrupt one at once, reports a vanished one lost', async () => {
    const store = await newStore();
    const data = randomBytes(300_000);
    for (const id of [1, 2, 3]) await writeReplica(store, id, data);
    const { scanner, reports, registry } = newScanner(store, 3_600_000);
    const deleted: number[] = [];
    store.subscribe((event) => event.kind === 'deleted' && deleted.push(event.block[0]));
    assert.equal(await scanner.scanNow(1), 'ok');
    await flipByte(blockPath(store, 2), 123_456);
    assert.equal(await scanner.scanNow(2), 'corrupt');
    assert.deepEqual(reports, [[2, 1001]]);
    await unlink(blockPath(store, 3));
    assert.equal(await scanner.scanNow(3), 'missing');
    assert.deepEqual(deleted, [3]);
    assert.equal(store.getReplica(3), undefined);
    assert.equal(await metricValue(registry, 'tsdfs_datanode_scanner_replicas_scanned_total'), 1);
    assert.equal(await metricValue(registry, 'tsdfs_datanode_scanner_bad_replicas_total'), 2);
    assert.ok((await metricValue(registry, 'tsdfs_datanode_scanner_bytes_total')) >= 300_000);
    await scanner.stop();
  });

  it('skips a replica being written and a replica deleted meanwhile, without crashing', async () => {
    const store = await newStore();
    const writer = await store.createRbw(9, 1001, 512);
    const { scanner, reports } = newScanner(store, 3_600_000);
    assert.equal(await scanner.scanNow(9), 'skipped');
    await writer.abort();
    await writeReplica(store, 10, randomBytes(10_000));
    await store.deleteReplica(10, 1001);
    assert.equal(await scanner.scanNow(10), 'skipped');
    assert.deepEqual(reports, []);
    await scanner.stop();
  });

  it('finds a corrupt replica within its period on its own, without any read', async () => {
    const store = await newStore(2);
    for (let id = 1; id <= 6; id++) await writeReplica(store, id, randomBytes(50_000));
    await flipByte(blockPath(store, 4), 10);
    const { scanner, reports } = newScanner(store, 600);
    scanner.start();
    const started = Date.now();
    while (reports.length === 0 && Date.now() - started < 3_000) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(reports, [[4, 1001]]);
    assert.ok(Date.now() - started < 1_500, `found after ${Date.now() - started} ms`);
    await scanner.stop();
  });

  it('stays within its bandwidth bound', async () => {
    const store = await newStore();
    const data = randomBytes(1024 * 1024);
    for (let id = 1; id <= 4; id++) await writeReplica(store, id, data);
    const bound = 8 * 1024 * 1024;
    const { scanner, registry } = newScanner(store, 1, bound);
    const started = process.hrtime.bigint();
    for (let id = 1; id <= 4; id++) assert.equal(await scanner.scanNow(id), 'ok');
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const bytes = await metricValue(registry, 'tsdfs_datanode_scanner_bytes_total');
    assert.equal(bytes, 4 * 1024 * 1024);
    // The last step's pause is taken too, so the whole run is at least bytes / bound.
    assert.ok(bytes / seconds <= bound * 1.05, `scanned at ${(bytes / seconds / 1048576).toFixed(1)} MiB/s`);
    await scanner.stop();
  });
});

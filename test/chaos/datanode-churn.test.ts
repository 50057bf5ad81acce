// Datanode churn: for a bounded time, writers (the library, streams and `tsdfs put` of
// directories) keep writing, and readers keep reading what was written, while datanodes are
// SIGKILLed and restarted at random, two at a time at worst, and bytes of replicas on disk
// are flipped now and then. No read returns a wrong byte.
// Every write the client or CLI reported done reads back identical, also after the namenode
// itself is SIGKILLed and restarted; every failure is a clear error that names its file,
// never a hang or a silent exit; and once the churn stops the cluster brings every written
// file back to full replication by itself. The seed is printed: a failure can be replayed
// with TSDFS_CHAOS_SEED=<seed>. `npm run test:chaos` runs it (CI does too).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import type { DfsClient } from '../../client-lib/index.js';
import { type Cluster, type DatanodeHandle, startCluster, waitUntil } from '../helpers/cluster.js';
import { Random } from '../helpers/fuzz/random.js';

const churnMs = Number(process.env.TSDFS_CHAOS_MS ?? 40_000);
const datanodeCount = 5;
const libraryWriters = 6;
/** A write that takes longer than this is taken for a hang. */
const writeTimeoutMs = 90_000;
const blockSize = 1024 * 1024;
/** Empty, sub-chunk, one packet, a block and a bit, several blocks. */
const sizes = [0, 1, 4096, 700 * 1024, blockSize + 1, 2.5 * blockSize];

/** A repeatable stream of numbers in [0, 1) for a seed (mulberry32, as the fuzz tests use). */
function random(seed: number): () => number {
  const source = new Random(seed);
  return () => source.next();
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Deterministic bytes for a file (seeded by its name), so nothing has to be kept in memory. */
function content(name: string, size: number): Buffer {
  const next = random(createHash('sha256').update(name).digest().readUInt32LE(0));
  const words = new Uint32Array(Math.ceil(size / 4));
  for (let index = 0; index < words.length; index++) words[index] = next() * 4294967296;
  return Buffer.from(words.buffer, 0, size);
}

function withTimeout<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`hung: ${what} took over ${writeTimeoutMs} ms`)), writeTimeoutMs)));
  return Promise.race([promise, hung]).finally(() => clearTimeout(timer));
}

interface Written {
  size: number;
  digest: string;
}

class Ledger {
  readonly written = new Map<string, Written>();
  readonly failures: string[] = [];
  readonly hangs: string[] = [];
  attempts = 0;
  reads = 0;
  readFailures: string[] = [];
}

async function libraryWriter(client: DfsClient, id: number, next: () => number, until: number, ledger: Ledger): Promise<void> {
  for (let n = 0; Date.now() < until; n++) {
    const path = `/churn/lib${id}/f${n}`;
    const size = sizes[Math.floor(next() * sizes.length)] as number;
    const data = content(path, size);
    const streamed = next() < 0.3;
    ledger.attempts++;
    try {
      await withTimeout(path, streamed ? writeInPieces(client, path, data) : client.writeFile(path, data));
      ledger.written.set(path, { size, digest: sha256(data) });
    } catch (error) {
      const message = (error as Error).message;
      (message.startsWith('hung:') ? ledger.hangs : ledger.failures).push(`${path}: ${message}`);
    }
  }
}

/** A write stream fed in uneven pieces, as an app streaming its own data would. */
async function writeInPieces(client: DfsClient, path: string, data: Buffer): Promise<void> {
  function* pieces(): Generator<Buffer> {
    for (let at = 0; at < data.length; at += 300_001) yield data.subarray(at, at + 300_001);
  }
  await pipeline(Readable.from(pieces()), client.createWriteStream(path));
}

/**
 * Reads back files already acknowledged while the churn goes on: a read may fail when every
 * replica it knows of is down, but must never return a wrong byte.
 */
async function reader(client: DfsClient, next: () => number, until: number, ledger: Ledger): Promise<void> {
  while (Date.now() < until) {
    const paths = [...ledger.written.keys()];
    if (paths.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    const path = paths[Math.floor(next() * paths.length)] as string;
    const expected = ledger.written.get(path) as Written;
    ledger.reads++;
    let data: Buffer;
    try {
      data = await withTimeout(`read ${path}`, client.readFile(path));
    } catch (error) {
      const message = (error as Error).message;
      (message.startsWith('hung:') ? ledger.hangs : ledger.readFailures).push(`${path}: ${message}`);
      continue;
    }
    assert.equal(sha256(data), expected.digest, `${path} read back different bytes during the churn`);
  }
}

/** `tsdfs put` of a fresh local directory of small files, again and again. */
async function cliWriter(cluster: Cluster, until: number, ledger: Ledger): Promise<number> {
  let runs = 0;
  for (let n = 0; Date.now() < until; n++) {
    const local = join(cluster.dir, `cli-src-${n}`);
    await mkdir(local, { recursive: true });
    const files = new Map<string, Buffer>();
    for (let index = 0; index < 40; index++) {
      const data = content(`cli${n}/${index}`, 1 + ((index * 7919) % 20_000));
      files.set(`g${index}`, data);
      await writeFile(join(local, `g${index}`), data);
    }
    const result = await cluster.cli(['put', local, `/churn/cli${n}`]);
    runs++;
    ledger.attempts += files.size;
    const named = new Set([...result.stderr.matchAll(/^put: `\/churn\/cli\d+\/(g\d+)'/gm)].map((match) => match[1]));
    const lines = result.stderr.split('\n').filter((line) => line !== '');
    if (result.code === 0) assert.equal(result.stderr, '', `put ${n} exited 0 but printed`);
    else {
      assert.equal(result.code, 1, `put ${n} exited ${result.code}: ${result.stderr}`);
      assert.ok(lines.length > 0 && lines.length === named.size, `put ${n}: every failure names one file:\n${result.stderr}`);
      ledger.failures.push(...lines);
    }
    for (const [name, data] of files) {
      if (!named.has(name)) ledger.written.set(`/churn/cli${n}/${name}`, { size: data.length, digest: sha256(data) });
    }
  }
  return runs;
}

/**
 * Flips one byte of a random finalized replica on disk every so often, as a failing disk
 * would; the checksums must keep every flipped byte from reaching a reader.
 */
async function corrupt(cluster: Cluster, next: () => number, until: number): Promise<number> {
  let flipped = 0;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 2000 + next() * 2000));
    const handle = cluster.datanodes[Math.floor(next() * cluster.datanodes.length)] as DatanodeHandle;
    const finalized = join(handle.dataDir, 'current', 'finalized');
    const blocks = await readdir(finalized, { recursive: true }).catch(() => [] as string[]);
    const candidates = blocks.filter((name) => /(^|\/)blk_\d+$/.test(name));
    const chosen = candidates[Math.floor(next() * candidates.length)];
    if (chosen === undefined) continue;
    const file = await open(join(finalized, chosen), 'r+').catch(() => null);
    if (file === null) continue; // moved or deleted meanwhile
    try {
      const { size } = await file.stat();
      if (size === 0) continue;
      const at = Math.floor(next() * size);
      const byte = Buffer.alloc(1);
      await file.read(byte, 0, 1, at);
      byte[0] = (byte[0] as number) ^ 0x5a;
      await file.write(byte, 0, 1, at);
      flipped++;
    } finally {
      await file.close();
    }
  }
  return flipped;
}

/** Kills a random running datanode every so often and brings it back a little later; never more than two down. */
async function churn(cluster: Cluster, next: () => number, until: number): Promise<number> {
  let kills = 0;
  const restarts: Promise<void>[] = [];
  const down = new Set<DatanodeHandle>();
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 1000 + next() * 1500));
    if (down.size >= 2) continue;
    const candidates = cluster.datanodes.filter((handle) => !down.has(handle));
    const victim = candidates[Math.floor(next() * candidates.length)] as DatanodeHandle;
    down.add(victim);
    await victim.kill('SIGKILL');
    kills++;
    const pause = 1000 + next() * 3000;
    restarts.push(
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, pause));
        await victim.start();
        down.delete(victim);
      })(),
    );
  }
  await Promise.all(restarts);
  return kills;
}

async function verifyAll(client: DfsClient, ledger: Ledger): Promise<void> {
  for (const [path, expected] of ledger.written) {
    const status = await client.stat(path);
    assert.equal(status.underConstruction, false, `${path} is still under construction`);
    assert.equal(status.length, expected.size, `${path} length`);
    assert.equal(sha256(await client.readFile(path)), expected.digest, `${path} differs`);
  }
}

test('datanodes killed and restarted under writers: every acknowledged file survives intact, failures are named, and the cluster heals', { timeout: churnMs + 300_000 }, async () => {
  const seed = Number(process.env.TSDFS_CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`# chaos seed ${seed} (replay with TSDFS_CHAOS_SEED=${seed})`);
  const next = random(seed);
  await using cluster = await startCluster({
    datanodes: datanodeCount,
    config: { 'dfs.replication': '3', 'dfs.blocksize': String(blockSize), 'dfs.namenode.redundancy.interval.seconds': '1' },
  });
  const ledger = new Ledger();
  const until = Date.now() + churnMs;
  const client = cluster.client();
  const writers = Array.from({ length: libraryWriters }, (_, id) => libraryWriter(client, id, random(seed + id + 1), until, ledger));
  const readers = [reader(cluster.client(), random(seed - 1), until, ledger), reader(cluster.client(), random(seed - 2), until, ledger)];
  const [kills, cliRuns, flipped] = await Promise.all([churn(cluster, next, until), cliWriter(cluster, until, ledger), corrupt(cluster, random(seed - 3), until), ...writers, ...readers]);
  console.log(`# ${flipped} bytes flipped in replicas on disk`);
  console.log(`# ${kills} datanode kills, ${cliRuns} CLI puts, ${ledger.written.size} files acknowledged, ${ledger.failures.length} write failures reported`);
  console.log(`# ${ledger.reads} reads during the churn, ${ledger.readFailures.length} failed`);
  for (const failure of ledger.readFailures.slice(0, 5)) console.log(`#   ${failure.split('\n')[0]}`);
  for (const failure of ledger.failures.slice(0, 10)) console.log(`#   ${failure.split('\n')[0]}`);

  assert.deepEqual(ledger.hangs, [], 'no write hung');
  assert.ok(kills >= Math.floor(churnMs / 5000), `only ${kills} kills: the churn did not run`);
  assert.ok(ledger.written.size >= 200, `only ${ledger.written.size} files written`);
  // With at most two of five datanodes down, pipeline recovery and fresh blocks elsewhere
  // should save nearly every write: many failures mean recovery is broken, not unlucky.
  assert.ok(ledger.failures.length <= Math.max(3, ledger.attempts * 0.02), `${ledger.failures.length} of ${ledger.attempts} writes failed`);
  assert.ok(ledger.reads >= 100, `only ${ledger.reads} reads`);
  assert.ok(ledger.readFailures.length <= Math.max(3, ledger.reads * 0.02), `${ledger.readFailures.length} of ${ledger.reads} reads failed`);
  await cluster.waitForLiveDatanodes(datanodeCount, 60_000);
  await verifyAll(client, ledger);

  // Self-healing: every acknowledged file gets back to 3 live replicas without anyone asking.
  await waitUntil('every acknowledged file at 3 live replicas', 180_000, async () => {
    const report = await client.rpc('fsck', { path: '/churn', files: true });
    const byPath = new Map(report.files.map((file) => [file.path, file]));
    return [...ledger.written.keys()].every((path) =>
      byPath.get(path)?.blocks.every((block) => new Set(block.replicas.filter((r) => r.state === 'live').map((r) => r.uuid)).size >= 3),
    );
  });

  // And what was acknowledged is durable on the namenode too: kill it outright and read it all again.
  const address = cluster.namenode.address;
  await cluster.namenode.kill('SIGKILL');
  await cluster.startNamenode(address);
  const fresh = cluster.client();
  await waitUntil('safe mode ends after the namenode restart', 60_000, async () => !(await fresh.rpc('setSafeMode', { action: 'get' })).safeMode);
  await verifyAll(fresh, ledger);
});

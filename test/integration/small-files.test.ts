// Directory copies of many small files take the CLI's whole-buffer path (one read, one
// packet, no stream): every byte arrives, sizes at the edges of a checksum chunk and of a
// packet included, `cp -r` copies them back identical, nothing is left as `._COPYING_`,
// and a datanode killed in the middle costs no file the command reported as copied.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { DfsClient } from '../../client-lib/index.js';
import { packetDataBytes } from '../../protocol/limits.js';
import { type Cluster, startCluster, waitUntil } from '../helpers/cluster.js';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster({ datanodes: 3 });
});
after(async () => {
  await cluster?.stop();
});

/** Sizes around a checksum chunk (512) and a packet: the last one streams, the rest go whole. */
const edgeSizes = [0, 1, 511, 512, 513, 4096, packetDataBytes - 1, packetDataBytes, packetDataBytes + 1];

/** Writes `files` (relative name → bytes) below `root`. */
async function writeTree(root: string, files: Map<string, Buffer>): Promise<void> {
  for (const [relative, data] of files) {
    await mkdir(join(root, relative, '..'), { recursive: true });
    await writeFile(join(root, relative), data);
  }
}

/** Every file path below `dir` in tsdfs. */
async function remoteFiles(client: DfsClient, dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of client.list(dir)) {
    if (entry.type === 'directory') found.push(...(await remoteFiles(client, entry.path)));
    else found.push(entry.path);
  }
  return found;
}

async function assertTreeEqual(client: DfsClient, dir: string, files: Map<string, Buffer>): Promise<void> {
  const found = await remoteFiles(client, dir);
  assert.deepEqual(found.filter((path) => path.endsWith('._COPYING_')), [], 'no temporary file left');
  assert.equal(found.length, files.size);
  for (const [relative, data] of files) {
    const status = await client.stat(`${dir}/${relative}`);
    assert.equal(status.underConstruction, false, relative);
    assert.equal(status.length, data.length, relative);
    assert.ok((await client.readFile(`${dir}/${relative}`)).equals(data), `${relative} differs`);
  }
}

test('put of a directory of small files, then cp -r, then get: every file byte-identical, no ._COPYING_ left', async () => {
  const files = new Map<string, Buffer>();
  edgeSizes.forEach((size, index) => files.set(`edge/e${index}-${size}`, randomBytes(size)));
  for (let index = 0; index < 150; index++) files.set(`many/sub${index % 3}/f${index}`, randomBytes(1 + ((index * 977) % 9000)));
  const local = join(cluster.dir, 'small-tree');
  await writeTree(local, files);
  const client = cluster.client();

  const put = await cluster.cli(['put', local, '/small']);
  assert.equal(put.code, 0, put.stderr);
  assert.equal(put.stderr, '');
  await assertTreeEqual(client, '/small', files);

  const copy = await cluster.cli(['cp', '-r', '/small', '/small-copy']);
  assert.equal(copy.code, 0, copy.stderr);
  await assertTreeEqual(client, '/small-copy', files);

  // Over existing targets: refused without -f, replaced with it.
  const again = await cluster.cli(['cp', '-r', '/small/edge', '/small-copy']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /File exists/);
  const changed = randomBytes(700);
  await writeFile(join(local, 'edge/e4-513'), changed);
  const forced = await cluster.cli(['put', '-f', join(local, 'edge/e4-513'), '/small-copy/edge/e4-513']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.ok((await client.readFile('/small-copy/edge/e4-513')).equals(changed));

  const back = join(cluster.dir, 'small-back');
  const get = await cluster.cli(['get', '/small', back]);
  assert.equal(get.code, 0, get.stderr);
  for (const [relative, data] of files) assert.ok((await readFile(join(back, relative))).equals(data), relative);
  assert.deepEqual((await readdir(join(back, 'edge'))).sort(), [...files.keys()].filter((key) => key.startsWith('edge/')).map((key) => key.slice(5)).sort());
});

test('a datanode killed during a put of many small files: every file not reported failed is complete and identical, no ._COPYING_ left', async () => {
  const files = new Map<string, Buffer>();
  for (let index = 0; index < 600; index++) files.set(`f${String(index).padStart(4, '0')}`, randomBytes(4096));
  const local = join(cluster.dir, 'kill-tree');
  await writeTree(local, files);
  const client = cluster.client();

  const put = cluster.cli(['put', local, '/killed']);
  await waitUntil('the put has copied some files', 60_000, async () => {
    const listed = await client.rpc('listing', { path: '/killed' }).catch(() => null);
    return (listed?.entries.length ?? 0) >= 60;
  });
  await cluster.datanode(1).kill('SIGKILL');
  const result = await put;
  const failed = new Set([...result.stderr.matchAll(/`\/killed\/(f\d+)'/g)].map((match) => match[1]));
  if (result.code === 0) assert.equal(result.stderr, '');
  else {
    // Every failure names its file, so the user knows which ones to put again.
    const lines = result.stderr.split('\n').filter((line) => line !== '');
    assert.ok(lines.length > 0 && lines.every((line) => /^put: `\/killed\/f\d+'/.test(line)), `exit ${result.code}, not every failure names a file: ${result.stderr}`);
  }

  const found = await remoteFiles(client, '/killed');
  assert.deepEqual(found.filter((path) => path.endsWith('._COPYING_')), [], 'no temporary file left');
  for (const [name, data] of files) {
    if (failed.has(name)) continue;
    const status = await client.stat(`/killed/${name}`);
    assert.equal(status.underConstruction, false, name);
    assert.ok((await client.readFile(`/killed/${name}`)).equals(data), `${name} differs`);
  }
});

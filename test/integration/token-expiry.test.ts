// Block tokens that run out in the middle of a transfer: with a token lifetime of ~1 s
// (dfs.block.access.token.lifetime in minutes, fractions allowed), a read that pauses
// between blocks past the expiry gets a fresh token from the namenode and returns the right
// bytes, and a write that pauses mid-block finishes (tokens are checked when a pipeline is
// set up, and every set-up asks the namenode for a fresh one).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Cluster, startCluster } from '../helpers/cluster.js';

const lifetimeMinutes = 0.02; // 1.2 s
const pastExpiryMs = 2_000;
const blockSize = 1024 * 1024;
const content = randomBytes(3 * blockSize + 777);
let cluster: Cluster;

before(async () => {
  cluster = await startCluster({ datanodes: 1, config: { 'dfs.blocksize': '1m', 'dfs.replication': '1', 'dfs.block.access.token.lifetime': String(lifetimeMinutes) } });
});

after(async () => {
  await cluster?.stop();
});

function get(address: string, path: string, token: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(`http://${address}${path}`, { headers: { authorization: `Bearer ${token}` } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      })
      .on('error', reject);
  });
}

test('a write that pauses mid-block past the token lifetime completes', async () => {
  const client = cluster.client();
  const stream = client.createWriteStream('/slow.bin');
  const done = new Promise<void>((resolve, reject) => stream.on('finish', resolve).on('error', reject));
  const half = Math.floor(content.length / 2); // inside the second block
  stream.write(content.subarray(0, half));
  await sleep(pastExpiryMs);
  stream.end(content.subarray(half));
  await done;
  assert.ok((await client.readFile('/slow.bin')).equals(content));
});

test('a read that pauses between blocks past the token lifetime refetches its tokens and returns the right bytes', async () => {
  const client = cluster.client();
  const { blocks } = await client.rpc('getBlockLocations', { path: '/slow.bin' });
  const second = blocks[1];
  assert.ok(second && blocks.length === 4);
  const reader = client.createReadStream('/slow.bin')[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  const first = await reader.next();
  assert.equal(first.done, false);
  chunks.push(first.value as Buffer);
  await sleep(pastExpiryMs);
  // The tokens the reader holds for the later blocks have expired by now: a datanode refuses them.
  const stale = await get(cluster.datanode(0).address, `/blocks/${second.block.id}?genStamp=${second.block.genStamp}&offset=0&length=10`, second.token);
  assert.equal(stale.status, 403);
  assert.match(stale.text, /expired/);
  for (let next = await reader.next(); !next.done; next = await reader.next()) chunks.push(next.value as Buffer);
  assert.ok(Buffer.concat(chunks).equals(content), 'the bytes read back are the bytes written');
});

// Writes survive a datanode dying mid-block: the pipeline recovers on the survivors and
// the file reads back identical.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Cluster, startCluster, waitUntil } from '../helpers/cluster.js';
import { sha256OfFile, writeRandomFile } from '../helpers/files.js';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster({ datanodes: 3, config: { 'dfs.blocksize': '16m' } });
});
after(async () => {
  await cluster?.stop();
});

test('a datanode killed with SIGKILL during a 200 MiB put does not fail the put, and the file reads back identical', async () => {
  const local = join(cluster.dir, 'input.bin');
  const digest = await writeRandomFile(local, 200 * 1024 * 1024);
  const put = cluster.cli(['put', local, '/survivor.bin']);
  const watcher = cluster.client();
  await waitUntil('the put has written some blocks', 60_000, async () => {
    const located = await watcher.rpc('getBlockLocations', { path: '/survivor.bin' }).catch(() => null);
    return (located?.blocks.length ?? 0) >= 3;
  });
  await cluster.datanode(1).kill('SIGKILL');
  const result = await put;
  assert.equal(result.code, 0, `put failed: ${result.stderr}`);

  const back = join(cluster.dir, 'output.bin');
  const get = await cluster.cli(['get', '/survivor.bin', back]);
  assert.equal(get.code, 0, get.stderr);
  assert.equal(await sha256OfFile(back), digest);

  const status = await watcher.stat('/survivor.bin');
  assert.equal(status.length, 200 * 1024 * 1024);
  assert.equal(status.underConstruction, false);
});

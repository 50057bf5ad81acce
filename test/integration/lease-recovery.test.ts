// A writer that dies never leaves its file open for ever: after the hard lease limit the
// namenode closes the file with the blocks its datanodes finished, and readers see them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { type Cluster, cliPath, startCluster, waitUntil } from '../helpers/cluster.js';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster({
    datanodes: 2,
    config: { 'dfs.blocksize': '1m', 'dfs.replication': '2', 'tsdfs.lease.soft-limit.ms': '1000', 'dfs.namenode.lease-hard-limit-sec': '3' },
  });
});
after(async () => {
  await cluster?.stop();
});

test('a writer killed mid-file: the namenode closes the file after the hard limit, keeping its finished blocks', async () => {
  const data = Buffer.alloc(2 * 1024 * 1024 + 300_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 0xff;
  const writer = spawn(process.execPath, [cliPath, 'put', '-', '/abandoned', '-fs', cluster.fsUri], { stdio: ['pipe', 'ignore', 'pipe'] });
  // The writer is killed with bytes still in its pipe; that EPIPE is the point, not a failure.
  writer.stdin.on('error', () => {});
  writer.stdin.write(data);
  const client = cluster.client();
  await waitUntil('two blocks are committed', 20_000, async () => {
    const located = await client.rpc('getBlockLocations', { path: '/abandoned._COPYING_' });
    return located.blocks.length >= 2;
  });
  writer.kill('SIGKILL');
  await once(writer, 'exit');

  const open = await client.stat('/abandoned._COPYING_');
  assert.equal(open.underConstruction, true, 'still open right after the writer died');
  await waitUntil('lease recovery closes the file', 20_000, async () => !(await client.stat('/abandoned._COPYING_')).underConstruction);

  const closed = await client.stat('/abandoned._COPYING_');
  assert.ok(closed.length >= 2 * 1024 * 1024, `kept the two finished blocks (length ${closed.length})`);
  assert.equal(closed.length % (1024 * 1024) === 0 || closed.length === data.length, true);
  const back = await client.readFile('/abandoned._COPYING_');
  assert.deepEqual(back, data.subarray(0, back.length), 'what was kept is exactly what was written');

  // The file is an ordinary closed file again: another writer may replace it at once.
  await client.writeFile('/abandoned._COPYING_', 'new owner', { overwrite: true });
  assert.equal((await client.readFile('/abandoned._COPYING_')).toString(), 'new owner');
});

// Replication work reaches its source datanode when the namenode decides it, not with the
// next heartbeat: with heartbeats an hour apart, raising a file's replication still
// completes, because the tick pushes the transfers and confirmed transfers bring the next tick.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Cluster, startCluster } from '../helpers/cluster.js';
import { sha256OfFile, writeRandomFile } from '../helpers/files.js';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster({
    datanodes: 3,
    config: {
      // After registration a datanode sends no heartbeat for the whole test.
      'dfs.heartbeat.interval': '3600',
      'dfs.namenode.heartbeat.recheck-interval': '36000000',
      'dfs.namenode.stale.datanode.interval': '36000000',
      'dfs.namenode.redundancy.interval.seconds': '1',
      'dfs.blocksize': '1m',
      'dfs.replication': '1',
    },
  });
});
after(async () => {
  await cluster?.stop();
});

test('setrep 3 completes with no heartbeat to carry the transfer commands', async () => {
  const local = join(cluster.dir, 'pushed.bin');
  const digest = await writeRandomFile(local, 5 * 1024 * 1024 + 77);
  const put = await cluster.cli(['put', local, '/pushed.bin']);
  assert.equal(put.code, 0, put.stderr);
  const setrep = await cluster.cli(['setrep', '3', '/pushed.bin']);
  assert.equal(setrep.code, 0, setrep.stderr);
  // Six blocks, one source each (replication 1), two streams per source: several rounds.
  await cluster.waitForReplication('/pushed.bin', 3, 60_000);
  const back = join(cluster.dir, 'back.bin');
  const get = await cluster.cli(['get', '/pushed.bin', back]);
  assert.equal(get.code, 0, get.stderr);
  assert.equal(await sha256OfFile(back), digest);
});

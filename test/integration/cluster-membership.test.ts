// Who may join and who may write: a datanode of another cluster is refused with both
// cluster ids in the message; two writers on one file get a LeaseConflict.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Cluster, ServerProcess, runCli, startCluster, waitUntil } from '../helpers/cluster.js';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster({ datanodes: 1 });
});
after(async () => {
  await cluster?.stop();
});

test('two writers on one file: the second gets LeaseConflict and the first one finishes its file', async () => {
  const first = cluster.client();
  const second = cluster.client();
  const stream = first.createWriteStream('/contended.txt');
  stream.write('first writer\n');
  // The first writer's create (and lease) reaches the namenode before the second tries.
  await waitUntil('the first writer created the file', 10_000, () => second.exists('/contended.txt'));
  await assert.rejects(second.writeFile('/contended.txt', 'second writer\n', { overwrite: true }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'LeaseConflict');
    return true;
  });
  stream.end('done\n');
  await new Promise<void>((resolve, reject) => {
    stream.on('finish', () => resolve());
    stream.on('error', reject);
  });
  assert.equal((await first.readFile('/contended.txt')).toString(), 'first writer\ndone\n');
});

test('a datanode from another cluster is refused, with both cluster ids in the message', async () => {
  const oldClusterId = (await cluster.client().rpc('getServerDefaults', {})).clusterId;
  const handle = cluster.datanode(0);
  await handle.kill('SIGTERM');
  await cluster.namenode.kill('SIGTERM');
  const reformat = await runCli(['namenode', '-format', '-force', ...Object.entries(cluster.namenodeConfig()).flatMap(([k, v]) => ['-D', `${k}=${v}`])]);
  assert.equal(reformat.code, 0, reformat.stderr);
  await cluster.startNamenode();
  const newClusterId = (await cluster.client().rpc('getServerDefaults', {})).clusterId;
  assert.notEqual(newClusterId, oldClusterId);

  const started = await ServerProcess.start(
    ['datanode', ...Object.entries(cluster.datanodeConfig(handle.dataDir)).flatMap(([k, v]) => ['-D', `${k}=${v}`])],
    'foreign datanode',
  ).catch((error: Error) => error);
  // Either it never listens, or it listens and then exits once the namenode refuses it.
  let stderr: string;
  if (started instanceof Error) {
    stderr = started.message;
  } else {
    const code = await Promise.race([started.exited(), new Promise((resolve) => setTimeout(() => resolve('still running'), 15_000))]);
    if (code === 'still running') await started.kill();
    assert.equal(code, 1, 'the refused datanode exits with status 1');
    stderr = started.stderrLines.join('');
  }
  assert.match(stderr, new RegExp(oldClusterId));
  assert.match(stderr, new RegExp(newClusterId));
  const report = await cluster.client().rpc('datanodeReport', { type: 'live' });
  assert.equal(report.live.length, 0);
});

// The `tsdfs` command as a user meets it: what it prints and how it exits (0 success,
// 1 failure with one line `<cmd>: <message>`, 255 usage error), against a real cluster.
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Cluster, startCluster } from '../helpers/cluster.js';

let cluster: Cluster;
/** The namenode's OS user (the superuser), whatever the test runner's environment says. */
const admin = { TSDFS_USER_NAME: '', HADOOP_USER_NAME: '' };
before(async () => {
  cluster = await startCluster({ datanodes: 3 });
  // As an HDFS admin does for a new user: a home directory the user owns.
  assert.equal((await cluster.cli(['mkdir', '-p', '/user/alice'], { env: admin })).code, 0);
  assert.equal((await cluster.cli(['chown', 'alice', '/user/alice'], { env: admin })).code, 0);
});
after(async () => {
  await cluster?.stop();
});

const env = { TSDFS_USER_NAME: 'alice' };

test('mkdir, put, ls, cat, get: the everyday round trip', async () => {
  const local = join(cluster.dir, 'hello.txt');
  await writeFile(local, 'hello tsdfs\n');
  assert.equal((await cluster.cli(['mkdir', '-p', '/user/alice/docs'], { env })).code, 0);
  const put = await cluster.cli(['put', local, 'docs/'], { env });
  assert.equal(put.code, 0, put.stderr);

  const ls = await cluster.cli(['ls', '/user/alice/docs'], { env });
  assert.equal(ls.code, 0, ls.stderr);
  assert.match(ls.stdout, /^Found 1 items\n/);
  assert.match(ls.stdout, /^-rw-r--r-- +3 alice +\S+ +12 \d{4}-\d\d-\d\d \d\d:\d\d \/user\/alice\/docs\/hello\.txt$/m);

  const cat = await cluster.cli(['dfs', '-cat', '/user/alice/docs/hello.txt'], { env });
  assert.equal(cat.code, 0);
  assert.equal(cat.stdout, 'hello tsdfs\n');

  const back = join(cluster.dir, 'hello.back');
  assert.equal((await cluster.cli(['get', 'docs/hello.txt', back], { env })).code, 0);
  assert.equal(await readFile(back, 'utf8'), 'hello tsdfs\n');
});

test('put honours -D dfs.replication and -D dfs.blocksize as HDFS clients do; without them the namenode decides', async () => {
  const local = join(cluster.dir, 'two-blocks.bin');
  await writeFile(local, Buffer.alloc(1536 * 1024, 7));
  const put = await cluster.cli(['put', '-D', 'dfs.replication=1', '-Ddfs.blocksize=1048576', local, '/user/alice/one-copy.bin'], { env });
  assert.equal(put.code, 0, put.stderr);
  const chosen = JSON.parse((await cluster.cli(['stat', '--json', '/user/alice/one-copy.bin'], { env })).stdout);
  assert.equal(chosen.replication, 1);
  assert.equal(chosen.blockSize, 1048576);
  const locations = await cluster.client().rpc('getBlockLocations', { path: '/user/alice/one-copy.bin', offset: 0, length: 1536 * 1024 });
  assert.equal(locations.blocks.length, 2);
  for (const block of locations.blocks) assert.equal(block.locations.length, 1);

  assert.equal((await cluster.cli(['put', local, '/user/alice/default-copies.bin'], { env })).code, 0);
  const defaults = JSON.parse((await cluster.cli(['stat', '--json', '/user/alice/default-copies.bin'], { env })).stdout);
  assert.equal(defaults.replication, 3);
  assert.equal(defaults.blockSize, 134217728);

  const refused = await cluster.cli(['put', '-D', 'dfs.replication=0', local, '/user/alice/none.bin'], { env });
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  assert.match(refused.stderr, /dfs\.replication/);
  assert.equal((await cluster.cli(['test', '-e', '/user/alice/none.bin'], { env })).code, 1);
  // The later tests list alice's home and expect only their own files there.
  assert.equal((await cluster.cli(['rm', '/user/alice/one-copy.bin', '/user/alice/default-copies.bin'], { env })).code, 0);
});

test('errors are one line on stderr with exit 1; usage errors exit 255', async () => {
  const missing = await cluster.cli(['ls', '/nope'], { env });
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
  assert.match(missing.stderr, /^ls: `\/nope': No such file or directory/);

  const again = await cluster.cli(['mkdir', '/user/alice/docs'], { env });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /mkdir: `\/user\/alice\/docs': File exists/);

  const dir = await cluster.cli(['rm', '/user/alice/docs'], { env });
  assert.equal(dir.code, 1);
  assert.match(dir.stderr, /rm: `\/user\/alice\/docs': Is a directory/);

  const usage = await cluster.cli(['setrep'], { env });
  assert.equal(usage.code, 255);
  const unknown = await cluster.cli(['frobnicate'], { env });
  assert.equal(unknown.code, 255);

  const badPath = await cluster.cli(['mkdir', '/a/../b'], { env });
  assert.equal(badPath.code, 1);
  assert.doesNotMatch(badPath.stderr, /at .*\.js/, 'no stack trace');
});

test('test, stat --json, ls --json, touchz, mv, cp, rm speak the documented shapes', async () => {
  assert.equal((await cluster.cli(['test', '-e', '/user/alice/docs/hello.txt'], { env })).code, 0);
  assert.equal((await cluster.cli(['test', '-d', '/user/alice/docs/hello.txt'], { env })).code, 1);
  assert.equal((await cluster.cli(['test', '-e', '/nothing'], { env })).code, 1);

  assert.equal((await cluster.cli(['touchz', '/user/alice/empty'], { env })).code, 0);
  assert.equal((await cluster.cli(['test', '-z', '/user/alice/empty'], { env })).code, 0);

  const stat = await cluster.cli(['stat', '--json', '/user/alice/docs/hello.txt'], { env });
  assert.equal(stat.code, 0, stat.stderr);
  const status = JSON.parse(stat.stdout);
  for (const key of ['path', 'type', 'length', 'replication', 'blockSize', 'owner', 'group', 'permission', 'modificationTime', 'accessTime']) {
    assert.ok(key in status, `stat --json has ${key}`);
  }
  assert.equal(status.type, 'file');
  assert.equal(status.permission, '644');
  assert.equal(status.owner, 'alice');

  const ls = await cluster.cli(['ls', '--json', '/user/alice'], { env });
  const entries = JSON.parse(ls.stdout) as Array<{ path: string; type: string }>;
  assert.deepEqual(entries.map((e) => [e.path, e.type]), [
    ['/user/alice/docs', 'directory'],
    ['/user/alice/empty', 'file'],
  ]);

  const mv = await cluster.cli(['mv', '/user/alice/empty', '/user/alice/docs/'], { env });
  assert.equal(mv.code, 0, mv.stderr);
  const cp = await cluster.cli(['cp', '/user/alice/docs/hello.txt', '/user/alice/copy.txt'], { env });
  assert.equal(cp.code, 0, cp.stderr);
  assert.equal((await cluster.cli(['cat', '/user/alice/copy.txt'], { env })).stdout, 'hello tsdfs\n');
  assert.equal((await cluster.cli(['test', '-e', '/user/alice/docs/empty'], { env })).code, 0);

  const rm = await cluster.cli(['rm', '-r', '/user/alice/docs'], { env });
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal((await cluster.cli(['test', '-e', '/user/alice/docs'], { env })).code, 1);
  assert.equal((await cluster.cli(['rm', '-f', '/user/alice/never-was'], { env })).code, 0);
});

test('du, count, df, chmod, chown, tail, checksum print what HDFS users expect', async () => {
  const dir = join(cluster.dir, 'tree');
  await mkdir(join(dir, 'sub'), { recursive: true });
  await writeFile(join(dir, 'a'), 'a'.repeat(1000));
  await writeFile(join(dir, 'sub', 'b'), 'b'.repeat(2000));
  // Top-level directories are the superuser's to make; changing owners too (as in HDFS).
  const put = await cluster.cli(['put', dir, '/tree'], { env: admin });
  assert.equal(put.code, 0, put.stderr);

  const du = await cluster.cli(['du', '-s', '/tree'], { env });
  assert.match(du.stdout, /^3000\s+9000\s+\/tree$/m);
  const count = await cluster.cli(['count', '/tree'], { env });
  assert.match(count.stdout, /^\s*2\s+2\s+3000 \/tree$/m);
  const df = await cluster.cli(['df', '-h'], { env });
  assert.match(df.stdout, /^Filesystem\s+Size\s+Used\s+Available\s+Use%/);

  assert.equal((await cluster.cli(['chmod', '600', '/tree/a'], { env: admin })).code, 0);
  assert.equal((await cluster.cli(['chown', 'bob:staff', '/tree/a'], { env: admin })).code, 0);
  const ls = await cluster.cli(['ls', '/tree/a'], { env });
  assert.match(ls.stdout, /^-rw------- +3 bob +staff +1000 /m);

  const tail = await cluster.cli(['tail', '/tree/sub/b'], { env });
  assert.equal(tail.stdout, 'b'.repeat(1024));
  // /tree/a is bob's and 600 now: only he or the superuser may read it.
  const checksum = await cluster.cli(['checksum', '/tree/a'], { env: admin });
  assert.equal(checksum.code, 0, checksum.stderr);
  assert.match(checksum.stdout, /^\/tree\/a\s+\S+\s+[0-9a-f]+$/m);
});

test('dfsadmin -report and fsck in HDFS layout and as JSON', async () => {
  const report = await cluster.cli(['dfsadmin', '-report'], { env: admin });
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /^Configured Capacity: \d+/m);
  assert.match(report.stdout, /^Live datanodes \(3\):$/m);
  assert.match(report.stdout, /^Dead datanodes \(0\):$/m);
  assert.match(report.stdout, /^Decommissioning datanodes \(0\):$/m);
  for (const label of ['Under replicated blocks', 'Blocks with corrupt replicas', 'Missing blocks', 'Non DFS Used', 'DFS Remaining%', 'Num of Blocks', 'Last contact', 'Last Block Report']) {
    assert.match(report.stdout, new RegExp(`^${label}: `, 'm'), label);
  }
  assert.match(report.stdout, /^Name: 127\.0\.0\.1:\d+/m);
  assert.match(report.stdout, /^Decommission Status : Normal$/m);

  const json = JSON.parse((await cluster.cli(['dfsadmin', '-report', '--json'], { env: admin })).stdout);
  for (const key of ['safeMode', 'capacity', 'dfsUsed', 'remaining', 'underReplicatedBlocks', 'corruptBlocks', 'missingBlocks', 'live', 'dead', 'decommissioning']) {
    assert.ok(key in json, `report --json has ${key}`);
  }
  assert.equal(json.live.length, 3);
  for (const key of ['uuid', 'name', 'hostname', 'rack', 'adminState', 'capacity', 'dfsUsed', 'remaining', 'blocks', 'lastContactMs']) {
    assert.ok(key in json.live[0], `Datanode has ${key}`);
  }

  const fsck = await cluster.cli(['fsck', '/', '-files', '-blocks', '-locations'], { env });
  assert.equal(fsck.code, 0, fsck.stderr);
  assert.match(fsck.stdout, /Status: HEALTHY/);
  assert.match(fsck.stdout, /The filesystem under path '\/' is HEALTHY/);
  assert.match(fsck.stdout, /blk_\d+_\d+ len=\d+ Live_repl=3/);

  const safemode = await cluster.cli(['dfsadmin', '-safemode', 'get'], { env });
  assert.equal(safemode.stdout.trim(), 'Safe mode is OFF');
});

// Users and permissions on a real cluster, as HDFS has them: alice and bob each in their
// home directory; modes and ownership decide reading, writing, deleting and listing; the
// sticky bit guards /tmp; chmod / chown / chgrp follow HDFS's rules; the superuser (the
// namenode's OS user, or a member of supergroup) may do everything.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DfsClient } from '../../client-lib/index.js';
import { DfsError } from '../../protocol/errors.js';
import { type Cluster, startCluster } from '../helpers/cluster.js';

let cluster: Cluster;
let root: DfsClient;
let alice: DfsClient;
let bob: DfsClient;
let carol: DfsClient;
const admin = { TSDFS_USER_NAME: '', HADOOP_USER_NAME: '' };

before(async () => {
  cluster = await startCluster({
    datanodes: 1,
    // carol is an admin through supergroup; alice is in staff. Nobody here is an OS user.
    config: { 'dfs.replication': '1', 'hadoop.user.group.static.mapping.overrides': 'carol=supergroup;alice=staff' },
  });
  root = cluster.client();
  alice = cluster.client('alice');
  bob = cluster.client('bob');
  carol = cluster.client('carol');
  // What an HDFS admin does for new users: home directories they own, and a sticky /tmp.
  for (const user of ['alice', 'bob']) {
    await root.mkdir(`/user/${user}`, { parents: true });
    await root.chown(`/user/${user}`, user);
  }
  await root.mkdir('/tmp', { permission: '1777' });
});

after(async () => {
  await cluster?.stop();
});

async function denied(promise: Promise<unknown>, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof DfsError, String(error));
    assert.equal(error.code, 'AccessDenied', error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

test('alice works in her home; bob may look but not write there', async () => {
  await alice.writeFile('/user/alice/notes.txt', 'alice was here\n');
  assert.equal((await alice.stat('/user/alice/notes.txt')).owner, 'alice');
  assert.equal((await alice.stat('/user/alice/notes.txt')).permission, '644');
  assert.equal((await alice.stat('/user/alice/notes.txt')).group, 'supergroup', 'a new inode takes its parent directory group');
  assert.equal((await bob.readFile('/user/alice/notes.txt')).toString(), 'alice was here\n', '644: others may read');
  assert.deepEqual((await bob.ls('/user/alice')).map((entry) => entry.path), ['/user/alice/notes.txt']);

  await denied(bob.writeFile('/user/alice/from-bob', 'x'), /^Permission denied: user=bob, access=WRITE, inode="\/user\/alice":alice:supergroup:drwxr-xr-x$/);
  await denied(bob.mkdir('/user/alice/sub'));
  await denied(bob.rm('/user/alice/notes.txt'));
  await denied(bob.mv('/user/alice/notes.txt', '/user/bob/stolen'));
  await denied(bob.setReplication('/user/alice/notes.txt', 2));
  await denied(bob.writeFile('/top-level', 'x'), /inode="\/":/);
  assert.equal(await root.exists('/user/alice/from-bob'), false);
  assert.equal(await root.exists('/user/alice/notes.txt'), true);
});

test('a 600 file is unreadable by others; a 700 directory cannot be listed or traversed', async () => {
  await alice.writeFile('/user/alice/diary', 'secret\n');
  await alice.chmod('/user/alice/diary', '600');
  await denied(bob.readFile('/user/alice/diary'), /access=READ, inode="\/user\/alice\/diary":alice:supergroup:-rw-------/);
  assert.equal((await alice.readFile('/user/alice/diary')).toString(), 'secret\n');

  await alice.mkdir('/user/alice/private', { permission: '700' });
  await alice.writeFile('/user/alice/private/plan', 'plan\n');
  await denied(bob.ls('/user/alice/private'), /access=READ_EXECUTE/);
  await denied(bob.stat('/user/alice/private/plan'), /access=EXECUTE, inode="\/user\/alice\/private"/);
  await denied(bob.readFile('/user/alice/private/plan'));
  await denied(bob.contentSummary('/user/alice'));
  await denied(bob.rpc('fsck', { path: '/user/alice', files: true }));
  assert.equal((await alice.contentSummary('/user/alice')).fileCount, 3);
});

test('the owner may delete her own tree; bob may not delete it through recursion', async () => {
  await alice.mkdir('/user/alice/shared', { permission: '777' });
  await alice.mkdir('/user/alice/shared/locked', { permission: '755' });
  await alice.writeFile('/user/alice/shared/locked/f', 'f');
  // bob may write in shared (777), but the non-empty locked directory below is not his.
  await denied(bob.rm('/user/alice/shared/locked', { recursive: true }), /access=ALL, inode="\/user\/alice\/shared\/locked"/);
  await bob.writeFile('/user/alice/shared/bobs', 'b');
  assert.equal(await bob.rm('/user/alice/shared/bobs'), true);
  assert.equal(await alice.rm('/user/alice/shared', { recursive: true }), true);
});

test('in sticky /tmp everyone writes, but only owners (or the superuser) delete or rename', async () => {
  await alice.writeFile('/tmp/alice-file', 'a');
  await bob.writeFile('/tmp/bob-file', 'b');
  await denied(bob.rm('/tmp/alice-file'), /^Permission denied by sticky bit: user=bob/);
  await denied(bob.mv('/tmp/alice-file', '/tmp/renamed'), /sticky bit/);
  assert.equal(await bob.rm('/tmp/bob-file'), true);
  assert.equal(await alice.rm('/tmp/alice-file'), true);
  await bob.writeFile('/tmp/bob-again', 'b');
  assert.equal(await root.rm('/tmp/bob-again'), true, 'the superuser may');
});

test('chmod by the owner; chown by the superuser only; chgrp to a group of the caller', async () => {
  await alice.writeFile('/user/alice/owned', 'o');
  await denied(bob.chmod('/user/alice/owned', '777'), /user=bob is not the owner of inode=\/user\/alice\/owned/);
  await alice.chmod('/user/alice/owned', '640');
  await denied(alice.chown('/user/alice/owned', 'bob'), /non-super user cannot change owner/);
  await denied(alice.chown('/user/alice/owned', undefined, 'wheel'), /User alice does not belong to wheel/);
  await alice.chown('/user/alice/owned', undefined, 'staff');
  assert.equal((await root.stat('/user/alice/owned')).group, 'staff');
  await denied(bob.chown('/user/alice/owned', undefined, 'staff'), /not the owner/);
  await root.chown('/user/alice/owned', 'bob', 'bob');
  const status = await root.stat('/user/alice/owned');
  assert.deepEqual([status.owner, status.group, status.permission], ['bob', 'bob', '640']);
});

test('the superuser and supergroup members do everything; cluster administration is theirs alone', async () => {
  await alice.writeFile('/user/alice/locked', 'l');
  await alice.chmod('/user/alice/locked', '000');
  assert.equal((await root.readFile('/user/alice/locked')).toString(), 'l');
  assert.equal((await carol.readFile('/user/alice/locked')).toString(), 'l', 'carol is in supergroup');
  await carol.writeFile('/user/alice/from-carol', 'c');
  await carol.chown('/user/alice/from-carol', 'alice');

  await denied(bob.rpc('datanodeReport', { type: 'all' }), /Superuser privilege is required/);
  await denied(bob.rpc('setSafeMode', { action: 'enter' }), /Superuser privilege is required/);
  await denied(bob.rpc('refreshNodes', {}), /Superuser privilege is required/);
  assert.equal((await bob.rpc('setSafeMode', { action: 'get' })).safeMode, false, 'anyone may ask');
  assert.equal((await carol.rpc('datanodeReport', { type: 'live' })).live.length, 1);
});

test('the shell: relative paths land in /user/<name>; errors read as HDFS prints them', async () => {
  const env = { TSDFS_USER_NAME: 'bob' };
  const mkdir = await cluster.cli(['mkdir', 'projects'], { env });
  assert.equal(mkdir.code, 0, mkdir.stderr);
  assert.equal((await root.stat('/user/bob/projects')).owner, 'bob');
  const intrude = await cluster.cli(['mkdir', '/user/alice/bobs'], { env });
  assert.equal(intrude.code, 1);
  assert.match(intrude.stderr, /^mkdir: Permission denied: user=bob, access=WRITE, inode="\/user\/alice":alice:supergroup:drwxr-xr-x$/m);
  const chown = await cluster.cli(['chown', 'bob', '/user/alice'], { env });
  assert.equal(chown.code, 1);
  const adminChgrp = await cluster.cli(['chgrp', '-R', 'staff', '/user/bob'], { env: admin });
  assert.equal(adminChgrp.code, 0, adminChgrp.stderr);
  assert.equal((await root.stat('/user/bob/projects')).group, 'staff');
});

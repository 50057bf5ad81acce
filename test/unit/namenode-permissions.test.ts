// The pure permission checker (HDFS's model) and the group sources: owner / group / other
// classes, superusers, the sticky bit, owner and group changes, HDFS's messages, and
// /etc/passwd + /etc/group parsing with static overrides.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type CallerIdentity,
  FsAction,
  type InodeView,
  checkAccess,
  checkOwner,
  checkOwnerChange,
  checkStickyBit,
  checkSuperuser,
  isAllowed,
  symbolicMode,
} from '../../namenode/namespace/permission-checker.js';
import { newInodeMode, defaultDirectoryMode, defaultFileMode, parseUmask } from '../../namenode/namespace/permission.js';
import { osGroupLookup, parseOsGroups, parseStaticGroupMapping } from '../../namenode/namespace/user-groups.js';
import { DfsError } from '../../protocol/errors.js';

const alice: CallerIdentity = { user: 'alice', groups: ['alice', 'staff'], superuser: false };
const bob: CallerIdentity = { user: 'bob', groups: ['bob'], superuser: false };
const carol: CallerIdentity = { user: 'carol', groups: ['staff'], superuser: false };
const root: CallerIdentity = { user: 'root', groups: [], superuser: true };

const home: InodeView = { path: '/user/alice', type: 'directory', owner: 'alice', group: 'supergroup', mode: 0o755 };
const secret: InodeView = { path: '/user/alice/secret', type: 'file', owner: 'alice', group: 'staff', mode: 0o640 };
const tmp: InodeView = { path: '/tmp', type: 'directory', owner: 'root', group: 'supergroup', mode: 0o1777 };

function deniedWith(action: () => void, message: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof DfsError);
    assert.equal(error.code, 'AccessDenied');
    assert.equal(error.status, 403);
    assert.match(error.message, message);
    return true;
  });
}

test('the owner class, then the group class, then others decide; superusers always pass', () => {
  assert.ok(isAllowed(home, alice, FsAction.ALL));
  assert.ok(isAllowed(home, bob, FsAction.READ_EXECUTE));
  assert.ok(!isAllowed(home, bob, FsAction.WRITE));
  assert.ok(isAllowed(secret, carol, FsAction.READ), 'staff may read');
  assert.ok(!isAllowed(secret, carol, FsAction.WRITE));
  assert.ok(!isAllowed(secret, bob, FsAction.READ), 'others may not');
  assert.ok(isAllowed(secret, root, FsAction.ALL));
  // The owner class applies even when it grants less than the group class would.
  const ownerLocked: InodeView = { ...secret, mode: 0o070 };
  assert.ok(!isAllowed(ownerLocked, alice, FsAction.READ));
});

test('a denial names user, access and inode as HDFS does', () => {
  deniedWith(() => checkAccess(home, bob, FsAction.WRITE), /^Permission denied: user=bob, access=WRITE, inode="\/user\/alice":alice:supergroup:drwxr-xr-x$/);
  deniedWith(() => checkAccess(secret, bob, FsAction.READ_EXECUTE), /access=READ_EXECUTE, inode="\/user\/alice\/secret":alice:staff:-rw-r-----/);
});

test('symbolic modes show the sticky bit as t / T', () => {
  assert.equal(symbolicMode('directory', 0o1777), 'drwxrwxrwt');
  assert.equal(symbolicMode('directory', 0o1776), 'drwxrwxrwT');
  assert.equal(symbolicMode('file', 0o600), '-rw-------');
});

test('in a sticky directory only the entry owner, the directory owner or a superuser may remove', () => {
  const bobsFile: InodeView = { path: '/tmp/b', type: 'file', owner: 'bob', group: 'supergroup', mode: 0o666 };
  checkStickyBit(tmp, bobsFile, bob);
  checkStickyBit(tmp, bobsFile, root);
  checkStickyBit({ ...tmp, owner: 'alice' }, bobsFile, alice);
  deniedWith(() => checkStickyBit(tmp, bobsFile, alice), /^Permission denied by sticky bit: user=alice, path="\/tmp\/b":bob:supergroup:-rw-rw-rw-, parent="\/tmp":root:supergroup:drwxrwxrwt$/);
  // Without the sticky bit, write on the directory is all that counts.
  checkStickyBit({ ...tmp, mode: 0o777 }, bobsFile, alice);
});

test('chmod is for the owner or a superuser; chown only for superusers; chgrp to own groups', () => {
  checkOwner(home, alice);
  checkOwner(home, root);
  deniedWith(() => checkOwner(home, bob), /user=bob is not the owner of inode=\/user\/alice/);
  checkOwnerChange(secret, alice, undefined, 'alice');
  checkOwnerChange(secret, alice, 'alice', 'staff');
  deniedWith(() => checkOwnerChange(secret, alice, 'bob', undefined), /non-super user cannot change owner/);
  deniedWith(() => checkOwnerChange(secret, alice, undefined, 'wheel'), /User alice does not belong to wheel/);
  deniedWith(() => checkOwnerChange(secret, bob, undefined, 'bob'), /not the owner/);
  checkOwnerChange(secret, root, 'bob', 'wheel');
});

test('cluster administration needs a superuser', () => {
  checkSuperuser(root, 'refreshNodes');
  deniedWith(() => checkSuperuser(bob, 'refreshNodes'), /Access denied for user bob\. Superuser privilege is required/);
});

test('new inodes: 666 / 777 minus the umask, as HDFS; explicit permissions as given', () => {
  assert.equal(newInodeMode(undefined, defaultFileMode, parseUmask('022')), 0o644);
  assert.equal(newInodeMode(undefined, defaultDirectoryMode, parseUmask('022')), 0o755);
  assert.equal(newInodeMode(undefined, defaultFileMode, parseUmask('077')), 0o600);
  assert.equal(newInodeMode(undefined, defaultDirectoryMode, parseUmask('002')), 0o775);
  assert.equal(newInodeMode('1777', defaultDirectoryMode, parseUmask('022')), 0o1777);
});

test('groups come from /etc/passwd (primary) and /etc/group (supplementary); unknown users have none', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n# comment\n';
  const group = 'root:x:0:\nalice:x:1000:\nstaff:x:50:alice,bob\nsupergroup:x:900:carol\n';
  const groups = parseOsGroups(passwd, group);
  assert.deepEqual(groups.get('alice'), ['alice', 'staff']);
  assert.deepEqual(groups.get('root'), ['root']);
  assert.deepEqual(groups.get('bob'), ['staff'], 'a member without a passwd line');
  assert.equal(groups.get('mallory'), undefined);

  let reads = 0;
  let now = 0;
  const files: Record<string, string> = { '/etc/passwd': passwd, '/etc/group': group };
  const lookup = osGroupLookup({
    staticMapping: 'dave=supergroup,dev; bob=;',
    readFile: (path) => {
      reads++;
      return files[path] ?? '';
    },
    clock: () => now,
    refreshMs: 1000,
  });
  assert.deepEqual(lookup('alice'), ['alice', 'staff']);
  assert.deepEqual(lookup('carol'), ['supergroup']);
  assert.deepEqual(lookup('dave'), ['supergroup', 'dev'], 'static overrides first');
  assert.deepEqual(lookup('bob'), [], 'an override may take every group away');
  assert.deepEqual(lookup('mallory'), []);
  assert.equal(reads, 2, 'the files are read once and cached');
  now = 5000;
  lookup('alice');
  assert.equal(reads, 4, 're-read after the refresh period');
  assert.deepEqual(parseStaticGroupMapping('a=x,y;;=z;b='), new Map([['a', ['x', 'y']], ['b', []]]));
});

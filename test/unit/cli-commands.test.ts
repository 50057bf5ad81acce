// The file shell and admin commands run in-process against an in-memory file system that
// behaves like the namenode (same errors, same statuses): what they print, how they fail,
// and what they leave behind.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { crc32c } from '@node-rs/crc32';
import { runCli } from '../../cli/run.js';
import { largeFileBytes, largeFileConcurrency } from '../../cli/shell/transfer.js';
import type { ShellClient } from '../../cli/shell/client.js';
import { datanodeArgs, formatArgs, namenodeArgs, planClusterLayout } from '../../cli/commands/server/cluster-plan.js';
import { loadConfig } from '../../config/index.js';
import type { DatanodeReport, FsckReport, RpcMethod, RpcRequest, RpcResponse } from '../../protocol/client-namenode.js';
import type { FileStatus } from '../../protocol/common.js';
import { DfsError } from '../../protocol/errors.js';
import { baseName, isSameOrDescendant, joinPath, normalizePath, parentPath } from '../../protocol/paths.js';

interface Node {
  status: FileStatus;
  data: Buffer;
}

/** Just enough namenode for the shell: a map of path → status and bytes. */
class MemoryFileSystem implements ShellClient {
  readonly user = 'alice';
  readonly nodes = new Map<string, Node>();
  private nextId = 1;
  rpcReplies: Partial<Record<RpcMethod, unknown>> = {};
  /** Paths whose `create` the namenode refuses (a directory in the way, no permission). */
  readonly refusedCreates = new Set<string>();

  constructor() {
    this.put('/', 'directory');
    this.put('/user', 'directory');
    this.put('/user/alice', 'directory');
  }

  put(path: string, type: 'file' | 'directory', data = Buffer.alloc(0)): void {
    this.nodes.set(path, {
      data,
      status: {
        path,
        type,
        length: data.length,
        replication: type === 'file' ? 3 : 0,
        blockSize: type === 'file' ? 134217728 : 0,
        owner: this.user,
        group: 'supergroup',
        permission: type === 'file' ? '644' : '755',
        modificationTime: Date.UTC(2026, 10, 21, 15, 13),
        accessTime: 0,
        fileId: this.nextId++,
        childrenNum: 0,
        underConstruction: false,
      },
    });
  }

  homeDirectory(): string {
    return '/user/alice';
  }
  resolve(path: string): string {
    const uri = /^tsdfs:\/\/[^/]*(\/.*)?$/.exec(path);
    if (uri) return normalizePath(uri[1] ?? '/');
    return normalizePath(path.startsWith('/') ? path : `/user/alice/${path}`);
  }
  async rpc<M extends RpcMethod>(method: M, _request: RpcRequest<M>): Promise<RpcResponse<M>> {
    const reply = this.rpcReplies[method];
    if (reply === undefined) throw new DfsError('InvalidRequest', `no fake reply for ${method}`);
    return reply as RpcResponse<M>;
  }
  private node(path: string): Node {
    const node = this.nodes.get(this.resolve(path));
    if (!node) throw new DfsError('FileNotFound', `File does not exist: ${path}`);
    return node;
  }
  async stat(path: string): Promise<FileStatus> {
    return { ...this.node(path).status };
  }
  async exists(path: string): Promise<boolean> {
    return this.nodes.has(this.resolve(path));
  }
  async *list(path: string): AsyncGenerator<FileStatus> {
    const directory = this.resolve(path);
    if (this.node(directory).status.type !== 'directory') throw new DfsError('PathIsNotDirectory', directory);
    const children = [...this.nodes.keys()].filter((candidate) => candidate !== '/' && parentPath(candidate) === directory).sort();
    for (const child of children) yield { ...(this.nodes.get(child) as Node).status };
  }
  private requireParent(path: string): void {
    const parent = this.nodes.get(parentPath(path));
    if (!parent) throw new DfsError('FileNotFound', `Parent does not exist: ${path}`);
    if (parent.status.type !== 'directory') throw new DfsError('ParentNotDirectory', path);
  }
  async mkdir(path: string, options: { parents?: boolean } = {}): Promise<void> {
    const resolved = this.resolve(path);
    if (options.parents && resolved !== '/' && !this.nodes.has(parentPath(resolved))) await this.mkdir(parentPath(resolved), options);
    if (this.nodes.has(resolved)) return;
    this.requireParent(resolved);
    this.put(resolved, 'directory');
  }
  async rm(path: string, options: { recursive?: boolean } = {}): Promise<boolean> {
    const resolved = this.resolve(path);
    if (!this.nodes.has(resolved)) return false;
    const below = [...this.nodes.keys()].filter((candidate) => candidate !== resolved && isSameOrDescendant(resolved, candidate));
    if (below.length > 0 && !options.recursive) throw new DfsError('PathIsNotEmptyDirectory', resolved);
    for (const candidate of [resolved, ...below]) this.nodes.delete(candidate);
    return true;
  }
  async mv(src: string, dst: string): Promise<string> {
    const from = this.resolve(src);
    let to = this.resolve(dst);
    if (this.nodes.get(to)?.status.type === 'directory') to = joinPath(to, baseName(from));
    if (this.nodes.has(to)) throw new DfsError('FileAlreadyExists', to);
    this.requireParent(to);
    for (const [path, node] of [...this.nodes]) {
      if (!isSameOrDescendant(from, path)) continue;
      const moved = to + path.slice(from.length);
      this.nodes.delete(path);
      this.nodes.set(moved, { ...node, status: { ...node.status, path: moved } });
    }
    return to;
  }
  async setReplication(path: string, replication: number): Promise<void> {
    this.node(path).status.replication = replication;
  }
  async chmod(path: string, permission: string): Promise<void> {
    this.node(path).status.permission = permission;
  }
  async chown(path: string, owner?: string, group?: string): Promise<void> {
    const { status } = this.node(path);
    if (owner) status.owner = owner;
    if (group) status.group = group;
  }
  async contentSummary(path: string): Promise<RpcResponse<'getContentSummary'>> {
    const root = this.resolve(path);
    const below = [...this.nodes.values()].filter((node) => isSameOrDescendant(root, node.status.path));
    const files = below.filter((node) => node.status.type === 'file');
    const length = files.reduce((sum, node) => sum + node.data.length, 0);
    return {
      length,
      fileCount: files.length,
      directoryCount: below.length - files.length,
      spaceConsumed: files.reduce((sum, node) => sum + node.data.length * node.status.replication, 0),
      quota: -1,
      spaceQuota: -1,
    };
  }
  createWriteStream(path: string, options: { overwrite?: boolean; renameTo?: string } = {}): Writable {
    const resolved = this.resolve(path);
    const existing = this.nodes.get(resolved);
    const chunks: Buffer[] = [];
    if (this.refusedCreates.has(resolved)) {
      // As DfsClient's stream: `create` goes out when the stream is made, its refusal comes
      // back a round trip later as the stream's 'error', whether anyone listens yet or not.
      return new Writable({
        construct: (callback) => setImmediate(() => callback(new DfsError('AccessDenied', `Permission denied: ${resolved}`))),
        write: (_chunk: Buffer, _encoding, callback) => callback(),
      });
    }
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        chunks.push(chunk);
        callback();
      },
      final: (callback) => {
        try {
          if (existing && !options.overwrite) throw new DfsError('FileAlreadyExists', resolved);
          this.requireParent(resolved);
          this.put(resolved, 'file', Buffer.concat(chunks));
        } catch (error) {
          callback(error as Error);
          return;
        }
        // As the namenode's complete with renameTo: the rename's refusal fails the write.
        if (options.renameTo === undefined) callback();
        else this.mv(resolved, options.renameTo).then(() => callback(), callback);
      },
    });
  }
  createReadStream(path: string, options: { start?: number } = {}): Readable {
    const node = this.node(path);
    return Readable.from([node.data.subarray(options.start ?? 0)]);
  }
  async close(): Promise<void> {}
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

let localDir: string;
before(async () => {
  localDir = await mkdtemp(join(tmpdir(), 'tsdfs-cli-'));
});
after(async () => {
  await rm(localDir, { recursive: true, force: true });
});

async function tsdfs(fs: MemoryFileSystem, ...argv: string[]): Promise<Outcome> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await runCli(argv, {
    stdin: Readable.from([Buffer.from('from stdin')]),
    stdout,
    stderr,
    env: {},
    cwd: localDir,
    stderrIsTerminal: false,
    createClient: async () => fs,
  });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

test('mkdir: File exists, missing parent without -p, -p makes parents', async () => {
  const fs = new MemoryFileSystem();
  assert.deepEqual(await tsdfs(fs, 'mkdir', '/a'), { code: 0, stdout: '', stderr: '' });
  const again = await tsdfs(fs, 'mkdir', '/a');
  assert.deepEqual([again.code, again.stderr], [1, "mkdir: `/a': File exists\n"]);
  const deep = await tsdfs(fs, 'mkdir', '/x/y');
  assert.deepEqual([deep.code, deep.stderr], [1, "mkdir: `/x/y': No such file or directory\n"]);
  assert.equal((await tsdfs(fs, 'dfs', '-mkdir', '-p', '/x/y', 'rel')).code, 0);
  assert.ok(fs.nodes.has('/x/y') && fs.nodes.has('/user/alice/rel'));
  const bad = await tsdfs(fs, 'mkdir', '/a/../b');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^mkdir: .*\.\./);
});

test('ls: "Found N items", file lines, -d, -R, missing paths reported while others still list', async () => {
  const fs = new MemoryFileSystem();
  fs.put('/d', 'directory');
  fs.put('/d/f', 'file', Buffer.from('hello'));
  fs.put('/d/sub', 'directory');
  fs.put('/d/sub/g', 'file', Buffer.from('x'));
  const ls = await tsdfs(fs, 'ls', '/d');
  assert.equal(ls.code, 0);
  assert.match(ls.stdout, /^Found 2 items\n-rw-r--r-- {3}3 alice supergroup {10}5 \d{4}-\d\d-\d\d \d\d:\d\d \/d\/f\ndrwxr-xr-x {3}- alice supergroup {10}0 .* \/d\/sub\n$/);
  const recursive = await tsdfs(fs, 'ls', '-R', '/d');
  assert.deepEqual(recursive.stdout.split('\n').map((line) => line.split(' ').at(-1)), ['/d/f', '/d/sub', '/d/sub/g', '']);
  assert.match((await tsdfs(fs, 'ls', '-d', '/d')).stdout, /^drwxr-xr-x .* \/d\n$/);
  const mixed = await tsdfs(fs, 'ls', '/nope', '/d/f');
  assert.equal(mixed.code, 1);
  assert.equal(mixed.stderr, "ls: `/nope': No such file or directory\n");
  assert.match(mixed.stdout, / \/d\/f\n$/);
  const json = JSON.parse((await tsdfs(fs, 'ls', '--json', '/d')).stdout) as FileStatus[];
  assert.deepEqual(json.map((entry) => [entry.path, entry.type]), [['/d/f', 'file'], ['/d/sub', 'directory']]);
  const relative = await tsdfs(fs, 'ls');
  assert.equal(relative.stdout, '', 'an empty home lists nothing');
});

test('put and get round-trip a directory tree; existing targets need -f', async () => {
  const fs = new MemoryFileSystem();
  const tree = join(localDir, 'tree');
  await mkdir(join(tree, 'sub'), { recursive: true });
  await writeFile(join(tree, 'a'), 'a'.repeat(1000));
  await writeFile(join(tree, 'sub', 'b'), 'b'.repeat(2000));
  for (let index = 0; index < 20; index++) await writeFile(join(tree, `small-${index}`), String(index));
  const put = await tsdfs(fs, 'put', tree, '/tree');
  assert.deepEqual([put.code, put.stderr], [0, '']);
  assert.equal(fs.nodes.get('/tree/sub/b')?.data.toString(), 'b'.repeat(2000));
  assert.equal(fs.nodes.get('/tree/small-19')?.data.toString(), '19');
  assert.ok(![...fs.nodes.keys()].some((path) => path.endsWith('._COPYING_')), 'no temporary files left');

  const again = await tsdfs(fs, 'put', join(tree, 'a'), '/tree/a');
  assert.deepEqual([again.code, again.stderr], [1, "put: `/tree/a': File exists\n"]);
  await writeFile(join(tree, 'a'), 'new');
  assert.equal((await tsdfs(fs, 'put', '-f', join(tree, 'a'), '/tree/a')).code, 0);
  assert.equal(fs.nodes.get('/tree/a')?.data.toString(), 'new');

  const missing = await tsdfs(fs, 'put', 'no-such-file', '/');
  assert.deepEqual([missing.code, missing.stderr], [1, "put: `no-such-file': No such file or directory\n"]);

  const back = join(localDir, 'back');
  assert.equal((await tsdfs(fs, 'get', '/tree', back)).code, 0);
  assert.equal(await readFile(join(back, 'sub', 'b'), 'utf8'), 'b'.repeat(2000));
  assert.equal(await readFile(join(back, 'small-7'), 'utf8'), '7');
  const clash = await tsdfs(fs, 'copyToLocal', '/tree/a', join(back, 'a'));
  assert.deepEqual([clash.code, clash.stderr], [1, `copyToLocal: \`${join(back, 'a')}': File exists\n`]);
  assert.equal((await tsdfs(fs, 'get', '-f', '/tree/a', join(back, 'a'))).code, 0);
  assert.equal(await readFile(join(back, 'a'), 'utf8'), 'new');

  assert.equal((await tsdfs(fs, 'put', '-', '/from-stdin')).code, 0);
  assert.equal(fs.nodes.get('/from-stdin')?.data.toString(), 'from stdin');
});

test('put into an existing directory keeps the local name; several sources need a directory', async () => {
  const fs = new MemoryFileSystem();
  const file = join(localDir, 'hello.txt');
  await writeFile(file, 'hello tsdfs\n');
  fs.put('/user/alice/docs', 'directory');
  assert.equal((await tsdfs(fs, 'put', file, 'docs/')).code, 0);
  assert.equal(fs.nodes.get('/user/alice/docs/hello.txt')?.data.toString(), 'hello tsdfs\n');
  const many = await tsdfs(fs, 'put', file, file, '/nothing');
  assert.deepEqual([many.code, many.stderr], [1, "put: `/nothing': No such file or directory\n"]);
  const orphan = await tsdfs(fs, 'put', file, '/no/parent/here');
  assert.deepEqual([orphan.code, orphan.stderr], [1, "put: `/no/parent/here': No such file or directory\n"]);
  assert.ok(!fs.nodes.has('/no'), 'no parents made');
});

test('put of a tree: a large file refused at create while it waits for a large-file slot fails alone, named', async () => {
  const fs = new MemoryFileSystem();
  const tree = join(localDir, 'large');
  await mkdir(tree, { recursive: true });
  // One more large file than there are slots: `e` waits for one, and its create is refused meanwhile.
  const names = ['a', 'b', 'c', 'd', 'e'];
  for (const name of names) await writeFile(join(tree, name), Buffer.alloc(largeFileBytes, name));
  assert.equal(names.length, largeFileConcurrency + 1);
  fs.refusedCreates.add('/large/e._COPYING_');
  // Before the fix the refusal was an unhandled 'error' that ended the whole process.
  const put = await tsdfs(fs, 'put', tree, '/large');
  assert.deepEqual([put.code, put.stderr], [1, "put: `/large/e': Permission denied: /large/e._COPYING_\n"]);
  for (const name of names.slice(0, -1)) assert.equal(fs.nodes.get(`/large/${name}`)?.data.length, largeFileBytes, name);
  assert.ok(![...fs.nodes.keys()].some((path) => path.endsWith('._COPYING_')), 'no temporary files left');
});

test('a copy refused because the user has a directory named like its ._COPYING_ file leaves that directory alone', async () => {
  const fs = new MemoryFileSystem();
  fs.put('/t', 'directory');
  fs.put('/t/x._COPYING_', 'directory');
  fs.refusedCreates.add('/t/x._COPYING_');
  const local = join(localDir, 'x');
  await writeFile(local, Buffer.alloc(largeFileBytes, 1));
  const put = await tsdfs(fs, 'put', local, '/t/x');
  assert.equal(put.code, 1);
  assert.equal(fs.nodes.get('/t/x._COPYING_')?.status.type, 'directory', "the user's directory is still there");
  assert.ok(!fs.nodes.has('/t/x'));
});

test('rm: Is a directory without -r, -f for missing paths, Deleted lines', async () => {
  const fs = new MemoryFileSystem();
  fs.put('/d', 'directory');
  fs.put('/d/f', 'file');
  const refused = await tsdfs(fs, 'rm', '/d');
  assert.deepEqual([refused.code, refused.stderr], [1, "rm: `/d': Is a directory\n"]);
  assert.deepEqual(await tsdfs(fs, 'rm', '-f', '/never-was'), { code: 0, stdout: '', stderr: '' });
  const missing = await tsdfs(fs, 'rm', '/never-was');
  assert.deepEqual([missing.code, missing.stderr], [1, "rm: `/never-was': No such file or directory\n"]);
  const deleted = await tsdfs(fs, 'rm', '-r', '-skipTrash', '/d');
  assert.deepEqual([deleted.code, deleted.stdout], [0, 'Deleted /d\n']);
  assert.ok(!fs.nodes.has('/d/f'));
});

test('mv and cp, into directories and recursively; cp refuses a copy into itself', async () => {
  const fs = new MemoryFileSystem();
  fs.put('/d', 'directory');
  fs.put('/d/f', 'file', Buffer.from('data'));
  fs.put('/e', 'directory');
  assert.equal((await tsdfs(fs, 'mv', '/d/f', '/e/')).code, 0);
  assert.ok(fs.nodes.has('/e/f') && !fs.nodes.has('/d/f'));
  assert.equal((await tsdfs(fs, 'cp', '/e', '/copy')).code, 0);
  assert.equal(fs.nodes.get('/copy/f')?.data.toString(), 'data');
  const clash = await tsdfs(fs, 'cp', '/e/f', '/copy/f');
  assert.deepEqual([clash.code, clash.stderr], [1, "cp: `/copy/f': File exists\n"]);
  const itself = await tsdfs(fs, 'cp', '/e', '/e/inner');
  assert.equal(itself.code, 1);
  assert.match(itself.stderr, /subdirectory of itself/);
  const mvClash = await tsdfs(fs, 'mv', '/copy/f', '/e/f');
  assert.deepEqual([mvClash.code, mvClash.stderr], [1, "mv: `/e/f': File exists\n"]);
});

test('test answers with the exit code only; touchz; cat; tail; checksum', async () => {
  const fs = new MemoryFileSystem();
  fs.put('/d', 'directory');
  fs.put('/d/f', 'file', Buffer.from('b'.repeat(2000)));
  assert.deepEqual(await tsdfs(fs, 'test', '-d', '/d'), { code: 0, stdout: '', stderr: '' });
  assert.deepEqual(await tsdfs(fs, 'test', '-f', '/d'), { code: 1, stdout: '', stderr: '' });
  assert.equal((await tsdfs(fs, 'test', '-e', '/nothing')).code, 1);
  assert.equal((await tsdfs(fs, 'test', '-s', '/d/f')).code, 0);
  assert.equal((await tsdfs(fs, 'test', '/d/f')).code, 255);

  assert.equal((await tsdfs(fs, 'touchz', '/empty')).code, 0);
  assert.equal((await tsdfs(fs, 'test', '-z', '/empty')).code, 0);
  const notEmpty = await tsdfs(fs, 'touchz', '/d/f');
  assert.deepEqual([notEmpty.code, notEmpty.stderr], [1, "touchz: `/d/f': Not a zero-length file\n"]);

  assert.equal((await tsdfs(fs, 'cat', '/d/f', '/empty')).stdout, 'b'.repeat(2000));
  const catDir = await tsdfs(fs, 'cat', '/d');
  assert.deepEqual([catDir.code, catDir.stderr], [1, "cat: `/d': Is a directory\n"]);
  assert.equal((await tsdfs(fs, 'tail', '/d/f')).stdout, 'b'.repeat(1024));

  const checksum = await tsdfs(fs, 'checksum', '/d/f');
  const expected = (crc32c(Buffer.from('b'.repeat(2000))) >>> 0).toString(16).padStart(8, '0');
  assert.equal(checksum.stdout, `/d/f\tCRC32C\t${expected}\n`);
});

test('stat, du, count, chmod, chown, setrep', async () => {
  const fs = new MemoryFileSystem();
  fs.put('/tree', 'directory');
  fs.put('/tree/a', 'file', Buffer.alloc(1000));
  fs.put('/tree/sub', 'directory');
  fs.put('/tree/sub/b', 'file', Buffer.alloc(2000));
  assert.equal((await tsdfs(fs, 'stat', '/tree/a')).stdout, '2026-11-21 15:13:00\n');
  assert.equal((await tsdfs(fs, 'stat', '%n %b %r %F', '/tree/a')).stdout, 'a 1000 3 regular file\n');
  assert.equal(JSON.parse((await tsdfs(fs, 'stat', '--json', '/tree/a')).stdout).permission, '644');

  assert.match((await tsdfs(fs, 'du', '-s', '/tree')).stdout, /^3000\s+9000\s+\/tree$/m);
  assert.equal((await tsdfs(fs, 'du', '/tree')).stdout, '1000  3000  /tree/a\n2000  6000  /tree/sub\n');
  assert.match((await tsdfs(fs, 'count', '/tree')).stdout, /^\s*2\s+2\s+3000 \/tree$/m);

  assert.equal((await tsdfs(fs, 'chmod', '600', '/tree/a')).code, 0);
  assert.equal((await tsdfs(fs, 'chmod', '-R', 'go-rx', '/tree')).code, 0);
  assert.equal(fs.nodes.get('/tree/sub')?.status.permission, '700');
  assert.equal((await tsdfs(fs, 'chmod', 'bogus', '/tree')).code, 255);
  assert.equal((await tsdfs(fs, 'chown', '-R', 'bob:staff', '/tree')).code, 0);
  assert.equal((await tsdfs(fs, 'chgrp', 'wheel', '/tree/a')).code, 0);
  assert.match((await tsdfs(fs, 'ls', '/tree/a')).stdout, /^-rw------- +3 bob +wheel +1000 /);

  const setrep = await tsdfs(fs, 'setrep', '2', '/tree');
  assert.equal(setrep.stdout, 'Replication 2 set: /tree/a\nReplication 2 set: /tree/sub/b\n');
  assert.equal(fs.nodes.get('/tree/sub/b')?.status.replication, 2);
});

test('dfsadmin -report --json prints the DatanodeReport; -safemode; fsck exits 1 when CORRUPT', async () => {
  const fs = new MemoryFileSystem();
  const report: DatanodeReport = {
    safeMode: false, capacity: 10, dfsUsed: 1, nonDfsUsed: 0, remaining: 9,
    underReplicatedBlocks: 0, corruptBlocks: 0, missingBlocks: 0, live: [], dead: [], decommissioning: [],
  };
  fs.rpcReplies.datanodeReport = report;
  fs.rpcReplies.setSafeMode = { safeMode: true };
  assert.deepEqual(JSON.parse((await tsdfs(fs, 'dfsadmin', '-report', '--json')).stdout), report);
  assert.match((await tsdfs(fs, 'dfsadmin', '-report')).stdout, /^Live datanodes \(0\):$/m);
  assert.equal((await tsdfs(fs, 'dfsadmin', '-safemode', 'get')).stdout, 'Safe mode is ON\n');
  assert.equal((await tsdfs(fs, 'dfsadmin', '-safemode', 'sideways')).code, 255);
  assert.equal((await tsdfs(fs, 'dfsadmin')).code, 255);
  fs.rpcReplies.refreshNodes = {
    excludeFile: '/etc/tsdfs/exclude', excludedEntries: 1,
    changes: [{ uuid: 'u1', name: '127.0.0.1:9866', from: 'Normal', to: 'Decommission in progress' }],
  };
  const refresh = await tsdfs(fs, 'dfsadmin', '-refreshNodes');
  assert.equal(refresh.code, 0, refresh.stderr);
  assert.equal(refresh.stdout, '127.0.0.1:9866: Normal -> Decommission in progress\nRefresh nodes successful\n');
  fs.rpcReplies.printTopology = {
    racks: [
      { rack: '/rack1', nodes: [{ name: '127.0.0.1:1', hostname: 'pi1', uuid: 'a', state: 'live', adminState: 'Normal' }] },
      { rack: '/rack2', nodes: [{ name: '127.0.0.1:2', hostname: 'pi2', uuid: 'b', state: 'dead', adminState: 'Decommissioned' }] },
    ],
  };
  const topology = await tsdfs(fs, 'dfsadmin', '-printTopology');
  assert.equal(topology.stdout, 'Rack: /rack1\n   127.0.0.1:1 (pi1)\n\nRack: /rack2\n   127.0.0.1:2 (pi2) [dead, Decommissioned]\n\n');
  assert.equal(JSON.parse((await tsdfs(fs, 'dfsadmin', '-printTopology', '--json')).stdout).racks.length, 2);

  const fsck: FsckReport = {
    path: '/', status: 'CORRUPT', totalFiles: 0, totalDirs: 1, totalSize: 0, totalBlocks: 0,
    minimallyReplicatedBlocks: 0, underReplicatedBlocks: 0, overReplicatedBlocks: 0, misReplicatedBlocks: 0,
    missingBlocks: 1, corruptBlocks: 0, defaultReplication: 3, averageBlockReplication: 0, datanodes: 0, racks: 0, files: [],
  };
  fs.rpcReplies.fsck = fsck;
  const checked = await tsdfs(fs, 'fsck', '/');
  assert.equal(checked.code, 1);
  assert.match(checked.stdout, /The filesystem under path '\/' is CORRUPT\n$/);
  assert.equal(JSON.parse((await tsdfs(fs, 'fsck', '/', '--json')).stdout).status, 'CORRUPT');
  assert.equal((await tsdfs(fs, 'balancer')).code, 1);
});

test('cluster plan: children get the user options first and the launcher settings last', () => {
  const generic = { configFile: 'site.json', defines: { 'fs.defaultFS': 'tsdfs://127.0.0.1:9100', 'dfs.replication': '2' } };
  const config = loadConfig({ env: {}, cwd: tmpdir(), overrides: { 'fs.defaultFS': 'tsdfs://127.0.0.1:9100' } });
  const layout = planClusterLayout(config, generic, '/srv/tsdfs', 3);
  assert.equal(layout.namenodePort, 9100);
  const namenode = namenodeArgs(layout, generic, '/home/alice');
  assert.deepEqual(namenode.slice(0, 3), ['namenode', '--config', '/home/alice/site.json']);
  assert.ok(namenode.includes('dfs.namenode.name.dir=/srv/tsdfs/name'));
  assert.ok(namenode.indexOf('dfs.namenode.http-address=127.0.0.1:9100') > namenode.indexOf('dfs.replication=2'));
  assert.deepEqual(formatArgs(layout, generic, '/home/alice').slice(0, 2), ['namenode', '-format']);
  const datanode = datanodeArgs(layout, generic, '/home/alice', 2, '127.0.0.1:9100');
  for (const setting of ['dfs.datanode.data.dir=/srv/tsdfs/dn2', 'dfs.datanode.address=127.0.0.1:0', 'dfs.datanode.hostname=127.0.0.1', 'tsdfs.cluster.secret.file=/srv/tsdfs/name/cluster.secret']) {
    assert.ok(datanode.includes(setting), setting);
  }
  assert.equal(datanode.at(-1), 'fs.defaultFS=tsdfs://127.0.0.1:9100', "the datanode's namenode wins over the user's");
  const defaults = planClusterLayout(loadConfig({ env: {}, cwd: tmpdir() }), { configFile: undefined, defines: {} }, '/d', 3);
  assert.equal(defaults.namenodePort, 9870);
});

// The data-moving commands run in a node with a larger initial heap: which command lines
// are relaunched, and that the relaunched process gets the flag, the arguments and passes
// its exit code back.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bulkHeapFlag, relaunchMinBytes, runWithBulkHeap, wantsBulkHeap } from '../../cli/bulk-heap.js';
import { waitUntil } from '../helpers/cluster.js';

const bulkHeapModule = pathToFileURL(resolve(dirname(fileURLToPath(import.meta.url)), '../../cli/bulk-heap.js')).href;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('put and cp (also as dfs -put, with generic options anywhere) are relaunched; get, cat, the rest and an already-sized node are not', () => {
  for (const argv of [['put', 'x', '/f'], ['cp', '/a', '/b'], ['copyFromLocal', 'x', '/f'], ['dfs', '-cp', '/a', '/b'], ['-fs', 'tsdfs://h:1', 'cp', '/a', '/b'], ['-D', 'a=b', 'fs', '-put', 'x', '/']]) {
    assert.equal(wantsBulkHeap(argv, []), true, argv.join(' '));
  }
  for (const argv of [['get', '/f', 'x'], ['cat', '/f'], ['copyToLocal', '/f', 'x'], ['dfs', '-get', '/f', 'x'], ['ls', '/'], ['namenode'], ['datanode'], ['dfsadmin', '-report'], ['stat', '/get'], [], ['help', 'get'], ['-D']]) {
    assert.equal(wantsBulkHeap(argv, []), false, argv.join(' '));
  }
  assert.equal(wantsBulkHeap(['cp', '/a', '/b'], [bulkHeapFlag]), false, 'the relaunched process runs the command itself');
});

test('a put of local files is relaunched only when they may hold 64 MiB or more', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tsdfs-bulk-heap-put-'));
  try {
    const small = join(dir, 'small.txt');
    await writeFile(small, 'x'.repeat(4096));
    const tree = join(dir, 'tree');
    await mkdir(join(tree, 'sub'), { recursive: true });
    await writeFile(join(tree, 'a'), 'a');
    await writeFile(join(tree, 'sub', 'b'), 'b');
    const big = join(dir, 'big.bin');
    await writeFile(big, '');
    await truncate(big, relaunchMinBytes); // sparse: sized, not written
    assert.equal(wantsBulkHeap(['put', '-f', small, '/f'], []), false, 'one small file');
    assert.equal(wantsBulkHeap(['dfs', '-put', small, tree, '/d'], []), false, 'a small tree');
    assert.equal(wantsBulkHeap(['put', small, big, '/d'], []), true, '64 MiB in all');
    assert.equal(wantsBulkHeap(['put', '-', '/f'], []), true, 'stdin may be anything');
    assert.equal(wantsBulkHeap(['put', join(dir, 'missing'), '/f'], []), true, 'unsure: relaunch, the command reports it');
    assert.equal(wantsBulkHeap(['cp', '/a', '/b'], []), true, 'remote sizes are not known to the launcher');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the relaunched node has the flag and the arguments, and its exit code comes back', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tsdfs-bulk-heap-'));
  try {
    const script = join(dir, 'probe.mjs');
    const out = join(dir, 'seen.json');
    await writeFile(script, "import { writeFileSync } from 'node:fs';\nwriteFileSync(process.argv[2], JSON.stringify({ execArgv: process.execArgv, argv: process.argv.slice(2) }));\nprocess.exit(Number(process.argv[3]));\n");
    assert.equal(await runWithBulkHeap(script, [out, '7']), 7);
    const seen = JSON.parse(await readFile(out, 'utf8')) as { execArgv: string[]; argv: string[] };
    assert.ok(seen.execArgv.includes(bulkHeapFlag));
    assert.deepEqual(seen.argv, [out, '7']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the relaunched process dies with its launcher, even when the launcher is SIGKILLed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tsdfs-bulk-heap-'));
  try {
    const pidFile = join(dir, 'child.pid');
    const probe = join(dir, 'probe.mjs');
    await writeFile(probe, `import { writeFileSync } from 'node:fs';\nimport { followLauncher } from '${bulkHeapModule}';\nfollowLauncher(process.env);\nwriteFileSync(process.argv[2], String(process.pid));\nsetInterval(() => {}, 1000);\n`);
    const launcherScript = join(dir, 'launcher.mjs');
    await writeFile(launcherScript, `import { runWithBulkHeap } from '${bulkHeapModule}';\nprocess.exit((await runWithBulkHeap(process.argv[2], [process.argv[3]])) ?? 1);\n`);
    const launcher = spawn(process.execPath, [launcherScript, probe, pidFile], { stdio: 'ignore' });
    let childPid = 0;
    await waitUntil('the relaunched process to start', 20_000, async () => {
      childPid = Number(await readFile(pidFile, 'utf8').catch(() => '0'));
      return childPid > 0;
    });
    launcher.kill('SIGKILL');
    await waitUntil('the relaunched process to follow its launcher', 20_000, () => !isRunning(childPid));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// The HDFS-style argument parser: generic options anywhere, `-D` pairs, single-dash
// options (`dfs -ls -R`, `-safemode get`), and usage errors that the runner turns into 255.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import {
  UsageError,
  expectPositionals,
  extractGenericOptions,
  genericOptionsToArgs,
  parseCommandArguments,
  parseIntegerArgument,
} from '../../cli/args.js';
import { runCli } from '../../cli/run.js';

test('generic options are taken out wherever they appear', () => {
  const { generic, rest } = extractGenericOptions(['-D', 'dfs.replication=2', 'ls', '-R', '/x', '-fs', 'tsdfs://127.0.0.1:9000', '--config', 'site.json']);
  assert.deepEqual(rest, ['ls', '-R', '/x']);
  assert.equal(generic.configFile, 'site.json');
  assert.deepEqual(generic.defines, { 'dfs.replication': '2', 'fs.defaultFS': 'tsdfs://127.0.0.1:9000' });
});

test('-D accepts key=value pairs in every spelling, later ones win, values may hold "="', () => {
  const { generic } = extractGenericOptions(['-Ddfs.replication=1', '-D', 'dfs.replication=3', '-D', 'dfs.hosts.exclude=/etc/x=y', '--config=a.json', '-fs=tsdfs://h:1']);
  assert.deepEqual(generic.defines, { 'dfs.replication': '3', 'dfs.hosts.exclude': '/etc/x=y', 'fs.defaultFS': 'tsdfs://h:1' });
  assert.equal(generic.configFile, 'a.json');
});

test('a generic option without its value, or -D without "=", is a usage error', () => {
  assert.throws(() => extractGenericOptions(['ls', '-D']), UsageError);
  assert.throws(() => extractGenericOptions(['ls', '-fs']), UsageError);
  assert.throws(() => extractGenericOptions(['-D', 'dfs.replication']), UsageError);
});

test('after "--" nothing is a generic option', () => {
  const { generic, rest } = extractGenericOptions(['rm', '--', '-D', 'x=y']);
  assert.deepEqual(rest, ['rm', '--', '-D', 'x=y']);
  assert.deepEqual(generic.defines, {});
  assert.deepEqual(parseCommandArguments(['--', '-D', 'x=y'], {}).positionals, ['-D', 'x=y']);
});

test('generic options turn back into arguments for child processes', () => {
  assert.deepEqual(genericOptionsToArgs({ configFile: '/etc/tsdfs.json', defines: { 'dfs.replication': '2' } }), [
    '--config',
    '/etc/tsdfs.json',
    '-D',
    'dfs.replication=2',
  ]);
});

test('command options: flags, valued options and positionals in any order', () => {
  const ls = parseCommandArguments(['/a', '-R', '-h', '/b'], { flags: ['-R', '-h', '-d'] });
  assert.deepEqual([...ls.flags], ['-R', '-h']);
  assert.deepEqual(ls.positionals, ['/a', '/b']);

  const admin = parseCommandArguments(['-safemode', 'get'], { flags: ['-report'], valued: ['-safemode'] });
  assert.equal(admin.values.get('-safemode'), 'get');
  assert.deepEqual(admin.positionals, []);

  const cluster = parseCommandArguments(['--datanodes=5', '--dir', '/tmp/d'], { valued: ['--datanodes', '--dir'] });
  assert.equal(cluster.values.get('--datanodes'), '5');
  assert.equal(cluster.values.get('--dir'), '/tmp/d');
});

test('bundled one-letter flags (-rf) split when every letter is a flag; "-" is a positional', () => {
  const rm = parseCommandArguments(['-rf', '/x'], { flags: ['-r', '-f'] });
  assert.deepEqual([...rm.flags].sort(), ['-f', '-r']);
  assert.deepEqual(parseCommandArguments(['-', '/dst'], { flags: ['-f'] }).positionals, ['-', '/dst']);
  assert.throws(() => parseCommandArguments(['-rx'], { flags: ['-r', '-f'] }), /Illegal option -rx/);
});

test('unknown options and missing values are usage errors', () => {
  assert.throws(() => parseCommandArguments(['-x'], { flags: ['-R'] }), (error) => error instanceof UsageError && /Illegal option -x/.test(error.message));
  assert.throws(() => parseCommandArguments(['-safemode'], { valued: ['-safemode'] }), UsageError);
});

test('positional counts and whole numbers are checked', () => {
  const parsed = parseCommandArguments(['a', 'b', 'c'], {});
  assert.deepEqual(expectPositionals(parsed, 1), ['a', 'b', 'c']);
  assert.throws(() => expectPositionals(parsed, 4), UsageError);
  assert.throws(() => expectPositionals(parsed, 1, 2), /too many arguments: c/);
  assert.equal(parseIntegerArgument('3', 'replication', 1, 512), 3);
  assert.throws(() => parseIntegerArgument('0', 'replication', 1, 512), UsageError);
  assert.throws(() => parseIntegerArgument('2x', 'replication', 1, 512), UsageError);
});

/** Runs the CLI in-process with a client that must never be needed. */
async function runWithoutCluster(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await runCli(argv, {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: {},
    cwd: process.cwd(),
    stderrIsTerminal: false,
    createClient: async () => {
      throw new Error('no client in this test');
    },
  });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

test('the runner: usage errors exit 255 with a usage line; help exits 0', async () => {
  const illegal = await runWithoutCluster(['dfs', '-ls', '-x', '/']);
  assert.equal(illegal.code, 255);
  assert.match(illegal.stderr, /^ls: Illegal option -x\nUsage: tsdfs ls /);

  const missing = await runWithoutCluster(['setrep', '-fs', 'tsdfs://127.0.0.1:1']);
  assert.equal(missing.code, 255);
  assert.match(missing.stderr, /^setrep: missing argument\nUsage: tsdfs setrep /);

  assert.equal((await runWithoutCluster(['frobnicate'])).code, 255);
  assert.equal((await runWithoutCluster(['dfs', '-frobnicate'])).code, 255);
  assert.equal((await runWithoutCluster(['dfs', '-namenode'])).code, 255, 'servers are not shell commands');
  assert.equal((await runWithoutCluster(['ls', '-D'])).code, 255);

  for (const argv of [[], ['help'], ['-h'], ['--help']]) {
    const help = await runWithoutCluster(argv);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: tsdfs <command>/);
    assert.match(help.stdout, /^ {2}dfsadmin /m);
  }
  const lsHelp = await runWithoutCluster(['help', 'ls']);
  assert.match(lsHelp.stdout, /^Usage: tsdfs ls \[-R\] \[-h\] \[-d\]/);
  assert.match((await runWithoutCluster(['dfs', '-put', '--help'])).stdout, /^Usage: tsdfs put /);
});

test('the runner: bad config is one line and exit 1, naming the key', async () => {
  const result = await runWithoutCluster(['ls', '/', '-D', 'dfs.replication=zero']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^ls: bad value "zero" for config key dfs\.replication/);
  assert.equal(result.stderr.trim().split('\n').length, 1);
});

test('the runner: a failure is one "<cmd>: <message>" line and exit 1, without a stack', async () => {
  const result = await runWithoutCluster(['ls', '/']);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, 'ls: no client in this test\n');
});

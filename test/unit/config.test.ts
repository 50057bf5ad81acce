// Config loading: defaults < tsdfs-site.json < environment < -D; bad keys and values are
// refused with the key's name; relations between keys are checked.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, deadNodeTimeoutMs, envNameOf, isExplicitlySet, loadConfig, namenodeUrl, parseDefine, parseRackTable, parseSize, rackOf } from '../../config/index.js';

test('defaults are HDFS defaults', () => {
  const config = loadConfig({ env: {}, cwd: tmpdir() });
  assert.equal(config['dfs.replication'], 3);
  assert.equal(config['dfs.blocksize'], 134217728);
  assert.equal(config['dfs.heartbeat.interval'], 3);
  assert.equal(deadNodeTimeoutMs(config), 630_000, '10 min 30 s');
  assert.equal(namenodeUrl(config), 'http://127.0.0.1:9870');
});

test('site file < environment < -D, with size suffixes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tsdfs-config-'));
  try {
    await writeFile(join(dir, 'tsdfs-site.json'), JSON.stringify({ 'dfs.replication': 2, 'dfs.blocksize': '64m', 'dfs.bytes-per-checksum': 1024 }));
    const fromFile = loadConfig({ env: {}, cwd: dir });
    assert.equal(fromFile['dfs.replication'], 2);
    assert.equal(fromFile['dfs.blocksize'], 64 * 1024 * 1024);
    const fromEnv = loadConfig({ env: { [envNameOf('dfs.replication')]: '1' }, cwd: dir });
    assert.equal(fromEnv['dfs.replication'], 1);
    const fromDefine = loadConfig({ env: { TSDFS_DFS_REPLICATION: '1' }, cwd: dir, overrides: { 'dfs.replication': '5' } });
    assert.equal(fromDefine['dfs.replication'], 5);
    const viaConfDir = loadConfig({ env: { TSDFS_CONF_DIR: dir }, cwd: tmpdir() });
    assert.equal(viaConfDir['dfs.replication'], 2);
    // What the user set (any layer) is told apart from defaults: clients send only those.
    assert.equal(isExplicitlySet(fromFile, 'dfs.replication'), true);
    assert.equal(isExplicitlySet(fromEnv, 'dfs.replication'), true);
    assert.equal(isExplicitlySet(fromFile, 'dfs.heartbeat.interval'), false);
    assert.equal(isExplicitlySet(loadConfig({ env: {}, cwd: tmpdir() }), 'dfs.replication'), false);
    assert.equal(isExplicitlySet(loadConfig({ env: {}, cwd: tmpdir(), overrides: { 'dfs.blocksize': '1m' } }), 'dfs.blocksize'), true);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('unknown keys and bad values are refused with the key name', () => {
  const load = (overrides: Record<string, string>) => () => loadConfig({ env: {}, cwd: tmpdir(), overrides });
  assert.throws(load({ 'dfs.replicaton': '3' }), (e: Error) => e instanceof ConfigError && /unknown config key "dfs.replicaton"/.test(e.message));
  assert.throws(load({ 'dfs.replication': 'three' }), /dfs\.replication/);
  assert.throws(load({ 'dfs.replication': '0' }), /dfs\.replication/);
  assert.throws(load({ 'dfs.blocksize': '12q' }), /dfs\.blocksize/);
  assert.throws(load({ 'dfs.namenode.http-address': 'nowhere' }), /dfs\.namenode\.http-address/);
  assert.throws(load({ 'dfs.permissions.enabled': 'maybe' }), /dfs\.permissions\.enabled/);
  assert.throws(load({ 'tsdfs.auth': 'kerberos' }), /tsdfs\.auth/);
});

test('the block scanner bandwidth per volume: HDFS default 1 MiB/s, suffixes accepted, a bad value refused in one line', () => {
  const load = (overrides: Record<string, string>) => loadConfig({ env: {}, cwd: tmpdir(), overrides });
  assert.equal(load({})['dfs.block.scanner.volume.bytes.per.second'], 1048576);
  assert.equal(load({ 'dfs.block.scanner.volume.bytes.per.second': '4m' })['dfs.block.scanner.volume.bytes.per.second'], 4 * 1024 * 1024);
  for (const bad of ['0', '-5', 'fast', '1.5x']) {
    assert.throws(
      () => load({ 'dfs.block.scanner.volume.bytes.per.second': bad }),
      (e: Error) => e instanceof ConfigError && /dfs\.block\.scanner\.volume\.bytes\.per\.second/.test(e.message) && !e.message.includes('\n'),
      `refused: ${bad}`,
    );
  }
});

test('relations between keys are checked at load', () => {
  const load = (overrides: Record<string, string>) => () => loadConfig({ env: {}, cwd: tmpdir(), overrides });
  assert.throws(load({ 'dfs.blocksize': '1000000', 'dfs.bytes-per-checksum': '512' }), /multiple of dfs\.bytes-per-checksum/);
  assert.throws(load({ 'dfs.heartbeat.interval': '40' }), /stale\.datanode\.interval must be at least one heartbeat/);
  assert.throws(load({ 'dfs.heartbeat.interval': '1', 'dfs.namenode.heartbeat.recheck-interval': '1000', 'dfs.namenode.stale.datanode.interval': '20000' }), /shorter than the dead-node timeout \(12000 ms\)/);
  assert.doesNotThrow(load({ 'dfs.heartbeat.interval': '1', 'dfs.namenode.heartbeat.recheck-interval': '2000', 'dfs.namenode.stale.datanode.interval': '3000' }));
});

test('a site file that is not JSON is refused with its name', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tsdfs-config-'));
  try {
    const file = join(dir, 'site.json');
    await writeFile(file, '{ not json');
    assert.throws(() => loadConfig({ env: {}, configFile: file }), new RegExp(`${file.replace(/[/.]/g, '\\$&')} is not valid JSON`));
    await writeFile(file, '[1,2]');
    assert.throws(() => loadConfig({ env: {}, configFile: file }), /one flat JSON object/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('sizes, -D pairs and the rack table parse', () => {
  assert.equal(parseSize('128m'), 134217728);
  assert.equal(parseSize('1g'), 1073741824);
  assert.equal(parseSize('512K'), 524288);
  assert.ok(Number.isNaN(parseSize('lots')));
  assert.deepEqual(parseDefine('dfs.replication=2'), ['dfs.replication', '2']);
  assert.deepEqual(parseDefine('a=b=c'), ['a', 'b=c']);
  assert.throws(() => parseDefine('novalue'), ConfigError);
  const table = parseRackTable('# racks\npi1 /rack1\n192.0.2.7   /rack2\n\n');
  assert.equal(rackOf(table, 'pi1:9866', 'pi1'), '/rack1');
  assert.equal(rackOf(table, 'x:1', 'x', '192.0.2.7'), '/rack2');
  assert.equal(rackOf(table, 'y:1', 'y'), '/default-rack');
  assert.throws(() => parseRackTable('pi1 rack-without-slash'), /line 1/);
});

// TLS end to end: a namenode and 3 datanodes serving HTTPS/WSS with a throwaway CA; put/get
// of a multi-block file through 3-node pipelines, admin commands, re-replication copies
// between datanodes after a datanode dies, and every mixed set-up failing with one clear line.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Cluster, runCli, startCluster, waitUntil } from '../helpers/cluster.js';
import { makeTestPki, pkiUnavailable, type TestPki } from '../helpers/test-pki.js';

const blockSizeBytes = 1024 * 1024;

function defines(config: Record<string, string>): string[] {
  return Object.entries(config).flatMap(([key, value]) => ['-D', `${key}=${value}`]);
}

/** A GET over HTTPS verified against `ca`; resolves with the status and body. */
function httpsGet(url: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, agent: false }, (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (text: string) => (body += text));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('TLS cluster', { skip: pkiUnavailable() }, () => {
  let pki: TestPki;
  let cluster: Cluster;
  const data = randomBytes(3 * blockSizeBytes + 123_457);

  before(async () => {
    pki = await makeTestPki();
    cluster = await startCluster({
      datanodes: 3,
      config: {
        ...pki.tlsConfig,
        'dfs.blocksize': String(blockSizeBytes),
        // Dead after 2 × 500 ms + 10 × 0.5 s = 6 s, so re-replication fits in the test.
        'dfs.heartbeat.interval': '0.5',
        'dfs.namenode.heartbeat.recheck-interval': '500',
        'dfs.namenode.stale.datanode.interval': '1500',
        'dfs.namenode.redundancy.interval.seconds': '0.5',
      },
    });
  });

  after(async () => {
    await cluster?.stop();
    await pki?.remove();
  });

  test('put and get a multi-block file through 3-datanode pipelines, byte for byte', async () => {
    const local = join(cluster.dir, 'in.bin');
    const back = join(cluster.dir, 'out.bin');
    await writeFile(local, data);
    const put = await cluster.cli(['put', local, '/f.bin']);
    assert.equal(put.code, 0, put.stderr);
    const get = await cluster.cli(['get', '/f.bin', back]);
    assert.equal(get.code, 0, get.stderr);
    assert.ok((await readFile(back)).equals(data), 'the file read back is byte-identical');
    await cluster.waitForReplication('/f.bin', 3);
    const fsck = await cluster.cli(['fsck', '/f.bin', '-files', '-blocks', '-locations', '--json']);
    const report = JSON.parse(fsck.stdout) as { status: string; totalBlocks: number; files: Array<{ blocks: Array<{ replicas: unknown[] }> }> };
    assert.equal(report.status, 'HEALTHY');
    assert.equal(report.totalBlocks, 4);
    assert.ok(report.files[0]?.blocks.every((block) => block.replicas.length === 3), 'every block written through all 3 datanodes');
  });

  test('dfsadmin -report works over HTTPS', async () => {
    const result = await cluster.cli(['dfsadmin', '-report']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Live datanodes \(3\):/);
  });

  test('the namenode and datanodes answer plain HTTP with a 400 saying they serve HTTPS only', async () => {
    for (const [role, address] of [['namenode', cluster.namenode.address], ['datanode', cluster.datanode(0).address]] as const) {
      const response = await fetch(`http://${address}/status`);
      assert.equal(response.status, 400, role);
      const body = (await response.json()) as { RemoteException: { message: string } };
      assert.match(body.RemoteException.message, new RegExp(`this ${role} serves HTTPS only.*tsdfs\\.tls\\.ca\\.file`));
    }
    const ca = await readFile(pki.caCert);
    assert.equal((await httpsGet(`https://${cluster.datanode(0).address}/status`, ca)).status, 200, 'HTTPS with the CA works');
    assert.equal((await httpsGet(`https://localhost:${cluster.namenode.address.split(':')[1]}/metrics`, ca)).status, 200, 'by name too');
  });

  test('a plain-HTTP CLI against the TLS namenode fails with one line naming the cause', async () => {
    const result = await runCli(['ls', '/', '-fs', cluster.fsUri]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^ls: this namenode serves HTTPS only \(tsdfs\.tls\.cert\.file is set on it\).*\n$/);
  });

  test('a client without the CA, or with the wrong one, fails certificate verification', async () => {
    const address = cluster.namenode.address;
    const withoutCa = await runCli(['ls', '/', '-fs', `https://${address}`]);
    const wrongCa = await runCli(['ls', '/', '-D', `tsdfs.tls.ca.file=${pki.otherCaCert}`, '-fs', cluster.fsUri]);
    for (const result of [withoutCa, wrongCa]) {
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^ls: namenode https:\/\/\S+: certificate verification failed: .+ — set tsdfs\.tls\.ca\.file to the CA that signed the cluster's certificates\n$/);
    }
    const missingCa = await runCli(['ls', '/', '-D', `tsdfs.tls.ca.file=${join(pki.dir, 'nope.crt')}`, '-fs', cluster.fsUri]);
    assert.equal(missingCa.code, 1);
    assert.match(missingCa.stderr, /^ls: cannot read tsdfs\.tls\.ca\.file \S+nope\.crt: no such file\n$/);
  });

  test('a datanode that would not serve what the namenode serves does not start, saying why', async () => {
    const { 'tsdfs.tls.cert.file': _cert, 'tsdfs.tls.key.file': _key, ...caOnly } = cluster.datanodeConfig(join(cluster.dir, 'dn-mixed'));
    const noKey = await runCli(['datanode', ...defines({ ...caOnly, 'tsdfs.tls.cert.file': pki.serverCert })]);
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /^datanode: tsdfs\.tls\.key\.file is not set/);
    const plainServer = await runCli(['datanode', ...defines(caOnly)]);
    assert.equal(plainServer.code, 1);
    assert.match(plainServer.stderr, /^datanode: the namenode is reached over HTTPS but this datanode has no tsdfs\.tls\.cert\.file and tsdfs\.tls\.key\.file/);
  });

  test('after a datanode dies its blocks are copied between datanodes over TLS', async () => {
    const client = cluster.client();
    await client.writeFile('/r2.bin', data, { replication: 2 });
    const { files } = await client.rpc('fsck', { path: '/r2.bin', files: true });
    const holders = new Set(files[0]?.blocks.flatMap((block) => block.replicas.map((replica) => replica.uuid)));
    const victim = cluster.datanodes.find((handle) => holders.has(handle.uuid));
    assert.ok(victim, 'some datanode holds a replica');
    await victim.kill();
    await waitUntil('the killed datanode to be dead', 20_000, async () => {
      const { dead } = await client.rpc('datanodeReport', { type: 'dead' });
      return dead.some((node) => node.uuid === victim.uuid);
    });
    // Two live replicas again means the namenode found the node dead and a survivor copied
    // each lost replica to the third datanode: a datanode-to-datanode HTTPS transfer.
    await cluster.waitForReplication('/r2.bin', 2, 20_000);
    const report = await client.rpc('fsck', { path: '/r2.bin', files: true });
    for (const block of report.files[0]?.blocks ?? []) {
      assert.ok(block.replicas.every((replica) => replica.uuid !== victim.uuid || replica.state !== 'live'), 'no live replica on the dead node');
    }
    assert.ok((await client.readFile('/r2.bin')).equals(data), 'the re-replicated file reads back unchanged');
  });
});

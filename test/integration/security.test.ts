// Authenticated datanodes and block access tokens on a real cluster: a datanode with the
// wrong secret (or none) cannot join, a captured registration cannot be replayed, and the
// data path refuses every block request without a valid token for that block and access.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { BlockTokenKeys, blockTokenKeyIdAt, readClusterSecret } from '../../protocol/auth.js';
import type { LocatedBlock } from '../../protocol/common.js';
import { type Cluster, ServerProcess, startCluster, waitUntil } from '../helpers/cluster.js';

let cluster: Cluster;
let secret: Buffer;
let located: LocatedBlock;
const content = randomBytes(100_000);

before(async () => {
  cluster = await startCluster({ datanodes: 2, config: { 'dfs.replication': '2' } });
  secret = readClusterSecret(cluster.secretFile);
  const client = cluster.client();
  await client.writeFile('/secret.bin', content);
  const { blocks } = await client.rpc('getBlockLocations', { path: '/secret.bin', offset: 0, length: content.length });
  assert.ok(blocks[0]);
  located = blocks[0];
});

after(async () => {
  await cluster?.stop();
});

function defines(config: Record<string, string>): string[] {
  return Object.entries(config).flatMap(([key, value]) => ['-D', `${key}=${value}`]);
}

interface RawReply {
  status: number;
  body: string;
}

/** One request with the path sent exactly as given (no URL normalisation on our side). */
function rawRequest(address: string, method: string, path: string, headers: http.OutgoingHttpHeaders = {}, body?: Buffer): Promise<RawReply> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const request = http.request({ host, port, method, path, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

function readBlock(token: string | undefined, blockId = located.block.id): Promise<RawReply> {
  const headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
  return rawRequest(cluster.datanode(0).address, 'GET', `/blocks/${blockId}?genStamp=${located.block.genStamp}`, headers);
}

function remoteException(reply: RawReply): { code: string; message: string } {
  return JSON.parse(reply.body).RemoteException;
}

describe('block access tokens', () => {
  test('the namenode issues a read token with every location, and it reads the block', async () => {
    assert.notEqual(located.token, '');
    const reply = await readBlock(located.token);
    assert.equal(reply.status, 200);
  });

  test('a read without a token is 401 Unauthorized', async () => {
    const reply = await readBlock(undefined);
    assert.equal(reply.status, 401);
    assert.equal(remoteException(reply).code, 'Unauthorized');
    assert.match(remoteException(reply).message, /token required/);
  });

  test('a forged token is 403: bad signature', async () => {
    const [payload] = located.token.split('.');
    const reply = await readBlock(`${payload}.${randomBytes(32).toString('base64url')}`);
    assert.equal(reply.status, 403);
    assert.equal(remoteException(reply).code, 'AccessDenied');
    assert.match(remoteException(reply).message, /bad signature/);
    // Signed with another cluster's secret: the same refusal.
    const other = new BlockTokenKeys(randomBytes(32)).issue(located.block.id, 'read', 'mallory', Date.now());
    assert.match(remoteException(await readBlock(other)).message, /bad signature/);
  });

  test('an expired token (properly signed) is 403: expired', async () => {
    const now = Date.now();
    const expired = new BlockTokenKeys(secret).mint({ blockId: located.block.id, access: 'read', user: 'alice', expiresAt: now - 60_000, keyId: blockTokenKeyIdAt(now) });
    const reply = await readBlock(expired);
    assert.equal(reply.status, 403);
    assert.match(remoteException(reply).message, /expired/);
  });

  test('a token signed with a retired key is 403', async () => {
    const now = Date.now();
    const stale = new BlockTokenKeys(secret).mint({ blockId: located.block.id, access: 'read', user: 'alice', expiresAt: now + 60_000, keyId: blockTokenKeyIdAt(now) - 2 });
    const reply = await readBlock(stale);
    assert.equal(reply.status, 403);
    assert.match(remoteException(reply).message, /retired key/);
  });

  test("another block's token is 403: for block X, not block Y", async () => {
    const otherBlock = located.block.id + 1000;
    const token = new BlockTokenKeys(secret).issue(otherBlock, 'read', 'alice', Date.now());
    const reply = await readBlock(token);
    assert.equal(reply.status, 403);
    assert.match(remoteException(reply).message, new RegExp(`for block ${otherBlock}, not block ${located.block.id}`));
  });

  test('a read token used for PUT is 403: grants read, not write; nothing is created', async () => {
    const blockId = located.block.id + 5000;
    const token = new BlockTokenKeys(secret).issue(blockId, 'read', 'alice', Date.now());
    const reply = await rawRequest(cluster.datanode(0).address, 'PUT', `/blocks/${blockId}?genStamp=1&bytesPerChecksum=512`, { authorization: `Bearer ${token}` }, Buffer.alloc(0));
    assert.equal(reply.status, 403);
    assert.match(remoteException(reply).message, /grants read access, not write/);
    const noToken = await rawRequest(cluster.datanode(0).address, 'PUT', `/blocks/${blockId}?genStamp=1&bytesPerChecksum=512`, {}, Buffer.alloc(0));
    assert.equal(noToken.status, 401);
    const status = JSON.parse((await rawRequest(cluster.datanode(0).address, 'GET', '/status')).body);
    assert.equal(status.replicas, 1, 'only the file written above');
  });

  test('path tricks on /blocks/ never reach the file system: 4xx', async () => {
    const token = located.token;
    const paths = ['/blocks/../x', '/blocks/%2e%2e/', '/blocks/1/../../etc/passwd', '/blocks/..%2f..%2fetc%2fpasswd', '/blocks/0', '/blocks/-1', `/blocks/${located.block.id}/../${located.block.id}`, '/blocks/1%00'];
    for (const path of paths) {
      for (const method of ['GET', 'PUT']) {
        const reply = await rawRequest(cluster.datanode(0).address, method, path, { authorization: `Bearer ${token}` }, method === 'PUT' ? Buffer.alloc(0) : undefined);
        assert.ok(reply.status >= 400 && reply.status < 500, `${method} ${path} answered ${reply.status}`);
        assert.ok(remoteException(reply).message.length > 0);
      }
    }
  });

  test('clients send the tokens they get: the file reads back and re-replication (copy tokens) works', async () => {
    const client = cluster.client();
    assert.deepEqual(await client.readFile('/secret.bin'), content);
    await client.writeFile('/one.bin', randomBytes(10_000), { replication: 1 });
    await client.setReplication('/one.bin', 2);
    await cluster.waitForReplication('/one.bin', 2, 20_000);
  });
});

describe('authenticated datanodes', () => {
  test('a datanode with the wrong secret is refused: it says so and keeps retrying (it cannot verify the refusal), the namenode logs it and does not list it', async () => {
    const wrongSecret = join(cluster.dir, 'wrong.secret');
    await writeFile(wrongSecret, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    const config = { ...cluster.datanodeConfig(join(cluster.dir, 'dn-wrong')), 'tsdfs.cluster.secret.file': wrongSecret };
    const impostor = await ServerProcess.start(['datanode', ...defines(config)], 'impostor datanode');
    // The refusal is signed with the namenode's secret, which this datanode does not hold, so it
    // cannot tell it from an injected one: it logs it and retries rather than giving up.
    const refusals = () => impostor.stderrLines.join('').match(/registration refused by the namenode: wrong cluster secret.*not signed with our cluster secret — check tsdfs\.cluster\.secret\.file/g)?.length ?? 0;
    await waitUntil('the datanode logs the refusal twice (it retries)', 15_000, () => refusals() >= 2);
    assert.ok(impostor.running, 'a refusal it cannot verify does not stop the datanode');
    await impostor.kill('SIGTERM');
    await waitUntil('the namenode logs the refusal', 5_000, () => /wrong cluster secret/.test(cluster.namenode.stderrLines.join('')));
    assert.match(cluster.namenode.stderrLines.join(''), /127\.0\.0\.1/);
    const report = JSON.parse((await cluster.cli(['dfsadmin', '-report', '--json'])).stdout);
    const listed = [...report.live, ...report.dead].map((node: { uuid: string }) => node.uuid);
    assert.equal(listed.includes(impostor.uuid), false);
    assert.equal(listed.length, 2);
  });

  test('a datanode without the secret file refuses to start, naming the file and the key', async () => {
    const missing = join(cluster.dir, 'no-such.secret');
    const config = { ...cluster.datanodeConfig(join(cluster.dir, 'dn-missing')), 'tsdfs.cluster.secret.file': missing };
    await assert.rejects(ServerProcess.start(['datanode', ...defines(config)], 'datanode without secret'), (error: Error) => {
      assert.match(error.message, /exited with 1/);
      assert.ok(error.message.includes(missing));
      assert.match(error.message, /tsdfs\.cluster\.secret\.file/);
      return true;
    });
  });

  test('a registration captured on the wire is refused when replayed on a new connection', async () => {
    // A recording proxy between a real datanode and the namenode.
    const namenodeUrl = `ws://${cluster.namenode.address}/datanode`;
    const captured: string[] = [];
    const httpServer = http.createServer();
    const proxy = new WebSocketServer({ server: httpServer, path: '/datanode' });
    proxy.on('connection', (downstream) => {
      const upstream = new WebSocket(namenodeUrl);
      const early: string[] = [];
      downstream.on('message', (data) => {
        const text = String(data);
        if (text.includes('"register"')) captured.push(text);
        if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
        else early.push(text);
      });
      upstream.on('open', () => early.splice(0).forEach((text) => upstream.send(text)));
      upstream.on('message', (data) => downstream.readyState === WebSocket.OPEN && downstream.send(String(data)));
      upstream.on('close', () => downstream.close());
      downstream.on('close', () => upstream.close());
    });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const proxyPort = (httpServer.address() as AddressInfo).port;
    const config = { ...cluster.datanodeConfig(join(cluster.dir, 'dn-proxied')), 'fs.defaultFS': `tsdfs://127.0.0.1:${proxyPort}` };
    const datanode = await ServerProcess.start(['datanode', ...defines(config)], 'proxied datanode');
    try {
      await waitUntil('the proxied datanode registers', 10_000, async () => {
        const report = await cluster.client().rpc('datanodeReport', { type: 'live' });
        return report.live.some((node) => node.uuid === datanode.uuid);
      });
      assert.ok(captured[0], 'a register went through the proxy');

      const replayer = new WebSocket(namenodeUrl);
      const replies: Array<{ type: string; message?: string }> = [];
      replayer.on('message', (data) => replies.push(JSON.parse(String(data))));
      await new Promise((resolve, reject) => replayer.once('open', resolve).once('error', reject));
      await waitUntil('the challenge', 5_000, () => replies.length >= 1);
      assert.equal(replies[0]?.type, 'challenge');
      replayer.send(captured[0]);
      await waitUntil('the answer to the replay', 5_000, () => replies.length >= 2);
      assert.equal(replies[1]?.type, 'registrationRefused');
      assert.match(replies[1]?.message ?? '', /wrong cluster secret|replayed/);
      replayer.close();
    } finally {
      await datanode.kill('SIGTERM');
      for (const client of proxy.clients) client.terminate();
      proxy.close();
      await new Promise((resolve) => httpServer.close(resolve));
    }
  });
});

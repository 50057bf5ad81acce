// tsdfs.auth=token on a real cluster: anonymous, forged and expired requests get 401 with
// the reason; a token from `dfsadmin -issueToken` makes its holder that user, whatever
// X-Tsdfs-User claims; /metrics stays open.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Cluster, startCluster } from '../helpers/cluster.js';

let cluster: Cluster;
const admin = { TSDFS_USER_NAME: '', HADOOP_USER_NAME: '', TSDFS_TOKEN: '' };

before(async () => {
  cluster = await startCluster({ datanodes: 1, config: { 'dfs.replication': '1', 'tsdfs.auth': 'token' } });
  const root = cluster.client();
  await root.mkdir('/user/alice', { parents: true });
  await root.chown('/user/alice', 'alice');
});

after(async () => {
  await cluster?.stop();
});

async function rpc(method: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; authenticate: string | null }> {
  const response = await fetch(`http://${cluster.namenode.address}/rpc/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json(), authenticate: response.headers.get('www-authenticate') };
}

test('requests without a token are refused with 401 and the way to get one', async () => {
  const anonymous = await rpc('getFileInfo', { path: '/' }, { 'x-tsdfs-user': 'root' });
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.json.RemoteException.code, 'Unauthorized');
  assert.match(anonymous.json.RemoteException.message, /no token.*Authorization: Bearer.*dfsadmin -issueToken/);
  assert.match(anonymous.authenticate ?? '', /^Bearer/);
  assert.equal((await fetch(`http://${cluster.namenode.address}/status`)).status, 401);
  assert.equal((await fetch(`http://${cluster.namenode.address}/metrics`)).status, 200, '/metrics stays open');

  const cli = await cluster.cli(['ls', '/'], { env: admin });
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /^ls: .*Unauthorized: no token/m);
});

test('forged, malformed and expired tokens are refused, each with its reason', async () => {
  const token = cluster.issueToken('bob');
  const [body, mac] = token.split('.') as [string, string];
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  const forgedBody = Buffer.from(JSON.stringify({ ...claims, user: 'root' })).toString('base64url');
  const forged = await rpc('getFileInfo', { path: '/' }, { authorization: `Bearer ${forgedBody}.${mac}` });
  assert.equal(forged.status, 401);
  assert.match(forged.json.RemoteException.message, /signature is invalid/);

  const garbage = await rpc('getFileInfo', { path: '/' }, { authorization: 'Bearer not-a-token' });
  assert.equal(garbage.status, 401);
  assert.match(garbage.json.RemoteException.message, /malformed token/);

  const expired = cluster.issueToken('bob', 0.5 / 86_400);
  await new Promise((resolve) => setTimeout(resolve, 700));
  const late = await rpc('getFileInfo', { path: '/' }, { authorization: `Bearer ${expired}` });
  assert.equal(late.status, 401);
  assert.match(late.json.RemoteException.message, /token for user bob expired at \d{4}-/);
});

test('dfsadmin -issueToken prints a token the CLI uses as that user, never the header', async () => {
  const secretFile = `${cluster.nameDir}/cluster.secret`;
  const issued = await cluster.cli(['dfsadmin', '-issueToken', 'alice', '-expiry', '1', '-D', `tsdfs.cluster.secret.file=${secretFile}`]);
  assert.equal(issued.code, 0, issued.stderr);
  const token = issued.stdout.trim();
  assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);

  // The token's user wins over TSDFS_USER_NAME: alice cannot pretend to be root.
  const env = { TSDFS_TOKEN: token, TSDFS_USER_NAME: 'root' };
  const mkdir = await cluster.cli(['mkdir', 'docs'], { env });
  assert.equal(mkdir.code, 0, mkdir.stderr);
  const stat = JSON.parse((await cluster.cli(['stat', '--json', '/user/alice/docs'], { env })).stdout);
  assert.equal(stat.owner, 'alice');
  const denied = await cluster.cli(['mkdir', '/not-alices'], { env });
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /Permission denied: user=alice, access=WRITE, inode="\/"/);
  const report = await cluster.cli(['dfsadmin', '-report'], { env });
  assert.equal(report.code, 1, 'alice is no superuser');

  const noSecret = await cluster.cli(['dfsadmin', '-issueToken', 'alice', '-D', `tsdfs.cluster.secret.file=${cluster.dir}/nope`]);
  assert.equal(noSecret.code, 1);
  assert.match(noSecret.stderr, /cannot read the cluster secret file/);
});

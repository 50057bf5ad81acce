// The shared crypto of protocol/auth.ts: the secret file, derived keys, the handshake proofs
// and block tokens, each refusal with the reason it gives.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  BlockTokenKeys,
  ClusterSecretError,
  bearerToken,
  blockTokenKeyIdAt,
  blockTokenKeyRollIntervalMs,
  blockTokenLifetimeMs,
  clusterSecretFilePath,
  deriveKey,
  handshakeKey,
  hmac,
  newNonce,
  readClusterSecret,
  refusalProof,
  refusalProofValid,
  registeredProof,
  registeredProofValid,
  registerProof,
  registerProofValid,
} from '../../protocol/auth.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsdfs-auth-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the cluster secret file', () => {
  it('is read without surrounding whitespace; the default path is in the name dir', async () => {
    const file = join(dir, 'ok.secret');
    await writeFile(file, `  ${'a'.repeat(64)}\n`);
    assert.equal(readClusterSecret(file).toString(), 'a'.repeat(64));
    assert.equal(clusterSecretFilePath('', '/srv/name'), '/srv/name/cluster.secret');
    assert.equal(clusterSecretFilePath('/etc/tsdfs/s', '/srv/name'), '/etc/tsdfs/s');
  });

  it('missing or too short: an error naming the file and the config key', async () => {
    const missing = join(dir, 'missing.secret');
    assert.throws(() => readClusterSecret(missing), (error: Error) => {
      assert.ok(error instanceof ClusterSecretError);
      assert.ok(error.message.includes(missing));
      assert.match(error.message, /ENOENT/);
      assert.match(error.message, /tsdfs\.cluster\.secret\.file/);
      return true;
    });
    const short = join(dir, 'short.secret');
    await writeFile(short, 'abc\n');
    assert.throws(() => readClusterSecret(short), /too short \(3 characters, at least 32\).*tsdfs\.cluster\.secret\.file/);
  });
});

describe('keys and MACs', () => {
  const secret = randomBytes(32);
  it('derives a different key per purpose and per secret', () => {
    assert.notDeepEqual(deriveKey(secret, 'datanode-handshake'), deriveKey(secret, 'block-token:1'));
    assert.notDeepEqual(deriveKey(secret, 'block-token:1'), deriveKey(secret, 'block-token:2'));
    assert.deepEqual(deriveKey(secret, 'block-token:1'), deriveKey(Buffer.from(secret), 'block-token:1'));
    assert.notDeepEqual(deriveKey(randomBytes(32), 'block-token:1'), deriveKey(secret, 'block-token:1'));
  });

  it('length-prefixes the parts, so shifting a boundary changes the MAC', () => {
    const key = handshakeKey(secret);
    assert.notDeepEqual(hmac(key, 'ab', 'c'), hmac(key, 'a', 'bc'));
  });
});

describe('the datanode handshake', () => {
  const key = handshakeKey(randomBytes(32));
  const input = { nonce: newNonce(), clientNonce: newNonce(), datanodeUuid: 'dn-1', clusterId: 'CID-1' };

  it('a register proof checks out only for the same nonce, client nonce, uuid, cluster id and key', () => {
    const proof = registerProof(key, input);
    assert.equal(registerProofValid(key, input, proof), true);
    assert.equal(registerProofValid(key, { ...input, nonce: newNonce() }, proof), false, 'replayed on another connection');
    assert.equal(registerProofValid(key, { ...input, clientNonce: newNonce() }, proof), false);
    assert.equal(registerProofValid(key, { ...input, datanodeUuid: 'dn-2' }, proof), false);
    assert.equal(registerProofValid(key, { ...input, clusterId: 'CID-2' }, proof), false);
    assert.equal(registerProofValid(handshakeKey(randomBytes(32)), input, proof), false, 'wrong secret');
    assert.equal(registerProofValid(key, input, 'not base64'), false);
  });

  it("the namenode's proof is not the datanode's, and binds both nonces", () => {
    const proof = registeredProof(key, input.clientNonce, input.nonce);
    assert.equal(registeredProofValid(key, input.clientNonce, input.nonce, proof), true);
    assert.equal(registeredProofValid(key, input.nonce, input.clientNonce, proof), false);
    assert.notEqual(proof, registerProof(key, input));
  });

  it('a refusal signature binds both nonces and the reason, and needs the secret', () => {
    const reason = 'cluster id mismatch: datanode has CID-a, namenode has CID-b';
    const proof = refusalProof(key, input.nonce, input.clientNonce, reason);
    assert.equal(refusalProofValid(key, input.nonce, input.clientNonce, reason, proof), true);
    assert.equal(refusalProofValid(key, newNonce(), input.clientNonce, reason, proof), false, 'another connection');
    assert.equal(refusalProofValid(key, input.nonce, newNonce(), reason, proof), false, 'another register');
    assert.equal(refusalProofValid(key, input.nonce, input.clientNonce, 'wrong cluster secret', proof), false, 'reason edited');
    assert.equal(refusalProofValid(handshakeKey(randomBytes(32)), input.nonce, input.clientNonce, reason, proof), false, 'wrong secret');
    assert.equal(refusalProofValid(key, input.nonce, input.clientNonce, reason, registeredProof(key, input.clientNonce, input.nonce)), false, 'a registered proof is no refusal');
    assert.equal(refusalProofValid(key, input.nonce, input.clientNonce, reason, ''), false);
  });

  it('nonces are fresh 32-byte base64url strings', () => {
    assert.match(newNonce(), /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(newNonce(), newNonce());
  });
});

describe('block access tokens', () => {
  const secret = randomBytes(32);
  const keys = new BlockTokenKeys(secret);
  const now = 1_700_000_000_000;

  it('a token issued for a block and access passes for exactly that', () => {
    const token = keys.issue(42, 'read', 'alice', now);
    const checked = new BlockTokenKeys(secret).check(token, { blockId: 42, access: 'read', nowMs: now + 1000 });
    assert.ok(checked.ok);
    assert.deepEqual(checked.payload, { blockId: 42, access: 'read', user: 'alice', expiresAt: now + blockTokenLifetimeMs, keyId: blockTokenKeyIdAt(now) });
  });

  const refusal = (token: string | undefined, blockId = 42, access: 'read' | 'write' | 'copy' = 'read', at = now) => {
    const checked = keys.check(token, { blockId, access, nowMs: at });
    assert.equal(checked.ok, false);
    return checked.ok ? { code: '', reason: '' } : checked;
  };

  it('no token is Unauthorized; every other fault is AccessDenied with its reason', () => {
    assert.equal(refusal(undefined).code, 'Unauthorized');
    assert.equal(refusal('').code, 'Unauthorized');
    const good = keys.issue(42, 'read', 'alice', now);
    const [body] = good.split('.');
    assert.match(refusal('garbage').reason, /malformed/);
    assert.match(refusal(`${Buffer.from('{"blockId":42}').toString('base64url')}.x`).reason, /malformed/);
    assert.match(refusal(`${body}.${randomBytes(32).toString('base64url')}`).reason, /bad signature/);
    assert.match(refusal(new BlockTokenKeys(randomBytes(32)).issue(42, 'read', 'alice', now)).reason, /bad signature/);
    assert.match(refusal(good, 42, 'read', now + blockTokenLifetimeMs).reason, /expired/);
    assert.match(refusal(good, 43).reason, /is for block 42, not block 43/);
    assert.match(refusal(good, 42, 'write').reason, /grants read access, not write/);
    assert.equal(refusal(good, 42, 'write').code, 'AccessDenied');
  });

  it('a changed payload breaks the signature (user, access or expiry cannot be edited)', () => {
    const [body, mac] = keys.issue(42, 'read', 'alice', now).split('.');
    const payload = JSON.parse(Buffer.from(body ?? '', 'base64url').toString());
    const edited = Buffer.from(JSON.stringify({ ...payload, access: 'write' })).toString('base64url');
    assert.match(refusal(`${edited}.${mac}`, 42, 'write').reason, /bad signature/);
  });

  it('keys roll over: key ids current-1..current+1 pass, older ones are retired', () => {
    const mint = (keyId: number) => keys.mint({ blockId: 42, access: 'copy', user: 'nn', expiresAt: now + 60_000, keyId });
    const current = blockTokenKeyIdAt(now);
    for (const keyId of [current - 1, current, current + 1]) {
      assert.equal(keys.check(mint(keyId), { blockId: 42, access: 'copy', nowMs: now }).ok, true, `key id ${keyId}`);
    }
    assert.match(refusal(mint(current - 2), 42, 'copy').reason, /retired/);
    assert.match(refusal(mint(current + 2), 42, 'copy').reason, /retired/);
    // A token issued just before a roll is still good just after it.
    const lastMoment = (current + 1) * blockTokenKeyRollIntervalMs - 1;
    const token = keys.issue(42, 'write', 'alice', lastMoment);
    assert.equal(keys.check(token, { blockId: 42, access: 'write', nowMs: lastMoment + blockTokenLifetimeMs - 1 }).ok, true);
  });

  it('reads the token from an Authorization header', () => {
    assert.equal(bearerToken('Bearer abc.def'), 'abc.def');
    assert.equal(bearerToken('bearer  abc.def '), 'abc.def');
    assert.equal(bearerToken(undefined), undefined);
    assert.equal(bearerToken('Basic dXNlcg=='), '');
  });
});

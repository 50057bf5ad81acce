// The datanode handshake for tests that speak the link by hand: a fake datanode signs its
// register over the namenode's challenge, a fake namenode answers with its own proof.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { handshakeKey, newNonce, registeredProof, registerProof } from '../../protocol/auth.js';
import type { DatanodeRegistration, Register } from '../../protocol/datanode-namenode.js';

/** A fresh secret, written as `namenode -format` writes it (64 hex digits, mode 0600). */
export async function writeTestClusterSecret(dir: string): Promise<{ file: string; secret: Buffer }> {
  const text = randomBytes(32).toString('hex');
  const file = join(dir, 'cluster.secret');
  await writeFile(file, `${text}\n`, { mode: 0o600 });
  return { file, secret: Buffer.from(text, 'utf8') };
}

/** A register message answering the challenge `nonce`, proving `secret`. */
export function signedRegister(secret: Buffer, nonce: string, registration: DatanodeRegistration): Register {
  const clientNonce = newNonce();
  const proof = registerProof(handshakeKey(secret), { nonce, clientNonce, datanodeUuid: registration.datanodeUuid, clusterId: registration.clusterId });
  return { ...registration, clientNonce, proof };
}

/** The namenode's proof for a `registered` reply to `register` on a link challenged with `nonce`. */
export function namenodeProof(secret: Buffer, register: Pick<Register, 'clientNonce'>, nonce: string): string {
  return registeredProof(handshakeKey(secret), register.clientNonce, nonce);
}

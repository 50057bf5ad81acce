// The cluster's shared-secret crypto, used by both ends of every authenticated exchange:
// reading the secret file, keys derived from it per purpose, the datanode handshake proofs
// and block access tokens. Only node:crypto and node:fs; the secret never goes on the wire.
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { BlockId, SafeInt } from './common.js';

export const clusterSecretFileKey = 'tsdfs.cluster.secret.file';
/** `namenode -format` writes 32 random bytes as 64 hex digits; less than 128 bits is refused. */
export const minClusterSecretChars = 32;
/** Anything bigger is not a secret file someone meant to point at. */
const maxClusterSecretFileBytes = 64 * 1024;

/** The secret file is missing, unreadable or too short: the process cannot authenticate. */
export class ClusterSecretError extends Error {
  override readonly name = 'ClusterSecretError';
}

/** `tsdfs.cluster.secret.file` when set, else `<dfs.namenode.name.dir>/cluster.secret` (as format writes it). */
export function clusterSecretFilePath(configured: string, nameDir: string): string {
  return configured !== '' ? configured : join(nameDir, 'cluster.secret');
}

/** The secret's bytes: the file's text without surrounding whitespace. */
export function readClusterSecret(file: string): Buffer {
  const hint = `(set ${clusterSecretFileKey} to the cluster.secret file copied from the namenode's name dir, mode 0600)`;
  let text: string;
  try {
    const raw = readFileSync(file);
    if (raw.length > maxClusterSecretFileBytes) throw new ClusterSecretError(`cluster secret file ${file} is larger than ${maxClusterSecretFileBytes} bytes ${hint}`);
    text = raw.toString('utf8').trim();
  } catch (error) {
    if (error instanceof ClusterSecretError) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ClusterSecretError(`cannot read the cluster secret file ${file}: ${reason} ${hint}`);
  }
  if (text.length < minClusterSecretChars) {
    throw new ClusterSecretError(`cluster secret file ${file} is too short (${text.length} characters, at least ${minClusterSecretChars}) ${hint}`);
  }
  return Buffer.from(text, 'utf8');
}

/** A key for one purpose (`datanode-handshake`, `block-token:<keyId>`), so no key serves two jobs. */
export function deriveKey(secret: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'tsdfs-cluster-secret', purpose, 32));
}

/** HMAC-SHA256 over the parts, each length-prefixed so `"ab"+"c"` never equals `"a"+"bc"`. */
export function hmac(key: Buffer, ...parts: string[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) {
    const bytes = Buffer.from(part, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length, 0);
    mac.update(length).update(bytes);
  }
  return mac.digest();
}

/** Constant-time comparison of a MAC we computed with one we were given (base64url). */
export function macMatches(expected: Buffer, given: string): boolean {
  const givenBytes = Buffer.from(given, 'base64url');
  return givenBytes.length === expected.length && timingSafeEqual(givenBytes, expected);
}

// ---- datanode handshake ----

export const handshakeKeyPurpose = 'datanode-handshake';
export const nonceBytes = 32;
/** base64url of `nonceBytes` bytes. */
export const Nonce = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'expected a 32-byte base64url nonce');
export const Proof = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'expected a base64url HMAC-SHA256');

export function newNonce(): string {
  return randomBytes(nonceBytes).toString('base64url');
}

export function handshakeKey(secret: Buffer): Buffer {
  return deriveKey(secret, handshakeKeyPurpose);
}

export interface RegisterProofInput {
  /** The namenode's challenge for this connection. */
  nonce: string;
  /** The datanode's own nonce, which the namenode's answer must cover. */
  clientNonce: string;
  datanodeUuid: string;
  clusterId: string;
}

/** The datanode's proof: HMAC(key, 'register' ‖ nonce ‖ clientNonce ‖ datanodeUuid ‖ clusterId). */
export function registerProof(key: Buffer, input: RegisterProofInput): string {
  return hmac(key, 'register', input.nonce, input.clientNonce, input.datanodeUuid, input.clusterId).toString('base64url');
}

export function registerProofValid(key: Buffer, input: RegisterProofInput, proof: string): boolean {
  return macMatches(hmac(key, 'register', input.nonce, input.clientNonce, input.datanodeUuid, input.clusterId), proof);
}

/** The namenode's answer: HMAC(key, clientNonce ‖ nonce ‖ 'namenode'), proving it holds the secret too. */
export function registeredProof(key: Buffer, clientNonce: string, nonce: string): string {
  return hmac(key, clientNonce, nonce, 'namenode').toString('base64url');
}

export function registeredProofValid(key: Buffer, clientNonce: string, nonce: string, proof: string): boolean {
  return macMatches(hmac(key, clientNonce, nonce, 'namenode'), proof);
}

/**
 * The namenode's signature on a refusal: HMAC(key, 'registrationRefused' ‖ nonce ‖ clientNonce ‖
 * reason). A refusal makes a datanode give up, so only a holder of the secret may send one, and
 * only on this connection for this register (both nonces), with this reason.
 */
export function refusalProof(key: Buffer, nonce: string, clientNonce: string, reason: string): string {
  return hmac(key, 'registrationRefused', nonce, clientNonce, reason).toString('base64url');
}

export function refusalProofValid(key: Buffer, nonce: string, clientNonce: string, reason: string, proof: string): boolean {
  return macMatches(hmac(key, 'registrationRefused', nonce, clientNonce, reason), proof);
}

// ---- block access tokens ----

export const BlockAccess = z.enum(['read', 'write', 'copy']);
export type BlockAccess = z.infer<typeof BlockAccess>;

/** Keys roll every interval; a key lives for three (previous, current, next), stateless on datanodes. */
export const blockTokenKeyRollIntervalMs = 10 * 60 * 60 * 1000;
/**
 * HDFS's default token lifetime (10 h, `dfs.block.access.token.lifetime` = 600 min). Never longer
 * than the key roll interval, so a token's key is still accepted for as long as the token lives.
 */
export const blockTokenLifetimeMs = 10 * 60 * 60 * 1000;
/** Bounds what a datanode parses from an Authorization header. */
export const maxBlockTokenChars = 2048;

export const BlockTokenPayload = z
  .object({
    blockId: BlockId,
    access: BlockAccess,
    user: z.string().max(256),
    /** Epoch milliseconds. */
    expiresAt: SafeInt,
    keyId: SafeInt,
  })
  .strict();
export type BlockTokenPayload = z.infer<typeof BlockTokenPayload>;

export function blockTokenKeyIdAt(nowMs: number): number {
  return Math.floor(nowMs / blockTokenKeyRollIntervalMs);
}

export type BlockTokenCheck =
  | { ok: true; payload: BlockTokenPayload }
  /** `Unauthorized`: no token; `AccessDenied`: a token that does not grant this. */
  | { ok: false; code: 'Unauthorized' | 'AccessDenied'; reason: string };

export interface BlockTokenRequest {
  blockId: number;
  access: BlockAccess;
  nowMs: number;
}

/** Mints and checks block tokens; derived keys are cached per key id (at most a few live). */
export class BlockTokenKeys {
  private readonly keys = new Map<number, Buffer>();

  constructor(private readonly secret: Buffer) {}

  key(keyId: number): Buffer {
    let key = this.keys.get(keyId);
    if (key === undefined) {
      if (this.keys.size >= 8) this.keys.clear();
      key = deriveKey(this.secret, `block-token:${keyId}`);
      this.keys.set(keyId, key);
    }
    return key;
  }

  /** base64url(JSON payload) + '.' + base64url(HMAC(key(keyId), that first part)). */
  mint(payload: BlockTokenPayload): string {
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${body}.${hmac(this.key(payload.keyId), body).toString('base64url')}`;
  }

  /** A token for `access` to `blockId`, valid for `lifetimeMs` (at most `blockTokenLifetimeMs`) from `nowMs`. */
  issue(blockId: number, access: BlockAccess, user: string, nowMs: number, lifetimeMs = blockTokenLifetimeMs): string {
    const expiresAt = nowMs + Math.max(1, Math.min(Math.round(lifetimeMs), blockTokenLifetimeMs));
    return this.mint({ blockId, access, user, expiresAt, keyId: blockTokenKeyIdAt(nowMs) });
  }

  check(token: string | undefined, wanted: BlockTokenRequest): BlockTokenCheck {
    if (token === undefined || token === '') {
      return { ok: false, code: 'Unauthorized', reason: `block access token required for ${wanted.access} of block ${wanted.blockId} (send Authorization: Bearer <token>)` };
    }
    const denied = (reason: string): BlockTokenCheck => ({ ok: false, code: 'AccessDenied', reason: `block access token ${reason}` });
    const dot = token.indexOf('.');
    if (token.length > maxBlockTokenChars || dot <= 0) return denied('is malformed');
    const body = token.slice(0, dot);
    const payload = BlockTokenPayload.safeParse(safeJson(Buffer.from(body, 'base64url').toString('utf8')));
    if (!payload.success) return denied('is malformed');
    const { keyId } = payload.data;
    const currentKeyId = blockTokenKeyIdAt(wanted.nowMs);
    if (Math.abs(keyId - currentKeyId) > 1) return denied(`was signed with an unknown or retired key (key id ${keyId}, current ${currentKeyId})`);
    if (!macMatches(hmac(this.key(keyId), body), token.slice(dot + 1))) return denied('has a bad signature (forged or signed with another cluster secret)');
    if (payload.data.expiresAt <= wanted.nowMs) return denied(`expired at ${new Date(payload.data.expiresAt).toISOString()}`);
    if (payload.data.blockId !== wanted.blockId) return denied(`is for block ${payload.data.blockId}, not block ${wanted.blockId}`);
    if (payload.data.access !== wanted.access) return denied(`grants ${payload.data.access} access, not ${wanted.access}`);
    return { ok: true, payload: payload.data };
  }
}

/** The token of an `Authorization: Bearer <token>` header; undefined when there is none. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? '';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// User tokens for `tsdfs.auth=token`: `tsdfs dfsadmin -issueToken USER` signs one with a
// key derived from the cluster secret (purpose `user-token`); the namenode checks it on
// every request and takes the caller's user from it, never from a header.
//   token = base64url(JSON {user, expiry, issuedAt}) + '.' + base64url(HMAC-SHA256(key, first part))
import { z } from 'zod';
import { deriveKey, hmac, macMatches } from './auth.js';
import { defaultUserTokenDays } from './limits.js';
import { SafeInt, UserName } from './common.js';

export const userTokenKeyPurpose = 'user-token';
// In limits.ts (no zod there), so the CLI's help text names the default without loading zod.
export { defaultUserTokenDays, maxUserTokenDays } from './limits.js';
/** Bounds what the namenode parses from an Authorization header. */
export const maxUserTokenChars = 2048;
const dayMs = 24 * 60 * 60 * 1000;

export const UserTokenPayload = z.strictObject({
  user: UserName,
  /** Epoch milliseconds after which the token is refused. */
  expiry: SafeInt,
  issuedAt: SafeInt,
});
export type UserTokenPayload = z.infer<typeof UserTokenPayload>;

export function userTokenKey(secret: Buffer): Buffer {
  return deriveKey(secret, userTokenKeyPurpose);
}

export function issueUserToken(secret: Buffer, user: string, nowMs: number, days = defaultUserTokenDays): string {
  const payload = UserTokenPayload.parse({ user, expiry: nowMs + Math.round(days * dayMs), issuedAt: nowMs });
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${body}.${hmac(userTokenKey(secret), body).toString('base64url')}`;
}

export type UserTokenCheck = { ok: true; payload: UserTokenPayload } | { ok: false; reason: string };

/** Verifies signature and expiry; the reason says which check failed, for the 401 message. */
export function verifyUserToken(key: Buffer, token: string | undefined, nowMs: number): UserTokenCheck {
  if (token === undefined || token === '') {
    return { ok: false, reason: 'no token: this namenode runs with tsdfs.auth=token; send Authorization: Bearer <token> (get one with tsdfs dfsadmin -issueToken USER; the CLI reads TSDFS_TOKEN)' };
  }
  const payload = decodeUserToken(token);
  if (payload === undefined) return { ok: false, reason: 'malformed token: expected base64url(JSON).base64url(HMAC) as dfsadmin -issueToken prints it' };
  const body = token.slice(0, token.indexOf('.'));
  if (!macMatches(hmac(key, body), token.slice(token.indexOf('.') + 1))) {
    return { ok: false, reason: 'token signature is invalid (forged, altered, or signed with another cluster secret)' };
  }
  if (payload.expiry <= nowMs) return { ok: false, reason: `token for user ${payload.user} expired at ${new Date(payload.expiry).toISOString()}` };
  return { ok: true, payload };
}

/**
 * The payload, unverified: the client reads its own user from it (for its home directory);
 * only the namenode's `verifyUserToken` decides whether it is worth anything.
 */
export function decodeUserToken(token: string): UserTokenPayload | undefined {
  const dot = token.indexOf('.');
  if (token.length > maxUserTokenChars || dot <= 0 || token.indexOf('.', dot + 1) !== -1) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = UserTokenPayload.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

// Who is calling, per `tsdfs.auth`. `simple` (HDFS's default): the user the client names in
// `X-Tsdfs-User`, trusted as HDFS trusts `user.name`. `token`: only a valid, unexpired
// `Authorization: Bearer <token>` signed with the cluster secret counts, and its user is the
// caller whatever headers say; anything else is 401 with the reason.
import type { IncomingHttpHeaders } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { bearerToken } from '../../protocol/auth.js';
import { userHeader } from '../../protocol/client-namenode.js';
import { UserName } from '../../protocol/common.js';
import { DfsError } from '../../protocol/errors.js';
import { userTokenKey, verifyUserToken } from '../../protocol/user-token.js';

/** Callers that name no user, as HDFS's simple auth without `user.name`. */
export const anonymousUser = 'anonymous';

/** The WWW-Authenticate header of every 401. */
export const unauthorizedChallenge = 'Bearer realm="tsdfs"';

export type NamenodeAuth = { mode: 'simple' } | { mode: 'token'; key: Buffer; clock: () => number };

export function namenodeAuthOf(mode: 'simple' | 'token', clusterSecret: () => Buffer, clock: () => number = Date.now): NamenodeAuth {
  return mode === 'token' ? { mode, key: userTokenKey(clusterSecret()), clock } : { mode };
}

/** The last user name checked, so a keep-alive client's every call does not re-run the schema. */
let lastValidUser = '';

/** The authenticated user of a request's headers; throws `Unauthorized` (401) in token mode when there is none. */
export function authenticatedUser(headers: IncomingHttpHeaders, auth: NamenodeAuth): string {
  if (auth.mode === 'token') {
    const check = verifyUserToken(auth.key, bearerToken(headers.authorization), auth.clock());
    if (!check.ok) throw new DfsError('Unauthorized', `Unauthorized: ${check.reason}`);
    return check.payload.user;
  }
  const header = headers[userHeader];
  // Node joins repeated custom headers into one string; an array never comes for this one.
  if (typeof header !== 'string' || header === '') return anonymousUser;
  if (header === lastValidUser) return header;
  const user = UserName.safeParse(header);
  if (!user.success) throw new DfsError('InvalidRequest', `invalid ${userHeader} header: ${user.error.issues[0]?.message ?? 'bad user name'}`);
  if (user.data === header) lastValidUser = header;
  return user.data;
}

/** Express middleware: the user goes to `response.locals.user`; a 401 carries WWW-Authenticate. */
export function requireAuthentication(auth: NamenodeAuth) {
  return (request: Request, response: Response, next: NextFunction): void => {
    try {
      response.locals.user = authenticatedUser(request.headers, auth);
    } catch (error) {
      if (error instanceof DfsError && error.code === 'Unauthorized') response.set('WWW-Authenticate', unauthorizedChallenge);
      throw error;
    }
    next();
  };
}

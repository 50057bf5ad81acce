// Who is calling, per `tsdfs.auth`. `simple` (HDFS's default): the user the client names in
// `X-Tsdfs-User`, trusted as HDFS trusts `user.name`. `token`: only a valid, unexpired
// `Authorization: Bearer <token>` signed with the cluster secret counts, and its user is the
// caller whatever headers say; anything else is 401 with the reason.
import type { NextFunction, Request, Response } from 'express';
import { bearerToken } from '../../protocol/auth.js';
import { userHeader } from '../../protocol/client-namenode.js';
import { UserName } from '../../protocol/common.js';
import { DfsError } from '../../protocol/errors.js';
import { userTokenKey, verifyUserToken } from '../../protocol/user-token.js';

/** Callers that name no user, as HDFS's simple auth without `user.name`. */
export const anonymousUser = 'anonymous';

export type NamenodeAuth = { mode: 'simple' } | { mode: 'token'; key: Buffer; clock: () => number };

export function namenodeAuthOf(mode: 'simple' | 'token', clusterSecret: () => Buffer, clock: () => number = Date.now): NamenodeAuth {
  return mode === 'token' ? { mode, key: userTokenKey(clusterSecret()), clock } : { mode };
}

/** The authenticated user of a request; throws `Unauthorized` (401) in token mode when there is none. */
export function authenticatedUser(request: Request, auth: NamenodeAuth): string {
  if (auth.mode === 'token') {
    const check = verifyUserToken(auth.key, bearerToken(request.get('authorization')), auth.clock());
    if (!check.ok) throw new DfsError('Unauthorized', `Unauthorized: ${check.reason}`);
    return check.payload.user;
  }
  const header = request.get(userHeader);
  if (header === undefined || header === '') return anonymousUser;
  const user = UserName.safeParse(header);
  if (!user.success) throw new DfsError('InvalidRequest', `invalid ${userHeader} header: ${user.error.issues[0]?.message ?? 'bad user name'}`);
  return user.data;
}

/** Express middleware: the user goes to `response.locals.user`; a 401 carries WWW-Authenticate. */
export function requireAuthentication(auth: NamenodeAuth) {
  return (request: Request, response: Response, next: NextFunction): void => {
    try {
      response.locals.user = authenticatedUser(request, auth);
    } catch (error) {
      if (error instanceof DfsError && error.code === 'Unauthorized') response.set('WWW-Authenticate', 'Bearer realm="tsdfs"');
      throw error;
    }
    next();
  };
}

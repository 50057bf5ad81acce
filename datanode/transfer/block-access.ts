// Block access tokens on the data path: `GET`/`PUT /blocks/<id>` need a token the namenode
// signed for that block and access. Datanodes derive the keys from the cluster secret
// themselves, so checking is stateless and survives namenode restarts and key roll-over.
import type http from 'node:http';
import { type BlockAccess, BlockTokenKeys, bearerToken } from '../../protocol/auth.js';
import { DfsError } from '../../protocol/errors.js';

export type CheckBlockAccess = (request: http.IncomingMessage, blockId: number, access: BlockAccess) => void;

/** Throws `Unauthorized` (no token) or `AccessDenied` (a token that does not grant this), saying why. */
export function blockTokenChecker(clusterSecret: Buffer, clock: () => number = Date.now): CheckBlockAccess {
  const keys = new BlockTokenKeys(clusterSecret);
  return (request, blockId, access) => {
    const header = request.headers.authorization;
    const result = keys.check(bearerToken(typeof header === 'string' ? header : undefined), { blockId, access, nowMs: clock() });
    if (!result.ok) throw new DfsError(result.code, result.reason);
  };
}

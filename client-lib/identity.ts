// Who the client is: the user the namenode checks permissions against, and the client
// name that owns leases (HDFS's DFSClient name).
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { decodeUserToken } from '../protocol/user-token.js';

/**
 * With TSDFS_TOKEN, the token's user (the namenode takes it from there in token mode, so the
 * home directory must match); otherwise TSDFS_USER_NAME, then HADOOP_USER_NAME (as HDFS's
 * shell), then the OS user.
 */
export function defaultUserName(env: NodeJS.ProcessEnv = process.env): string {
  const fromToken = env.TSDFS_TOKEN ? decodeUserToken(env.TSDFS_TOKEN)?.user : undefined;
  if (fromToken) return fromToken;
  const fromEnv = env.TSDFS_USER_NAME || env.HADOOP_USER_NAME;
  if (fromEnv) return fromEnv;
  try {
    return userInfo().username;
  } catch {
    // A container user without a passwd entry has no name; fall back like a shell would.
    return env.USER || env.LOGNAME || 'nobody';
  }
}

export function newClientName(): string {
  return `tsdfs-client-${process.pid}-${randomBytes(4).toString('hex')}`;
}

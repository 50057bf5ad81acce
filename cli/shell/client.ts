// The part of the client library the shell uses, as an interface: commands depend on this
// shape, tests hand in fakes, and the real DfsClient is loaded only when a command needs it.
import { defaultUserName } from '../../client-lib/identity.js';
import type { Readable, Writable } from 'node:stream';
import type { Config } from '../../config/index.js';
import type { ContentSummary, RpcMethod, RpcRequest, RpcResponse } from '../../protocol/client-namenode.js';
import type { FileStatus } from '../../protocol/common.js';

export interface WriteOptions {
  overwrite?: boolean;
  replication?: number;
  blockSize?: number;
  /** Let `create` allocate the first block (client-lib WriteOptions); false for a file that stays empty. */
  firstBlock?: boolean;
  /** Rename the file to this path as it completes (client-lib WriteOptions). */
  renameTo?: string;
  /** The writer may keep the chunks it is given (client-lib WriteOptions). */
  adoptChunks?: boolean;
}

export interface ReadOptions {
  start?: number;
  end?: number;
}

export interface ShellClient {
  readonly user: string;
  homeDirectory(): string;
  /** Relative paths → under the home directory; `tsdfs://h:p/x` → `/x`. */
  resolve(path: string): string;
  rpc<M extends RpcMethod>(method: M, request: RpcRequest<M>): Promise<RpcResponse<M>>;
  /** Throws DfsError `FileNotFound` when the path does not exist. */
  stat(path: string): Promise<FileStatus>;
  exists(path: string): Promise<boolean>;
  list(path: string): AsyncIterable<FileStatus>;
  mkdir(path: string, options?: { parents?: boolean; permission?: string }): Promise<unknown>;
  rm(path: string, options?: { recursive?: boolean }): Promise<unknown>;
  mv(src: string, dst: string): Promise<unknown>;
  setReplication(path: string, replication: number): Promise<unknown>;
  chmod(path: string, permission: string): Promise<unknown>;
  chown(path: string, owner?: string, group?: string): Promise<unknown>;
  contentSummary(path: string): Promise<ContentSummary>;
  createWriteStream(path: string, options?: WriteOptions): Writable | Promise<Writable>;
  createReadStream(path: string, options?: ReadOptions): Readable | Promise<Readable>;
  /**
   * `data` as the whole file, as client-lib's DfsClient.writeFile (cheaper than a write
   * stream for a small file); a fake may leave it out and the shell streams instead.
   */
  writeFile?(path: string, data: Buffer, options?: WriteOptions): Promise<void>;
  /** The whole file in one buffer, as DfsClient.readFile; optional as writeFile. */
  readFile?(path: string): Promise<Buffer>;
  /**
   * The file's bytes into `sink` (not ended), as client-lib's DfsClient.writeFileTo; a fake
   * may leave it out and the shell pipes `createReadStream` instead.
   */
  writeFileTo?(path: string, sink: Writable, options: ReadOptions & { reuseBuffers?: boolean; onProgress?: (bytes: number) => void }): Promise<void>;
  close(): Promise<void> | void;
}

/** The caller's name as the DESIGN says: TSDFS_TOKEN's user, TSDFS_USER_NAME, HADOOP_USER_NAME, the OS user. */
export function callerName(env: NodeJS.ProcessEnv): string {
  return defaultUserName(env);
}

/** Builds the real client; imported lazily so `tsdfs help` and the servers never load it. */
export async function createDfsClient(config: Config, env: NodeJS.ProcessEnv): Promise<ShellClient> {
  const { DfsClient } = await import('../../client-lib/index.js');
  const token = env.TSDFS_TOKEN;
  const client = new DfsClient({ config, user: callerName(env), ...(token ? { token } : {}) });
  return client;
}

// DfsClient: the one object applications and the CLI use to talk to a tsdfs cluster —
// namespace calls to the namenode, block pipelines and verified reads with datanodes.
import { createWriteStream as createLocalWriteStream } from 'node:fs';
import { rename, stat as statLocal, unlink } from 'node:fs/promises';
import type http from 'node:http';
import { basename, join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { type Config, isExplicitlySet, loadConfig, readTrustedCa, schemeOf } from '../config/index.js';
import type { ContentSummary, RpcMethod, RpcRequest, RpcResponse } from '../protocol/client-namenode.js';
import type { FileStatus } from '../protocol/common.js';
import { DfsError } from '../protocol/errors.js';
import { packetDataBytes } from '../protocol/limits.js';
import { baseName, joinPath } from '../protocol/paths.js';
import type { ClientContext } from './client-context.js';
import { defaultUserName, newClientName } from './identity.js';
import { LeaseRenewer } from './lease-renewer.js';
import { localFileStream } from './local-file.js';
import { NamenodeRpc } from './namenode/rpc-client.js';
import { homeDirectoryOf, namenodeHttpBase, resolveDfsPath } from './paths.js';
import { closeConnectionPool } from './http1/datanode-connection.js';
import type { ReadOptions } from './read/file-reader.js';
import { readableFromParts } from './read/parts-readable.js';
// Not loaded with the read path: writeFileTo must listen to the caller's sink before its
// first await, or a sink failing meanwhile (a local file that cannot be opened) throws an
// unhandled 'error'. It costs nothing: read-slabs.js comes with datanode-connection.js.
import { writePartsTo } from './read/parts-sink.js';
import { createAgent } from './transport.js';
import { writeWholeFile } from './write/whole-file.js';
import { type WriteOptions, createFileWriteStream } from './write/write-stream.js';

export interface DfsClientOptions {
  /** Default: `loadConfig()`. */
  config?: Config;
  /**
   * `tsdfs://host:port`, `http://host:port` or `https://host:port`; default `fs.defaultFS`.
   * `tsdfs://` means HTTPS when the config has a tsdfs.tls.* key (see config `schemeOf`).
   */
  namenode?: string;
  /** Default: TSDFS_USER_NAME, HADOOP_USER_NAME, the OS user. */
  user?: string;
  /** Sent as `Authorization: Bearer` (token auth mode); default TSDFS_TOKEN. */
  token?: string;
  /** Names this client's leases; default `tsdfs-client-<pid>-<random>`. */
  clientName?: string;
}

export type { ReadOptions, WriteOptions };

/** A local file being fetched is written beside its target under this suffix, as HDFS's shell does. */
const copyingSuffix = '._COPYING_';

export class DfsClient {
  readonly user: string;
  readonly namenode: string;
  readonly clientName: string;
  private readonly datanodeAgent: http.Agent;
  private readonly namenodeRpc: NamenodeRpc;
  private readonly leaseRenewer: LeaseRenewer;
  private readonly context: ClientContext;
  private serverDefaultsReply: Promise<RpcResponse<'getServerDefaults'>> | null = null;
  /** The read path's module, imported by the first read. */
  private readPath: Promise<typeof import('./read/file-reader.js')> | null = null;
  /** Replication and block size from the client's own config when the user set them. */
  private readonly writeDefaults: WriteOptions;

  constructor(options: DfsClientOptions = {}) {
    const config = options.config ?? loadConfig();
    this.writeDefaults = {
      ...(isExplicitlySet(config, 'dfs.replication') ? { replication: config['dfs.replication'] } : {}),
      ...(isExplicitlySet(config, 'dfs.blocksize') ? { blockSize: config['dfs.blocksize'] } : {}),
    };
    this.user = options.user ?? defaultUserName();
    const address = options.namenode ?? config['fs.defaultFS'];
    // The whole cluster speaks TLS or none of it does: datanodes in the namenode's scheme.
    const scheme = schemeOf(address, config);
    this.namenode = parseNamenodeAddress(address, scheme);
    const ca = scheme === 'https' ? readTrustedCa(config) : undefined;
    this.datanodeAgent = createAgent(scheme, { keepAlive: true, ca });
    this.clientName = options.clientName ?? newClientName();
    this.namenodeRpc = new NamenodeRpc({
      baseUrl: this.namenode,
      user: this.user,
      token: options.token ?? (process.env.TSDFS_TOKEN || undefined),
      ca,
    });
    this.leaseRenewer = new LeaseRenewer(async () => {
      await this.rpc('renewLease', { clientName: this.clientName });
    }, Math.max(100, Math.floor(config['tsdfs.lease.soft-limit.ms'] / 2)));
    this.context = {
      rpc: this.namenodeRpc,
      clientName: this.clientName,
      datanodeAgent: this.datanodeAgent,
      leaseRenewer: this.leaseRenewer,
      serverDefaults: () => this.serverDefaults(),
    };
  }

  homeDirectory(): string {
    return homeDirectoryOf(this.user);
  }

  resolve(path: string): string {
    return resolveDfsPath(path, this.homeDirectory());
  }

  rpc<M extends RpcMethod>(method: M, request: RpcRequest<M>): Promise<RpcResponse<M>> {
    return this.namenodeRpc.call(method, request);
  }

  /** Block size, checksum chunk and replication the namenode uses; asked once per client. */
  serverDefaults(): Promise<RpcResponse<'getServerDefaults'>> {
    this.serverDefaultsReply ??= this.rpc('getServerDefaults', {});
    this.serverDefaultsReply.catch(() => {
      this.serverDefaultsReply = null;
    });
    return this.serverDefaultsReply;
  }

  // ---- namespace ----

  async stat(path: string): Promise<FileStatus> {
    const resolved = this.resolve(path);
    const { status } = await this.rpc('getFileInfo', { path: resolved });
    if (status === null) throw new DfsError('FileNotFound', `File does not exist: ${resolved}`);
    return status;
  }

  async exists(path: string): Promise<boolean> {
    const { status } = await this.rpc('getFileInfo', { path: this.resolve(path) });
    return status !== null;
  }

  /** Every entry, one namenode page at a time, so a huge directory never sits in memory whole. */
  async *list(path: string): AsyncGenerator<FileStatus> {
    const resolved = this.resolve(path);
    let startAfter: string | undefined;
    for (;;) {
      const page = await this.rpc('listing', { path: resolved, ...(startAfter !== undefined ? { startAfter } : {}) });
      yield* page.entries;
      const last = page.entries.at(-1);
      if (page.remaining === 0 || last === undefined) return;
      startAfter = baseName(last.path);
    }
  }

  async ls(path: string): Promise<FileStatus[]> {
    const entries: FileStatus[] = [];
    for await (const entry of this.list(path)) entries.push(entry);
    return entries;
  }

  async mkdir(path: string, options: { parents?: boolean; permission?: string } = {}): Promise<void> {
    const resolved = this.resolve(path);
    const parents = options.parents ?? false;
    const { created } = await this.rpc('mkdirs', {
      path: resolved,
      createParent: parents,
      ...(options.permission !== undefined ? { permission: options.permission } : {}),
    });
    if (!created && !parents) throw new DfsError('FileAlreadyExists', `${resolved}: File exists`);
  }

  async rm(path: string, options: { recursive?: boolean } = {}): Promise<boolean> {
    const { deleted } = await this.rpc('delete', { path: this.resolve(path), recursive: options.recursive ?? false });
    return deleted;
  }

  async mv(src: string, dst: string): Promise<string> {
    const from = this.resolve(src);
    const to = this.resolve(dst);
    const reply = await this.rpc('rename', { src: from, dst: to });
    if (!reply.renamed) {
      if (!(await this.exists(from))) throw new DfsError('FileNotFound', `File does not exist: ${from}`);
      throw new DfsError('InvalidRequest', `could not rename ${from} to ${to}`);
    }
    return reply.dst;
  }

  async setReplication(path: string, replication: number): Promise<void> {
    await this.rpc('setReplication', { path: this.resolve(path), replication });
  }

  async chmod(path: string, permission: string): Promise<void> {
    await this.rpc('setPermission', { path: this.resolve(path), permission });
  }

  async chown(path: string, owner?: string, group?: string): Promise<void> {
    await this.rpc('setOwner', {
      path: this.resolve(path),
      ...(owner !== undefined ? { owner } : {}),
      ...(group !== undefined ? { group } : {}),
    });
  }

  contentSummary(path: string): Promise<ContentSummary> {
    return this.rpc('getContentSummary', { path: this.resolve(path) });
  }

  // ---- data ----

  /**
   * 'finish' is emitted only after the namenode accepted `complete`; any failure is an 'error'.
   * Replication and block size: `options`, else this client's config where the user set them
   * (site file, environment, -D), else the namenode's defaults.
   */
  createWriteStream(path: string, options: WriteOptions = {}): Writable {
    const renameTo = options.renameTo !== undefined ? { renameTo: this.resolve(options.renameTo) } : {};
    return createFileWriteStream(this.context, this.resolve(path), { ...this.writeDefaults, ...options, ...renameTo });
  }

  createReadStream(path: string, options: ReadOptions = {}): Readable {
    return readableFromParts(this.readParts(this.resolve(path), options));
  }

  /**
   * Writes the file's bytes (or `options`' range) into `sink`, which is not ended. With
   * `reuseBuffers`, the memory of each chunk is reused once the sink's write callback for it
   * ran: only for a sink that keeps nothing after that (a file or stdout stream), never for
   * one that collects chunks. Cheaper than `createReadStream` piped: no stream in between.
   */
  async writeFileTo(path: string, sink: Writable, options: ReadOptions & { reuseBuffers?: boolean } = {}): Promise<void> {
    const { reuseBuffers = false, ...readOptions } = options;
    await writePartsTo(this.readParts(this.resolve(path), { ...readOptions, recycle: reuseBuffers }), sink, reuseBuffers);
  }

  /**
   * The file's bytes, as read/file-reader's readFileRange. The read path (and the native
   * CRC32C) is imported with the first read, so a client that only lists (every `tsdfs ls`)
   * does not load it at start-up.
   */
  private async *readParts(resolved: string, options: ReadOptions): AsyncGenerator<Buffer[]> {
    this.readPath ??= import('./read/file-reader.js');
    const { readFileRange } = await this.readPath;
    yield* readFileRange(this.context, resolved, options);
  }

  /**
   * Writes `data` as the whole file, without a stream in between (cheaper per small file).
   * With `adoptChunks`, packets reference `data` instead of a copy: the caller must not
   * touch it until this resolves (or ever, if it rejects while acks are pending).
   */
  async writeFile(path: string, data: Buffer | string, options: WriteOptions = {}): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : options.adoptChunks === true ? data : Buffer.from(data);
    const renameTo = options.renameTo !== undefined ? { renameTo: this.resolve(options.renameTo) } : {};
    await writeWholeFile(this.context, this.resolve(path), bytes, { ...this.writeDefaults, ...options, ...renameTo, adoptChunks: true });
  }

  /** The whole file in one buffer. */
  async readFile(path: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    // Fresh buffers (no recycling): kept until the concat.
    for await (const parts of this.readParts(this.resolve(path), {})) for (const part of parts) chunks.push(part);
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  }

  /** Copies a local file in; into `remotePath/<name>` when `remotePath` is a directory. */
  async put(localPath: string, remotePath: string, options: WriteOptions = {}): Promise<void> {
    const local = await statLocal(localPath);
    if (local.isDirectory()) throw new DfsError('PathIsDirectory', `${localPath} is a directory`);
    let target = this.resolve(remotePath);
    const existing = await this.rpc('getFileInfo', { path: target });
    if (existing.status?.type === 'directory') target = joinPath(target, basename(localPath));
    // The local file's chunks are fresh buffers nobody reuses: packets may reference them.
    const source = localFileStream(localPath, local.size);
    await pipeline(source, this.createWriteStream(target, { ...options, adoptChunks: true, firstBlock: options.firstBlock ?? local.size > 0 }));
  }

  /**
   * Copies a file out; into `localPath/<name>` when `localPath` is a directory. The bytes go
   * to a `._COPYING_` file renamed at the end, so a failed copy never looks complete.
   */
  async get(remotePath: string, localPath: string, options: ReadOptions = {}): Promise<void> {
    const source = this.resolve(remotePath);
    const localStatus = await statLocal(localPath).catch(() => null);
    const target = localStatus?.isDirectory() ? join(localPath, baseName(source)) : localPath;
    const partial = `${target}${copyingSuffix}`;
    try {
      const sink = createLocalWriteStream(partial, { highWaterMark: packetDataBytes });
      try {
        await this.writeFileTo(source, sink, { ...options, reuseBuffers: true });
      } catch (error) {
        sink.destroy();
        throw error;
      }
      await finished(sink.end());
      await rename(partial, target);
    } catch (error) {
      await unlink(partial).catch(() => {});
      throw error;
    }
  }

  async close(): Promise<void> {
    this.leaseRenewer.stop();
    this.namenodeRpc.close();
    this.datanodeAgent.destroy();
    closeConnectionPool(this.datanodeAgent);
  }
}

function parseNamenodeAddress(address: string, scheme: 'http' | 'https'): string {
  const base = namenodeHttpBase(address, scheme);
  if (base === null) throw new DfsError('InvalidRequest', `bad namenode address ${JSON.stringify(address)}: expected tsdfs://host:port, http://host:port or https://host:port`);
  return base;
}

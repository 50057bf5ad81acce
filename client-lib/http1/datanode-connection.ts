// Plain-TCP keep-alive connections to datanodes, without node:http. A block-read socket
// reads straight into the unused tail of a read slab (`onread`), so a read makes no buffer
// of its own; a write-pipeline socket, which reads only acks, reads into one small buffer
// of its own, reused read after read. Either hands what arrived to whoever holds the
// connection now. Two pools per client (found by its datanode agent), one for reads and
// one for writes, keep idle connections for the next block.
import type http from 'node:http';
import net from 'node:net';
import { describeConnectionError } from '../transport.js';
import { minReadBytes, type ReadSlab, retireSlab, takeSlab } from './read-slabs.js';

/** An idle connection is closed after this long: before the datanode's 5 s keep-alive timeout, so we close first. */
export const idleConnectionMs = 4_000;
/** Idle read connections kept per datanode (each keeps its 2 MiB slab). */
export const maxIdlePerDatanode = 4;
/**
 * Idle write connections kept per datanode: as many as the CLI's transfers in flight
 * (32 files), which may all have gone to one datanode; with fewer, a put of small files
 * opened a new connection for most of them. Each holds only its ack buffer.
 */
export const maxIdleWritesPerDatanode = 32;
/** The read buffer of a write connection: acks are 9 bytes and a few per packet; a refusal's JSON is small. */
export const ackReadBufferBytes = 16 * 1024;

export interface ConnectionReceiver {
  /** Bytes that arrived (a view valid until the receiver releases it); false pauses reading. */
  onBytes(bytes: Buffer): boolean;
  /** The connection broke or closed while this receiver held it. Called at most once. */
  onClose(error: Error): void;
}

export class DatanodeConnection {
  private readonly socket: net.Socket;
  /** The slab reads land in; null on a write connection, which reads into one fixed buffer. */
  private slab: ReadSlab | null;
  private receiver: ConnectionReceiver | null = null;
  private closed = false;
  /** Requests this connection has carried (a reused one may have been closed by the datanode meanwhile). */
  requests = 0;

  constructor(
    readonly name: string,
    private readonly pool: DatanodeConnectionPool,
  ) {
    const { host, port } = splitHostPort(name);
    this.slab = pool.kind === 'read' ? takeSlab() : null;
    const buffer = pool.kind === 'read' ? () => this.nextReadBuffer() : Buffer.allocUnsafeSlow(ackReadBufferBytes);
    this.socket = net.connect({
      host,
      port,
      noDelay: true,
      onread: { buffer, callback: (bytes, view) => this.onRead(bytes, view) },
    });
    this.socket.on('error', (error) => this.close(new Error(describeConnectionError(error), { cause: error })));
    this.socket.on('end', () => this.close(new Error('the datanode closed the connection')));
    this.socket.on('close', () => {
      this.close(new Error('the connection closed'));
      if (this.slab !== null) retireSlab(this.slab);
    });
    this.socket.on('timeout', () => {
      const timeoutMs = this.socket.timeout ?? 0;
      this.close(this.receiver === null ? null : new Error(`no data for ${timeoutMs} ms`));
    });
  }

  get usable(): boolean {
    return !this.closed;
  }

  /** Sends a request and routes the reply's bytes to `receiver`; `idleTimeoutMs` of silence fails it (0: no limit). */
  send(request: string, receiver: ConnectionReceiver, idleTimeoutMs: number): void {
    if (this.closed) throw new Error('send on a closed datanode connection');
    this.receiver = receiver;
    this.requests++;
    this.socket.ref();
    this.socket.setTimeout(idleTimeoutMs);
    this.socket.write(request, 'latin1');
  }

  /**
   * More of the request (a streamed body): one buffer is one write; several go out corked,
   * as one writev. Back-pressure is the caller's: the write pipeline bounds unacked packets.
   */
  write(parts: readonly Buffer[]): void {
    if (this.closed) return;
    if (parts.length === 1) {
      this.socket.write(parts[0] as Buffer);
      return;
    }
    this.socket.cork();
    for (const part of parts) this.socket.write(part);
    this.socket.uncork();
  }

  resume(): void {
    if (!this.closed) this.socket.resume();
  }

  /** Back to the pool: the reply was read to its end and the connection may carry another. */
  release(): void {
    this.receiver = null;
    if (this.closed) return;
    this.socket.resume();
    this.socket.unref();
    this.socket.setTimeout(idleConnectionMs);
    this.pool.keep(this);
  }

  /** Closes the connection; the receiver (if any) hears `error` unless it is null. */
  close(error: Error | null): void {
    const receiver = this.receiver;
    this.receiver = null;
    if (!this.closed) {
      this.closed = true;
      this.pool.forget(this);
      this.socket.destroy();
    }
    if (receiver !== null && error !== null) receiver.onClose(error);
  }

  /** The tail of the current slab, or a fresh slab when the tail is too short for a good read. */
  private nextReadBuffer(): Buffer {
    let slab = this.slab as ReadSlab;
    if (slab.buffer.length - slab.used < minReadBytes) {
      retireSlab(slab);
      slab = takeSlab();
      this.slab = slab;
    }
    return slab.buffer.subarray(slab.used);
  }

  private onRead(bytes: number, buffer: Uint8Array): boolean {
    if (this.slab !== null) this.slab.used += bytes;
    const receiver = this.receiver;
    if (receiver === null) {
      // Nothing was asked: bytes on an idle connection mean it is out of step.
      this.close(null);
      return false;
    }
    const view = Buffer.from(buffer.buffer, buffer.byteOffset, bytes);
    try {
      return receiver.onBytes(view);
    } catch (error) {
      // Receivers report their own failures; this guards the socket's read callback.
      this.close(error instanceof Error ? error : new Error(String(error)));
      return false;
    }
  }
}

/** Idle connections of one client, by datanode `host:port`. */
export class DatanodeConnectionPool {
  private readonly idle = new Map<string, DatanodeConnection[]>();
  private closed = false;
  private readonly maxIdle: number;

  /** `read` connections read into slabs; `write` ones into a small buffer whose views last only the read callback. */
  constructor(readonly kind: 'read' | 'write' = 'read') {
    this.maxIdle = kind === 'read' ? maxIdlePerDatanode : maxIdleWritesPerDatanode;
  }

  /** An idle connection to `name`, or a new one. */
  acquire(name: string): DatanodeConnection {
    const list = this.idle.get(name);
    while (list !== undefined && list.length > 0) {
      const connection = list.pop() as DatanodeConnection;
      if (connection.usable) return connection;
    }
    return new DatanodeConnection(name, this);
  }

  keep(connection: DatanodeConnection): void {
    const list = this.idle.get(connection.name) ?? [];
    if (this.closed || list.length >= this.maxIdle) {
      connection.close(null);
      return;
    }
    list.push(connection);
    this.idle.set(connection.name, list);
  }

  forget(connection: DatanodeConnection): void {
    const list = this.idle.get(connection.name);
    const at = list?.indexOf(connection) ?? -1;
    if (list !== undefined && at >= 0) list.splice(at, 1);
    if (list?.length === 0) this.idle.delete(connection.name);
  }

  close(): void {
    this.closed = true;
    for (const list of [...this.idle.values()]) for (const connection of [...list]) connection.close(null);
    this.idle.clear();
  }
}

const pools = new WeakMap<http.Agent, DatanodeConnectionPool>();
const writePools = new WeakMap<http.Agent, DatanodeConnectionPool>();

/** The raw block-read connection pool that goes with a client's datanode agent. */
export function connectionPoolFor(agent: http.Agent): DatanodeConnectionPool {
  return poolIn(pools, agent, 'read');
}

/** The raw write-pipeline connection pool that goes with a client's datanode agent. */
export function writeConnectionPoolFor(agent: http.Agent): DatanodeConnectionPool {
  return poolIn(writePools, agent, 'write');
}

function poolIn(map: WeakMap<http.Agent, DatanodeConnectionPool>, agent: http.Agent, kind: 'read' | 'write'): DatanodeConnectionPool {
  let pool = map.get(agent);
  if (pool === undefined) {
    pool = new DatanodeConnectionPool(kind);
    map.set(agent, pool);
  }
  return pool;
}

export function closeConnectionPool(agent: http.Agent): void {
  for (const map of [pools, writePools]) {
    map.get(agent)?.close();
    map.delete(agent);
  }
}

/** `host:port` or `[v6]:port`. */
export function splitHostPort(name: string): { host: string; port: number } {
  const colon = name.lastIndexOf(':');
  const port = Number(name.slice(colon + 1));
  let host = name.slice(0, Math.max(colon, 0));
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (colon <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad datanode address ${JSON.stringify(name)}`);
  return { host, port };
}

// Keep-alive connections to the namenode for `POST /rpc/<method>`, one exchange at a time
// per connection, straight on net/tls sockets. node:http's ClientRequest, agent and
// IncomingMessage cost about 40 µs of client CPU per call, three times what this does
// (docs/architecture.md); the namenode is the only peer, and it always answers with a
// framed reply, so the small parser in http-reply-parser.ts (on the strict head and
// chunked parsing of client-lib/http1/) is all the HTTP needed.
import net from 'node:net';
import tls from 'node:tls';
import { HttpReplyParser, type ParsedReply, truncatedReplyMessage } from './http-reply-parser.js';

/** Connections one client opens to the namenode at most; more calls wait for a free one. */
export const maxRpcConnections = 16;
/** TCP keep-alive probes on idle connections start after this long (node:http's agent does the same). */
const tcpKeepAliveDelayMs = 1_000;

export interface RpcTarget {
  host: string;
  port: number;
  /** Set for HTTPS: the CA that signs the namenode's certificate (undefined: the system's). */
  tls: { ca: Buffer | undefined } | undefined;
  /** A connection silent this long while a call waits is given up (and an idle one closed). */
  idleTimeoutMs: number;
  maxReplyBytes: number;
}

/** Why an exchange failed, so the caller words it as node:http's callers did. */
export class ExchangeError extends Error {
  constructor(
    override readonly cause: Error,
    /** Some of the reply had arrived: the namenode broke it off, rather than being unreachable. */
    readonly replyStarted: boolean,
    /** A reused connection failed before any reply byte: the server had closed it while idle; safe to send again. */
    readonly stale: boolean,
  ) {
    super(cause.message);
  }
}

const staleCodes = new Set(['ECONNRESET', 'EPIPE']);

class RpcConnection {
  readonly socket: net.Socket;
  /** Has carried an exchange already (so a failure before any reply byte means it went stale). */
  reused = false;
  private readonly maxReplyBytes: number;
  private parser: HttpReplyParser | undefined;
  private settle: ((error: Error | undefined, reply?: ParsedReply) => void) | undefined;

  constructor(
    target: RpcTarget,
    session: Buffer | undefined,
    private readonly onIdleClose: (connection: RpcConnection) => void,
    onSession: (session: Buffer) => void,
  ) {
    if (target.tls === undefined) {
      this.socket = net.connect({ host: target.host, port: target.port, noDelay: true });
    } else {
      const secure = tls.connect({
        host: target.host,
        port: target.port,
        // As https.Agent: SNI only for names, never for an IP address.
        ...(net.isIP(target.host) === 0 ? { servername: target.host } : {}),
        ...(target.tls.ca ? { ca: target.tls.ca } : {}),
        ...(session ? { session } : {}),
      });
      secure.setNoDelay(true);
      secure.on('session', onSession);
      this.socket = secure;
    }
    this.socket.setKeepAlive(true, tcpKeepAliveDelayMs);
    this.socket.setTimeout(target.idleTimeoutMs);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('timeout', () => this.fail(new Error(`no reply within ${target.idleTimeoutMs} ms`)));
    this.socket.on('error', (error: Error) => this.fail(error));
    this.socket.on('end', () => this.onEnd());
    this.socket.on('close', () => this.fail(new Error('connection closed before the reply ended')));
    this.maxReplyBytes = target.maxReplyBytes;
  }

  get busy(): boolean {
    return this.settle !== undefined;
  }

  /** Sends one request (`head` ASCII/latin1, `body` UTF-8) and resolves with the framed reply. */
  exchange(head: string, headIsAscii: boolean, body: string): Promise<ParsedReply> {
    return new Promise((resolve, reject) => {
      this.parser = new HttpReplyParser(this.maxReplyBytes);
      this.settle = (error, reply) => (error === undefined ? resolve(reply as ParsedReply) : reject(error));
      this.socket.ref();
      if (headIsAscii) {
        this.socket.write(head + body);
      } else {
        this.socket.cork();
        this.socket.write(head, 'latin1');
        this.socket.write(body, 'utf8');
        this.socket.uncork();
      }
    });
  }

  private onData(chunk: Buffer): void {
    const parser = this.parser;
    if (parser === undefined) {
      // Bytes nobody asked for: the connection is out of step; drop it.
      this.socket.destroy();
      return;
    }
    let reply: ParsedReply | undefined;
    try {
      reply = parser.push(chunk);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    if (reply !== undefined) this.complete(reply);
  }

  private onEnd(): void {
    const parser = this.parser;
    if (parser === undefined) {
      this.socket.destroy();
      return;
    }
    try {
      this.complete(parser.end());
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private complete(reply: ParsedReply): void {
    const settle = this.settle;
    this.parser = undefined;
    this.settle = undefined;
    this.reused = true;
    if (!reply.keepAlive) this.socket.destroy();
    else this.socket.unref();
    settle?.(undefined, reply);
  }

  /** Ends the connection; a waiting exchange fails with `cause`. */
  private fail(cause: Error): void {
    const settle = this.settle;
    const started = this.parser?.started ?? false;
    this.parser = undefined;
    this.settle = undefined;
    if (!this.socket.destroyed) this.socket.destroy();
    if (settle === undefined) {
      this.onIdleClose(this);
      return;
    }
    const code = (cause as NodeJS.ErrnoException).code ?? '';
    const stale = this.reused && !started && (staleCodes.has(code) || cause.message === truncatedReplyMessage);
    settle(new ExchangeError(cause, started, stale));
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/**
 * At most `maxRpcConnections` connections; a call takes an idle one, else opens one, else
 * waits in line for one to come free (calls are bounded by the caller's own concurrency).
 */
export class RpcConnectionPool {
  private readonly idle: RpcConnection[] = [];
  private readonly waiting: Array<() => void> = [];
  private open = 0;
  /** Connections already counted out of `open` (a close is heard both by `release` and by the socket). */
  private readonly gone = new WeakSet<RpcConnection>();
  private tlsSession: Buffer | undefined;
  private closed = false;

  constructor(private readonly target: RpcTarget) {}

  /** One exchange on a pooled connection; `fresh` skips idle connections (the retry after a stale one). */
  async exchange(head: string, headIsAscii: boolean, body: string, fresh = false): Promise<ParsedReply> {
    const connection = await this.acquire(fresh);
    try {
      return await connection.exchange(head, headIsAscii, body);
    } finally {
      this.release(connection);
    }
  }

  private async acquire(fresh: boolean): Promise<RpcConnection> {
    for (;;) {
      if (this.closed) throw new Error('the client is closed');
      const idle = fresh ? undefined : this.idle.pop();
      if (idle !== undefined) return idle;
      if (this.open < maxRpcConnections) {
        this.open++;
        return new RpcConnection(
          this.target,
          this.tlsSession,
          (connection) => this.forget(connection),
          (session) => {
            this.tlsSession = session;
          },
        );
      }
      if (fresh && this.idle.length > 0) {
        // Make room for the fresh connection by closing an idle one.
        (this.idle.shift() as RpcConnection).destroy();
        continue;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(connection: RpcConnection): void {
    if (connection.socket.destroyed || this.closed) {
      connection.destroy();
      this.forget(connection);
    } else {
      this.idle.push(connection);
      this.waiting.shift()?.();
    }
  }

  /** A connection that closed (busy or idle): no longer offered, and counted out once. */
  private forget(connection: RpcConnection): void {
    const index = this.idle.indexOf(connection);
    if (index !== -1) this.idle.splice(index, 1);
    if (this.gone.has(connection)) return;
    this.gone.add(connection);
    this.open--;
    this.waiting.shift()?.();
  }

  close(): void {
    this.closed = true;
    for (const connection of this.idle.splice(0)) connection.destroy();
    for (const wake of this.waiting.splice(0)) wake();
  }
}

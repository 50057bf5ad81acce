// Typed calls to the namenode's `POST /rpc/<method>`: the request is checked against the
// protocol schema before it leaves, the reply parsed with it when it arrives, and a
// RemoteException is rebuilt into the DfsError the server threw. The bytes travel over
// the client's own keep-alive connections (rpc-connections.ts), not node:http.
import { type RpcMethod, type RpcRequest, type RpcResponse, rpcMethods, userHeader } from '../../protocol/client-namenode.js';
import { DfsError, describeZodError, dfsErrorFromResponse } from '../../protocol/errors.js';
import { describeTlsFailure } from '../../protocol/tls-errors.js';
import { ExchangeError, RpcConnectionPool } from './rpc-connections.js';

/** Replies larger than this are refused; an fsck of a huge tree is the largest legitimate one. */
export const maxRpcReplyBytes = 256 * 1024 * 1024;
/** A namenode that sends nothing for this long is treated as gone. */
export const rpcIdleTimeoutMs = 120_000;

export interface NamenodeRpcOptions {
  /** `http://host:port` or `https://host:port`. */
  baseUrl: string;
  user: string;
  token: string | undefined;
  /** For https: the CA that signs the namenode's certificate (undefined: the system's CAs). */
  ca?: Buffer | undefined;
}

interface HttpReply {
  status: number;
  body: unknown;
}

/** What node:http refuses in a header value (CR, LF, NUL, other controls, beyond latin1). */
const invalidHeaderValue = /[^\t\x20-\x7e\x80-\xff]/;
const nonAscii = /[^\x00-\x7f]/;

export class NamenodeRpc {
  private readonly connections: RpcConnectionPool;
  private readonly pathPrefix: string;
  /** The header lines every request carries after its Content-Length, ending the head. */
  private readonly headTail: string;
  private readonly headTailIsAscii: boolean;
  /** Set when the user or token cannot go in a header: every call fails with it, as node:http would. */
  private readonly headerError: DfsError | undefined;

  constructor(private readonly options: NamenodeRpcOptions) {
    const url = new URL(options.baseUrl);
    const https = url.protocol === 'https:';
    this.connections = new RpcConnectionPool({
      // An IPv6 literal comes bracketed in a URL; sockets want it bare.
      host: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port === '' ? (https ? 443 : 80) : Number(url.port),
      tls: https ? { ca: options.ca } : undefined,
      idleTimeoutMs: rpcIdleTimeoutMs,
      maxReplyBytes: maxRpcReplyBytes,
    });
    this.pathPrefix = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
    const token = options.token ? `authorization: Bearer ${options.token}\r\n` : '';
    this.headTail = `host: ${url.host}\r\ncontent-type: application/json\r\n${userHeader}: ${options.user}\r\n${token}\r\n`;
    this.headTailIsAscii = !nonAscii.test(this.headTail);
    const badHeader = invalidHeaderValue.test(options.user) ? 'user name' : options.token && invalidHeaderValue.test(options.token) ? 'token' : undefined;
    this.headerError = badHeader === undefined ? undefined : new DfsError('InvalidRequest', `the ${badHeader} holds a character that cannot go in an HTTP header`);
  }

  async call<M extends RpcMethod>(method: M, request: RpcRequest<M>): Promise<RpcResponse<M>> {
    const schemas = rpcMethods[method];
    const checked = schemas.request.safeParse(request);
    if (!checked.success) {
      throw new DfsError('InvalidRequest', `invalid ${method} request: ${describeZodError(checked.error)}`);
    }
    if (this.headerError !== undefined) throw this.headerError;
    const reply = await this.postWithRetry(method, JSON.stringify(checked.data));
    if (reply.status !== 200) throw dfsErrorFromResponse(reply.status, reply.body);
    const parsed = schemas.response.safeParse(reply.body);
    if (!parsed.success) {
      throw new DfsError('Internal', `namenode sent an invalid ${method} reply: ${describeZodError(parsed.error)}`);
    }
    return parsed.data as RpcResponse<M>;
  }

  /** Closes the idle connections; calls after this fail. */
  close(): void {
    this.connections.close();
  }

  /**
   * A keep-alive connection the server closed while idle fails on reuse before any reply
   * byte; that one case is safe to send again, on a new connection (node:http's documented
   * pattern).
   */
  private async postWithRetry(method: string, body: string): Promise<HttpReply> {
    const head = `POST ${this.pathPrefix}/rpc/${method} HTTP/1.1\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${this.headTail}`;
    try {
      return await this.post(method, head, body, false);
    } catch (error) {
      if (error instanceof ExchangeError && error.stale) return this.post(method, head, body, true);
      throw this.describe(method, error);
    }
  }

  private async post(method: string, head: string, body: string, fresh: boolean): Promise<HttpReply> {
    try {
      const reply = await this.connections.exchange(head, this.headTailIsAscii, body, fresh);
      return { status: reply.status, body: parseJsonOrText(reply.body.toString('utf8')) };
    } catch (error) {
      if (fresh) throw this.describe(method, error);
      throw error;
    }
  }

  /** The DfsError a failed exchange means to the caller. */
  private describe(method: string, error: unknown): Error {
    if (!(error instanceof ExchangeError)) return error instanceof DfsError ? error : new DfsError('Unavailable', `cannot reach namenode ${this.options.baseUrl} (${method}): ${String(error)}`);
    if (error.replyStarted) return new DfsError('Unavailable', `namenode ${this.options.baseUrl} broke off the ${method} reply: ${error.message}`);
    const tlsFailure = describeTlsFailure(error.cause);
    if (tlsFailure !== null) return new DfsError('Unavailable', `namenode ${this.options.baseUrl}: ${tlsFailure}`);
    return new DfsError('Unavailable', `cannot reach namenode ${this.options.baseUrl} (${method}): ${error.message}`);
  }
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

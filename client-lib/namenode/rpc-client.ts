// Typed calls to the namenode's `POST /rpc/<method>`: the request is checked against the
// protocol schema before it leaves, the reply parsed with it when it arrives, and a
// RemoteException is rebuilt into the DfsError the server threw.
import http from 'node:http';
import { type RpcMethod, type RpcRequest, type RpcResponse, rpcMethods, userHeader } from '../../protocol/client-namenode.js';
import { DfsError, describeZodError, dfsErrorFromResponse } from '../../protocol/errors.js';
import { describeTlsFailure } from '../../protocol/tls-errors.js';
import { requestAt } from '../transport.js';

/** Replies larger than this are refused; an fsck of a huge tree is the largest legitimate one. */
export const maxRpcReplyBytes = 256 * 1024 * 1024;
/** A namenode that sends nothing for this long is treated as gone. */
export const rpcIdleTimeoutMs = 120_000;

export interface NamenodeRpcOptions {
  /** `http://host:port`, or `https://host:port` with an https.Agent. */
  baseUrl: string;
  user: string;
  token: string | undefined;
  agent: http.Agent;
}

interface HttpReply {
  status: number;
  body: unknown;
}

export class NamenodeRpc {
  /** Scheme, host and port of `baseUrl`, split once: a URL string is parsed again on every request. */
  private readonly target: http.RequestOptions;
  private readonly pathPrefix: string;

  constructor(private readonly options: NamenodeRpcOptions) {
    const url = new URL(options.baseUrl);
    this.target = {
      protocol: url.protocol,
      // An IPv6 literal comes bracketed in a URL; http.request wants it bare.
      hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      ...(url.port === '' ? {} : { port: url.port }),
    };
    this.pathPrefix = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  }

  async call<M extends RpcMethod>(method: M, request: RpcRequest<M>): Promise<RpcResponse<M>> {
    const schemas = rpcMethods[method];
    const checked = schemas.request.safeParse(request);
    if (!checked.success) {
      throw new DfsError('InvalidRequest', `invalid ${method} request: ${describeZodError(checked.error)}`);
    }
    const reply = await this.postWithRetry(method, JSON.stringify(checked.data));
    if (reply.status !== 200) throw dfsErrorFromResponse(reply.status, reply.body);
    const parsed = schemas.response.safeParse(reply.body);
    if (!parsed.success) {
      throw new DfsError('Internal', `namenode sent an invalid ${method} reply: ${describeZodError(parsed.error)}`);
    }
    return parsed.data as RpcResponse<M>;
  }

  /**
   * A keep-alive socket the server closed while idle fails with ECONNRESET on reuse before
   * the request was read; that one case is safe to send again (Node's documented pattern).
   */
  private async postWithRetry(method: string, body: string): Promise<HttpReply> {
    try {
      return await this.post(method, body);
    } catch (error) {
      if (error instanceof StaleSocketError) return this.post(method, body);
      throw error;
    }
  }

  private post(method: string, body: string): Promise<HttpReply> {
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      [userHeader]: this.options.user,
    };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    return new Promise<HttpReply>((resolve, reject) => {
      const request = requestAt(this.options.agent, { ...this.target, path: `${this.pathPrefix}/rpc/${method}`, method: 'POST', headers });
      request.setTimeout(rpcIdleTimeoutMs, () => request.destroy(new Error(`no reply within ${rpcIdleTimeoutMs} ms`)));
      request.on('error', (error: NodeJS.ErrnoException) => {
        const tlsFailure = describeTlsFailure(error);
        if (request.reusedSocket && error.code === 'ECONNRESET') reject(new StaleSocketError());
        else if (tlsFailure !== null) reject(new DfsError('Unavailable', `namenode ${this.options.baseUrl}: ${tlsFailure}`));
        else reject(new DfsError('Unavailable', `cannot reach namenode ${this.options.baseUrl} (${method}): ${error.message}`));
      });
      request.on('response', (response) => {
        readReply(response).then(resolve, (error: Error) =>
          reject(new DfsError('Unavailable', `namenode ${this.options.baseUrl} broke off the ${method} reply: ${error.message}`)),
        );
      });
      request.end(body);
    });
  }
}

class StaleSocketError extends Error {}

/** The whole reply, refused past `maxRpcReplyBytes`; plain listeners, cheaper per call than an async iterator. */
function readReply(response: http.IncomingMessage): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    response.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxRpcReplyBytes) {
        response.destroy(new Error(`reply larger than ${maxRpcReplyBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    response.once('error', reject);
    response.once('end', () => {
      const text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks, bytes).toString('utf8');
      resolve({ status: response.statusCode ?? 0, body: parseJsonOrText(text) });
    });
    response.once('close', () => {
      if (!response.complete) reject(new Error('connection closed before the reply ended'));
    });
  });
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

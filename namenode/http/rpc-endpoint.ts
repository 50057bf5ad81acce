// `POST /rpc/<method>` served straight from node:http, ahead of express: express's router,
// body-parser and response helpers cost more namenode CPU per call than most methods do.
// Same contract as the express route (which stays for everything this path does not take:
// compressed bodies, other charsets, unknown methods, odd URLs): the caller is
// authenticated first, the body is at most `maxRpcBodyBytes` of JSON whose top level is an
// object or array (body-parser's strict mode), and every failure is a RemoteException.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { type RpcMethod, isRpcMethod, rpcMethods } from '../../protocol/client-namenode.js';
import { DfsError, parseOrThrow } from '../../protocol/errors.js';
import { maxRpcBodyBytes } from '../../protocol/limits.js';
import type { Caller } from '../namespace/namespace-context.js';
import type { RpcHandlers } from '../rpc/rpc-handlers.js';
import type { NamenodeMetrics } from './namenode-metrics.js';
import { type NamenodeAuth, authenticatedUser, unauthorizedChallenge } from './request-auth.js';

export interface RpcEndpointDeps {
  handlers: RpcHandlers;
  metrics: NamenodeMetrics;
  log: Logger;
  auth: NamenodeAuth;
}

const rpcPrefix = '/rpc/';

/** One method's metric series, looked up once: prom-client hashes the labels on every call otherwise. */
interface MethodSeries {
  duration: { observe(seconds: number): void };
  ok: { inc(): void };
}
const seriesByMetrics = new WeakMap<NamenodeMetrics, Map<RpcMethod, MethodSeries>>();

function seriesOf(metrics: NamenodeMetrics, method: RpcMethod): MethodSeries {
  let byMethod = seriesByMetrics.get(metrics);
  if (byMethod === undefined) seriesByMetrics.set(metrics, (byMethod = new Map()));
  let series = byMethod.get(method);
  if (series === undefined) {
    series = { duration: metrics.rpcDuration.labels({ method }), ok: metrics.rpcCalls.labels({ method, outcome: 'ok' }) };
    byMethod.set(method, series);
  }
  return series;
}

/** Validates, runs and times one call; the answer or a thrown DfsError. Shared with the express route. */
export async function runRpc(deps: Pick<RpcEndpointDeps, 'handlers' | 'metrics'>, method: RpcMethod, body: unknown, caller: Caller): Promise<unknown> {
  const series = seriesOf(deps.metrics, method);
  const started = performance.now();
  try {
    const parsed = parseOrThrow(rpcMethods[method].request as never, body, `${method} request`);
    const handler = deps.handlers[method] as (request: unknown, caller: Caller) => unknown;
    const result = await handler(parsed, caller);
    series.ok.inc();
    return result;
  } catch (error) {
    deps.metrics.rpcCalls.inc({ method, outcome: error instanceof DfsError ? error.code : 'Internal' });
    throw error;
  } finally {
    series.duration.observe((performance.now() - started) / 1000);
  }
}

/**
 * The RPC method this path serves for `request`, or undefined to leave it to express: only
 * a POST to exactly `/rpc/<known method>` (query ignored) with a plain UTF-8 body.
 */
function fastRpcMethod(request: IncomingMessage): RpcMethod | undefined {
  if (request.method !== 'POST') return undefined;
  const url = request.url ?? '';
  if (!url.startsWith(rpcPrefix)) return undefined;
  const query = url.indexOf('?');
  const name = url.slice(rpcPrefix.length, query === -1 ? undefined : query);
  if (!isRpcMethod(name)) return undefined;
  const encoding = request.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return undefined;
  const type = request.headers['content-type'];
  if (type !== undefined && /charset/i.test(type) && !/charset\s*=\s*"?utf-8"?\s*(;|$)/i.test(type)) return undefined;
  return name;
}

/** Returns a listener that answers the RPC requests it takes and says whether it took this one. */
export function createRpcEndpoint(deps: RpcEndpointDeps): (request: IncomingMessage, response: ServerResponse) => boolean {
  return (request, response) => {
    const method = fastRpcMethod(request);
    if (method === undefined) return false;
    serve(deps, method, request, response).catch((error: unknown) => replyError(deps.log, request, response, error));
    return true;
  };
}

async function serve(deps: RpcEndpointDeps, method: RpcMethod, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const user = authenticatedUser(request.headers, deps.auth);
  const body = await readJsonBody(request);
  const host = (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const result = await runRpc(deps, method, body, { user, host });
  const text = JSON.stringify(result);
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** The body as JSON (`{}` when empty); refuses more than `maxRpcBodyBytes` and non-JSON. */
function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxRpcBodyBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > maxRpcBodyBytes) {
        request.off('data', onData);
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('error', reject);
    request.once('end', () => {
      if (bytes > maxRpcBodyBytes) return;
      try {
        resolve(parseStrictJson(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks, bytes).toString('utf8')));
      } catch {
        reject(new DfsError('InvalidRequest', 'request body is not valid JSON'));
      }
    });
  });
}

function tooLarge(): DfsError {
  return new DfsError('LimitExceeded', `request body is larger than ${maxRpcBodyBytes} bytes`);
}

/** body-parser's strict JSON: empty is `{}`, otherwise the top level must be an object or array. */
function parseStrictJson(text: string): unknown {
  const trimmed = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (trimmed.length === 0) return {};
  const first = /^[\x20\x09\x0a\x0d]*(.)/.exec(trimmed)?.[1];
  if (first !== '{' && first !== '[') throw new SyntaxError('not an object or array');
  return JSON.parse(trimmed);
}

function replyError(log: Logger, request: IncomingMessage, response: ServerResponse, error: unknown): void {
  let dfsError = error instanceof DfsError ? error : undefined;
  if (dfsError === undefined) {
    log.error({ err: error, method: request.method, path: request.url }, 'unexpected error handling a request');
    dfsError = new DfsError('Internal', `internal error: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const text = JSON.stringify(dfsError.toRemoteException());
  const headers: Record<string, string | number> = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) };
  if (dfsError.code === 'Unauthorized') headers['www-authenticate'] = unauthorizedChallenge;
  // An oversized body is not drained: the connection ends. Node drains any other unread body.
  if (dfsError.code === 'LimitExceeded' && !request.complete) headers.connection = 'close';
  response.writeHead(dfsError.status, headers);
  response.end(text);
}

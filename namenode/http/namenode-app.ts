// The namenode's HTTP surface as a request listener that does not listen: `POST /rpc/<method>`
// (JSON in, JSON or RemoteException out; the common case served by rpc-endpoint.ts without
// express), `/metrics`, `/status`. One error middleware turns every failure, the JSON
// parser's included, into RemoteException JSON. In token auth mode `/rpc` and `/status`
// need a user token; `/metrics` stays open for scrapers (counts and timings only, no names).
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { isRpcMethod } from '../../protocol/client-namenode.js';
import { DfsError } from '../../protocol/errors.js';
import { maxRpcBodyBytes } from '../../protocol/limits.js';
import type { Caller } from '../namespace/namespace-context.js';
import type { RpcHandlers } from '../rpc/rpc-handlers.js';
import type { NamenodeMetrics } from './namenode-metrics.js';
import { createRpcEndpoint, runRpc } from './rpc-endpoint.js';
import { type NamenodeAuth, requireAuthentication } from './request-auth.js';

export { anonymousUser } from './request-auth.js';

export interface NamenodeAppDeps {
  handlers: RpcHandlers;
  metrics: NamenodeMetrics;
  status: () => Record<string, unknown>;
  log: Logger;
  /** `tsdfs.auth`; default simple (the X-Tsdfs-User header). */
  auth?: NamenodeAuth;
}

export function createNamenodeApp(deps: NamenodeAppDeps): RequestListener {
  const app = createExpressApp(deps);
  const rpcEndpoint = createRpcEndpoint({ ...deps, auth: deps.auth ?? { mode: 'simple' } });
  return (request: IncomingMessage, response: ServerResponse) => {
    if (!rpcEndpoint(request, response)) app(request, response);
  };
}

function createExpressApp(deps: NamenodeAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // RPC replies are never cached; express would otherwise hash every reply body for an ETag.
  app.set('etag', false);
  const authenticate = requireAuthentication(deps.auth ?? { mode: 'simple' });
  app.post(
    '/rpc/:method',
    authenticate,
    requireKnownMethod,
    // Any content type: the RPC speaks only JSON, and curl users forget the header.
    express.json({ limit: maxRpcBodyBytes, type: () => true }),
    (request, response) => handleRpc(deps, request, response),
  );
  app.get('/metrics', async (_request, response) => {
    response.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  app.get('/status', authenticate, (_request, response) => {
    response.json(deps.status());
  });
  app.use((request: Request) => {
    throw new DfsError('FileNotFound', `No such endpoint: ${request.method} ${request.path}`);
  });
  app.use(errorMiddleware(deps.log));
  return app;
}

function requireKnownMethod(request: Request, _response: Response, next: NextFunction): void {
  const method = String(request.params.method);
  if (!isRpcMethod(method)) throw new DfsError('FileNotFound', `Unknown RPC method: ${method}`);
  next();
}

async function handleRpc(deps: NamenodeAppDeps, request: Request, response: Response): Promise<void> {
  const method = String(request.params.method);
  if (!isRpcMethod(method)) throw new DfsError('FileNotFound', `Unknown RPC method: ${method}`);
  response.json(await runRpc(deps, method, request.body ?? {}, callerOf(request, response)));
}

/** The user `requireAuthentication` established, and the address for placement. */
function callerOf(request: Request, response: Response): Caller {
  const host = (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  return { user: String(response.locals.user), host };
}

/**
 * body-parser's errors carry `type`; they become the matching RemoteException. Other 4xx
 * http-errors (a garbage gzip body, a bad `%` escape in the URL) carry only `status`:
 * they are the caller's fault too, never an internal error.
 */
function parserError(error: unknown): DfsError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  if (!('type' in error)) {
    const status = (error as { status?: unknown }).status;
    if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
    return new DfsError('InvalidRequest', `bad request: ${error instanceof Error ? error.message : `HTTP ${status}`}`);
  }
  const type = String((error as { type: unknown }).type);
  if (type === 'entity.too.large') return new DfsError('LimitExceeded', `request body is larger than ${maxRpcBodyBytes} bytes`);
  if (type === 'entity.parse.failed') return new DfsError('InvalidRequest', 'request body is not valid JSON');
  const message = error instanceof Error ? error.message : type;
  return new DfsError('InvalidRequest', `bad request body: ${message}`);
}

function errorMiddleware(log: Logger) {
  return (error: unknown, request: Request, response: Response, _next: NextFunction): void => {
    const dfsError = error instanceof DfsError ? error : parserError(error);
    if (dfsError !== undefined) {
      response.status(dfsError.status).json(dfsError.toRemoteException());
      return;
    }
    log.error({ err: error, method: request.method, path: request.path }, 'unexpected error handling a request');
    const internal = new DfsError('Internal', `internal error: ${error instanceof Error ? error.message : String(error)}`);
    response.status(internal.status).json(internal.toRemoteException());
  };
}

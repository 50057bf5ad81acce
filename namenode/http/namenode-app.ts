// The namenode's HTTP surface as an express app that does not listen: `POST /rpc/<method>`
// (JSON in, JSON or RemoteException out), `/metrics`, `/status`. One error middleware
// turns every failure, the JSON parser's included, into RemoteException JSON.
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { isRpcMethod, rpcMethods, userHeader } from '../../protocol/client-namenode.js';
import { UserName } from '../../protocol/common.js';
import { DfsError, parseOrThrow } from '../../protocol/errors.js';
import { maxRpcBodyBytes } from '../../protocol/limits.js';
import type { Caller } from '../namespace/namespace-context.js';
import type { RpcHandlers } from '../rpc/rpc-handlers.js';
import type { NamenodeMetrics } from './namenode-metrics.js';

export interface NamenodeAppDeps {
  handlers: RpcHandlers;
  metrics: NamenodeMetrics;
  status: () => Record<string, unknown>;
  log: Logger;
}

/** Callers that name no user, as HDFS's simple auth without `user.name`. */
export const anonymousUser = 'anonymous';

export function createNamenodeApp(deps: NamenodeAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.post(
    '/rpc/:method',
    requireKnownMethod,
    // Any content type: the RPC speaks only JSON, and curl users forget the header.
    express.json({ limit: maxRpcBodyBytes, type: () => true }),
    (request, response) => handleRpc(deps, request, response),
  );
  app.get('/metrics', async (_request, response) => {
    response.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  app.get('/status', (_request, response) => {
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
  const endTimer = deps.metrics.rpcDuration.startTimer({ method });
  try {
    const parsed = parseOrThrow(rpcMethods[method].request as never, request.body ?? {}, `${method} request`);
    const handler = deps.handlers[method] as (request: unknown, caller: Caller) => unknown;
    const result = await handler(parsed, callerOf(request));
    deps.metrics.rpcCalls.inc({ method, outcome: 'ok' });
    response.json(result);
  } catch (error) {
    deps.metrics.rpcCalls.inc({ method, outcome: error instanceof DfsError ? error.code : 'Internal' });
    throw error;
  } finally {
    endTimer();
  }
}

function callerOf(request: Request): Caller {
  const header = request.get(userHeader);
  const host = (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  if (header === undefined || header === '') return { user: anonymousUser, host };
  const user = UserName.safeParse(header);
  if (!user.success) throw new DfsError('InvalidRequest', `invalid ${userHeader} header: ${user.error.issues[0]?.message ?? 'bad user name'}`);
  return { user: user.data, host };
}

/** body-parser's errors carry `type`; they become the matching RemoteException. */
function parserError(error: unknown): DfsError | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
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

// The datanode's HTTP server on `dfs.datanode.address`: block writes and reads (plain
// node:http, no framework on the data path), `/metrics` and `/status`. It does not listen;
// the composition root does.
import http from 'node:http';
import type { ServerTlsFiles } from '../../config/index.js';
import {
  badNodeHeader,
  parseBlockId,
  parseTargets,
  ReadBlockQuery,
  targetsHeader,
  WriteBlockQuery,
} from '../../protocol/data-transfer.js';
import { DfsError, parseOrThrow } from '../../protocol/errors.js';
import { createHttpsOnlyServer } from '../../protocol/https-only.js';
import type { ReplicaWriter } from '../storage/replica-writer.js';
import { BlockReceiver } from './block-receiver.js';
import { sendBlock } from './block-sender.js';
import type { DataServerContext } from './data-server-context.js';
import { openPipeline, type PipelineConnection, type PipelineOpenRequest, type PipelineOpenResult, pipelineIdleTimeoutMs } from './pipeline-connection.js';

/** Headers must arrive quickly; bodies may stream for as long as a block takes. */
const headersTimeoutMs = 30_000;

/** With `tls`, HTTPS only (tsdfs.tls.cert.file / key.file). */
export function createDataServer(context: DataServerContext, tls: ServerTlsFiles | null = null): http.Server {
  const handle: http.RequestListener = (request, response) => {
    void route(context, request, response).catch((error: unknown) => replyError(context, response, error));
  };
  const server: http.Server = tls ? createHttpsOnlyServer(tls, handle, 'datanode') : http.createServer(handle);
  server.requestTimeout = 0; // a block may take minutes to stream on a slow link
  server.headersTimeout = headersTimeoutMs;
  server.setTimeout(pipelineIdleTimeoutMs); // a silent connection is a dead peer: frees its slot
  return server;
}

async function route(context: DataServerContext, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const { pathname, params } = splitUrl(request.url ?? '/');
  if (pathname.startsWith('/blocks/')) return routeBlock(context, request, response, pathname, params);
  if (request.method !== 'GET') throw new DfsError('InvalidRequest', `${request.method} is not served on ${pathname}`);
  if (pathname === '/metrics') return replyMetrics(context, response);
  if (pathname === '/status') return replyJson(response, 200, statusOf(context));
  throw new DfsError('FileNotFound', `no such resource: ${pathname.slice(0, 100)}`);
}

async function routeBlock(
  context: DataServerContext,
  request: http.IncomingMessage,
  response: http.ServerResponse,
  pathname: string,
  params: Record<string, string>,
): Promise<void> {
  const blockId = parseBlockId(pathname);
  if (blockId === null) throw new DfsError('InvalidRequest', `bad block id in ${JSON.stringify(pathname.slice(0, 100))}`);
  if (request.method !== 'PUT' && request.method !== 'GET') throw new DfsError('InvalidRequest', `${request.method} is not served on blocks`);
  // A datanode's copy (stage=transfer) carries the namenode's `copy` token, a client's pipeline a `write` one.
  const mode = request.method === 'GET' ? 'read' : params.stage === 'transfer' ? 'copy' : 'write';
  context.checkBlockAccess(request, blockId, mode);
  if (!context.slots.tryAcquire()) throw new DfsError('Unavailable', 'datanode is serving too many transfers; retry later');
  try {
    if (mode === 'read') await sendBlock(context, blockId, parseOrThrow(ReadBlockQuery, params, 'read query'), response);
    else await receiveBlock(context, request, response, blockId, params);
  } finally {
    context.slots.release();
  }
}

async function receiveBlock(
  context: DataServerContext,
  request: http.IncomingMessage,
  response: http.ServerResponse,
  blockId: number,
  params: Record<string, string>,
): Promise<void> {
  const query = parseWriteQuery(params);
  const targets = parseTargets(headerText(request.headers[targetsHeader]));
  if (targets === null) throw new DfsError('InvalidRequest', `bad ${targetsHeader} header`);
  const writer = await prepareReplica(context, blockId, query);
  const [next, ...rest] = targets;
  let downstream: PipelineConnection | null = null;
  if (next) {
    const opened = await openDownstream({ target: next, rest, blockId, query, authorization: request.headers.authorization, agent: context.peerAgent });
    if (!opened.ok) {
      if (query.stage !== 'recover') await context.store.discardRbw(writer);
      else await writer.abort();
      context.log.warn({ blockId, badNode: opened.badNode, reason: opened.message }, 'pipeline set-up failed');
      return replyJson(response, 502, new DfsError('Unavailable', opened.message).toRemoteException(), { [badNodeHeader]: opened.badNode });
    }
    downstream = opened.connection;
  }
  if (response.destroyed) {
    downstream?.destroy();
    await writer.abort();
    return;
  }
  await new BlockReceiver(context, blockId, query, request, response, writer, downstream).run();
}

/** A target Node refuses outright (it throws instead of failing the request) is a bad node too: the rbw replica must go either way. */
async function openDownstream(open: PipelineOpenRequest): Promise<PipelineOpenResult> {
  try {
    return await openPipeline(open);
  } catch (error) {
    return { ok: false, badNode: open.target.uuid, message: error instanceof Error ? error.message : String(error) };
  }
}

function parseWriteQuery(params: Record<string, string>): WriteBlockQuery {
  const query = parseOrThrow(WriteBlockQuery, params, 'write query');
  if (query.stage === 'recover' && query.oldGenStamp === undefined) throw new DfsError('InvalidRequest', 'stage=recover needs oldGenStamp');
  if (query.stage !== 'recover' && query.offset !== 0) throw new DfsError('InvalidRequest', `stage=${query.stage} starts at offset 0`);
  return query;
}

function prepareReplica(context: DataServerContext, blockId: number, query: WriteBlockQuery): Promise<ReplicaWriter> {
  if (query.stage === 'recover') {
    return context.store.recoverRbw(blockId, query.oldGenStamp ?? query.genStamp, query.genStamp, query.offset, query.bytesPerChecksum);
  }
  return context.store.createRbw(blockId, query.genStamp, query.bytesPerChecksum);
}

/** Path and query from the raw request target, with no normalisation of `..` or `%2e`. */
function splitUrl(url: string): { pathname: string; params: Record<string, string> } {
  const question = url.indexOf('?');
  const pathname = question < 0 ? url : url.slice(0, question);
  const params: Record<string, string> = {};
  if (question >= 0) for (const [key, value] of new URLSearchParams(url.slice(question + 1))) params[key] = value;
  return { pathname, params };
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function statusOf(context: DataServerContext): Record<string, unknown> {
  const volumes = context.store.volumes.map((volume) => ({ path: volume.root, dfsUsed: volume.dfsUsed, failed: volume.failed }));
  return {
    uuid: context.store.datanodeUuid,
    clusterId: context.store.clusterId,
    replicas: context.store.replicaCount,
    dfsUsed: context.store.dfsUsed,
    activeTransfers: context.slots.activeCount,
    volumes,
    ...context.status(),
  };
}

async function replyMetrics(context: DataServerContext, response: http.ServerResponse): Promise<void> {
  const text = await context.metrics.registry.metrics();
  response.writeHead(200, { 'content-type': context.metrics.registry.contentType });
  response.end(text);
}

function replyJson(response: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** Errors before streaming become RemoteException JSON; after it, the connection is cut. */
function replyError(context: DataServerContext, response: http.ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const dfsError = error instanceof DfsError ? error : new DfsError('Internal', 'internal error');
  if (!(error instanceof DfsError)) context.log.error({ err: error }, 'request failed');
  replyJson(response, dfsError.status, dfsError.toRemoteException());
}

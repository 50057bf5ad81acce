// The sending side of one hop of a write pipeline: a streamed `PUT /blocks/<id>` to the
// next datanode, carrying the rest of the pipeline, whose response is a stream of acks.
import http from 'node:http';
import https from 'node:https';
import {
  type Ack,
  AckDecoder,
  badNodeHeader,
  formatTargets,
  type PipelineTarget,
  targetsHeader,
  type WriteBlockQuery,
} from '../../protocol/data-transfer.js';
import { describeTlsFailure } from '../../protocol/tls-errors.js';
import { drainOrClose } from './stream-drain.js';

/** Time to connect and get the next datanode's 200 (it waits for its own downstream). */
export const pipelineSetupTimeoutMs = 15_000;
/** A pipeline silent this long is broken (HDFS's socket timeout is 60 s). */
export const pipelineIdleTimeoutMs = 120_000;
/** Bytes of an error reply read for its message; the rest is dropped. */
const maxErrorBodyBytes = 4096;

export interface PipelineOpenRequest {
  target: PipelineTarget;
  /** The pipeline after `target`, sent on in `x-tsdfs-targets`. */
  rest: readonly PipelineTarget[];
  blockId: number;
  query: WriteBlockQuery;
  authorization?: string | undefined;
  /** An https.Agent (TLS clusters) or nothing: plain HTTP. */
  agent?: http.Agent | undefined;
}

export type PipelineOpenResult =
  | { ok: true; connection: PipelineConnection }
  | { ok: false; /** UUID of the datanode that broke set-up. */ badNode: string; message: string };

export interface PipelineListener {
  onAck(ack: Ack): void;
  /** The ack stream ended (`error` undefined) or broke. Called once. */
  onClose(error?: Error): void;
}

export function openPipeline(open: PipelineOpenRequest): Promise<PipelineOpenResult> {
  return openPipelineAttempt(open, true);
}

/**
 * With a keep-alive agent the request may go out on an idle socket the next datanode closed
 * meanwhile; that reset is no fault of the node, so the set-up is tried once more on a new
 * socket (nothing but headers went out). Node's documented pattern for `reusedSocket`.
 */
function openPipelineAttempt(open: PipelineOpenRequest, mayRetry: boolean): Promise<PipelineOpenResult> {
  const [host, port] = splitHostPort(open.target.name);
  // One connection per pipeline at a time. Over plain HTTP the agent keeps it alive for the
  // next block to the same node (no connect per block); a TLS agent keeps no idle sockets
  // (keepAlive off) but caches sessions, so the next block's handshake is resumed.
  const request = (open.agent instanceof https.Agent ? https : http).request({
    host,
    port,
    method: 'PUT',
    path: `/blocks/${open.blockId}?${writeQueryString(open.query)}`,
    headers: pipelineHeaders(open),
    agent: open.agent ?? false,
    timeout: pipelineSetupTimeoutMs,
  });
  request.flushHeaders();
  return new Promise((resolve) => {
    let answered = false;
    request.once('timeout', () => request.destroy(new Error(`no answer from ${open.target.name}`)));
    // `on`, not `once`: a second error on a dying socket must not go unhandled.
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (answered) return;
      answered = true;
      if (mayRetry && request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) {
        resolve(openPipelineAttempt(open, false));
        return;
      }
      resolve({ ok: false, badNode: open.target.uuid, message: describeTlsFailure(error) ?? error.message });
    });
    request.once('response', (response) => {
      answered = true;
      if (response.statusCode === 200) {
        request.setTimeout(pipelineIdleTimeoutMs);
        resolve({ ok: true, connection: new PipelineConnection(open.target, request, response) });
        return;
      }
      void readErrorReply(response).then((message) => {
        request.destroy();
        const relayed = response.headers[badNodeHeader];
        const badNode = response.statusCode === 502 && typeof relayed === 'string' && relayed !== '' ? relayed : open.target.uuid;
        resolve({ ok: false, badNode, message: `${open.target.name} answered ${response.statusCode}: ${message}` });
      });
    });
  });
}

export class PipelineConnection {
  private readonly decoder = new AckDecoder();
  private listener: PipelineListener | null = null;
  private closed = false;

  constructor(
    readonly target: PipelineTarget,
    private readonly request: http.ClientRequest,
    private readonly response: http.IncomingMessage,
  ) {}

  /** Starts the ack stream; call right after opening, before any await. */
  listen(listener: PipelineListener): void {
    this.listener = listener;
    this.response.on('data', (chunk: Buffer) => this.onData(chunk));
    this.response.once('end', () => this.close());
    this.response.on('error', (error) => this.close(error));
    this.response.once('close', () => this.close(this.response.complete ? undefined : new Error('ack stream broke')));
    this.request.on('error', (error) => this.close(error));
    this.request.once('close', () => {
      if (!this.response.complete) this.close(new Error(`connection to ${this.target.name} closed`));
    });
  }

  /**
   * Writes one encoded packet; resolves once the socket takes more (or the hop is gone).
   * `onWritten` runs once the socket no longer needs the buffers (at once if not sent).
   */
  async send(buffers: readonly Buffer[], onWritten?: () => void): Promise<void> {
    if (this.closed || this.request.destroyed) {
      onWritten?.();
      return;
    }
    this.request.cork();
    let ready = true;
    buffers.forEach((buffer, index) => {
      ready = index === buffers.length - 1 && onWritten ? this.request.write(buffer, () => onWritten()) : this.request.write(buffer);
    });
    process.nextTick(() => this.request.uncork());
    if (!ready) await drainOrClose(this.request);
  }

  /** Ends the packet stream; acks keep coming until the hop ends its reply. */
  end(): void {
    if (!this.request.destroyed) this.request.end();
  }

  destroy(): void {
    this.closed = true;
    this.request.destroy();
  }

  private onData(chunk: Buffer): void {
    let acks: Ack[];
    try {
      acks = this.decoder.push(chunk);
    } catch (error) {
      this.close(error as Error);
      this.request.destroy();
      return;
    }
    for (const ack of acks) if (!this.closed) this.listener?.onAck(ack);
  }

  private close(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.listener?.onClose(error);
  }
}

export function writeQueryString(query: WriteBlockQuery): string {
  const params = new URLSearchParams({
    genStamp: String(query.genStamp),
    bytesPerChecksum: String(query.bytesPerChecksum),
    stage: query.stage,
    offset: String(query.offset),
  });
  if (query.oldGenStamp !== undefined) params.set('oldGenStamp', String(query.oldGenStamp));
  if (query.clientName !== '') params.set('clientName', query.clientName);
  return params.toString();
}

export function splitHostPort(name: string): [string, number] {
  const colon = name.lastIndexOf(':');
  return [name.slice(0, colon).replace(/^\[|\]$/g, ''), Number(name.slice(colon + 1))];
}

function pipelineHeaders(open: PipelineOpenRequest): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/octet-stream' };
  if (open.rest.length > 0) headers[targetsHeader] = formatTargets(open.rest);
  if (open.authorization) headers.authorization = open.authorization;
  return headers;
}

/** The message of a small error reply (a RemoteException's, else its text). */
export async function readErrorReply(response: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of response) {
      chunks.push(chunk as Buffer);
      bytes += (chunk as Buffer).length;
      if (bytes >= maxErrorBodyBytes) break;
    }
  } catch {
    // A reply cut short still tells us the status; the message is a courtesy.
  }
  const text = Buffer.concat(chunks).toString('utf8').slice(0, maxErrorBodyBytes);
  try {
    const parsed = JSON.parse(text) as { RemoteException?: { message?: unknown } };
    return String(parsed.RemoteException?.message ?? text);
  } catch {
    return text;
  }
}

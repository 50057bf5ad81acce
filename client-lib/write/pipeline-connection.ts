// One attempt at a block's write pipeline: the streamed `PUT /blocks/<id>` to the first
// datanode (which forwards to the rest), packets going down, acks coming back up. It
// only reports what happened; the block stream decides what to do about a failure.
import http from 'node:http';
import {
  type Ack,
  AckDecoder,
  type Packet,
  badNodeHeader,
  encodePacket,
  formatTargets,
  targetsHeader,
} from '../../protocol/data-transfer.js';
import type { DatanodeLocation } from '../../protocol/common.js';
import { dfsErrorFromResponse } from '../../protocol/errors.js';
import { readSmallBody } from '../small-reply.js';
import { describeConnectionError, requestWith, urlFor } from '../transport.js';

/** How long the first datanode may take to connect the whole pipeline and answer 200. */
export const pipelineSetupTimeoutMs = 30_000;
/** Error replies are small JSON; anything beyond this is not read. */

export interface PipelineFailure {
  /** Index in the pipeline of the node at fault. */
  badIndex: number;
  reason: string;
}

export interface PipelineParameters {
  agent: http.Agent;
  blockId: number;
  genStamp: number;
  token: string;
  nodes: readonly DatanodeLocation[];
  bytesPerChecksum: number;
  clientName: string;
  /** `recover` re-opens a broken pipeline on survivors, keeping data up to `offset`. */
  recovery?: { oldGenStamp: number; offset: number };
}

export interface PipelineHandlers {
  onAck(ack: Ack): void;
  onFailure(failure: PipelineFailure): void;
}

export class PipelineConnection {
  /** Resolves once every node of the pipeline is connected; rejects with a PipelineFailure. */
  readonly ready: Promise<void>;
  private resolveReady: () => void = () => {};
  private rejectReady: (failure: PipelineFailure) => void = () => {};
  private readonly setupTimer: NodeJS.Timeout;
  private readonly request: http.ClientRequest;
  private readonly acks = new AckDecoder();
  private connected = false;
  private closed = false;
  /** Seq of the block's last packet once sent; its ack means the stream may end. */
  private lastSeq: number | null = null;
  private lastAcked = false;

  constructor(
    private readonly parameters: PipelineParameters,
    private readonly handlers: PipelineHandlers,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // A set-up failure nobody awaits yet must not surface as an unhandled rejection.
    this.ready.catch(() => {});
    this.setupTimer = setTimeout(
      () => this.fail({ badIndex: 0, reason: `no answer from ${this.firstName} within ${pipelineSetupTimeoutMs} ms` }),
      pipelineSetupTimeoutMs,
    );
    this.request = this.openRequest();
  }

  send(packet: Packet): void {
    if (this.closed) return;
    if (packet.last) this.lastSeq = packet.seq;
    this.request.cork();
    for (const part of encodePacket(packet)) this.request.write(part);
    process.nextTick(() => this.request.uncork());
  }

  /** No more packets on this connection; acks still come back. */
  end(): void {
    if (!this.closed) this.request.end();
  }

  destroy(): void {
    this.closed = true;
    clearTimeout(this.setupTimer);
    this.request.destroy();
  }

  private get firstName(): string {
    return this.parameters.nodes[0]?.name ?? '?';
  }

  private openRequest(): http.ClientRequest {
    const { nodes, blockId } = this.parameters;
    if (nodes.length === 0) throw new Error('a pipeline needs at least one datanode');
    const request = requestWith(this.parameters.agent, urlFor(this.parameters.agent, this.firstName, `/blocks/${blockId}?${this.query()}`), {
      method: 'PUT',
      headers: this.headers(),
    });
    request.on('error', (error) => this.fail({ badIndex: 0, reason: `${this.firstName}: ${describeConnectionError(error)}` }));
    request.on('response', (response) => {
      clearTimeout(this.setupTimer);
      if (response.statusCode !== 200) {
        void this.readSetupRefusal(response);
        return;
      }
      this.connected = true;
      this.resolveReady();
      this.readAcks(response);
    });
    // Headers go out now: the datanodes connect the pipeline before any packet exists.
    request.flushHeaders();
    return request;
  }

  /** Reports the first failure only: during set-up through `ready`, afterwards to the handler. */
  private fail(failure: PipelineFailure): void {
    if (this.closed) return;
    const wasConnected = this.connected;
    this.destroy();
    if (wasConnected) this.handlers.onFailure(failure);
    else this.rejectReady(failure);
  }

  private query(): string {
    const { genStamp, bytesPerChecksum, clientName, recovery } = this.parameters;
    const query = new URLSearchParams({
      genStamp: String(genStamp),
      bytesPerChecksum: String(bytesPerChecksum),
      stage: recovery ? 'recover' : 'write',
      clientName,
    });
    if (recovery) {
      query.set('oldGenStamp', String(recovery.oldGenStamp));
      query.set('offset', String(recovery.offset));
    }
    return query.toString();
  }

  private headers(): http.OutgoingHttpHeaders {
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/octet-stream',
      [targetsHeader]: formatTargets(this.parameters.nodes.slice(1)),
    };
    if (this.parameters.token !== '') headers.authorization = `Bearer ${this.parameters.token}`;
    return headers;
  }

  private readAcks(response: http.IncomingMessage): void {
    const first = this.firstName;
    response.on('data', (chunk: Buffer) => {
      if (this.closed) return;
      let acks: Ack[];
      try {
        acks = this.acks.push(chunk);
      } catch (error) {
        this.fail({ badIndex: 0, reason: `${first} sent a malformed ack: ${(error as Error).message}` });
        return;
      }
      for (const ack of acks) {
        if (this.closed) return;
        if (ack.seq === this.lastSeq) this.lastAcked = true;
        this.handlers.onAck(ack);
      }
    });
    response.on('end', () => {
      if (this.lastAcked) this.closed = true;
      else this.fail({ badIndex: 0, reason: `${first} ended the ack stream` });
    });
    response.on('error', (error) => this.fail({ badIndex: 0, reason: `${first}: ${error.message}` }));
    response.on('aborted', () => this.fail({ badIndex: 0, reason: `${first} aborted the ack stream` }));
  }

  /** A non-200 answer to set-up: the 502 names the datanode that broke it, else blame the first. */
  private async readSetupRefusal(response: http.IncomingMessage): Promise<void> {
    const badUuid = response.headers[badNodeHeader];
    const named = typeof badUuid === 'string' ? this.parameters.nodes.findIndex((node) => node.uuid === badUuid) : -1;
    const body = await readSmallBody(response).catch(() => '');
    const error = dfsErrorFromResponse(response.statusCode ?? 0, parseJsonOrText(body));
    const badIndex = Math.max(named, 0);
    const badName = this.parameters.nodes[badIndex]?.name ?? '?';
    this.fail({ badIndex, reason: `${badName}: pipeline set-up refused (${response.statusCode}): ${error.message}` });
  }
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// One attempt at a block's write pipeline: the streamed `PUT /blocks/<id>` to the first
// datanode (which forwards to the rest), packets going down, acks coming back up. It only
// reports what happened; the block stream decides what to do about a failure. This file
// holds what both transports share (open-pipeline-connection.ts picks one): set-up
// timeout, ack decoding, failure reporting with the node to blame.
import type http from 'node:http';
import type { DatanodeLocation } from '../../protocol/common.js';
import { type Ack, AckDecoder, type Packet } from '../../protocol/data-transfer.js';
import { dfsErrorFromResponse } from '../../protocol/errors.js';

/** How long the first datanode may take to connect the whole pipeline and answer 200. */
export const pipelineSetupTimeoutMs = 30_000;

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
  /** Overrides pipelineSetupTimeoutMs (tests). */
  setupTimeoutMs?: number;
}

export interface PipelineHandlers {
  onAck(ack: Ack): void;
  onFailure(failure: PipelineFailure): void;
}

export interface PipelineConnection {
  /** Resolves once every node of the pipeline is connected; rejects with a PipelineFailure. */
  readonly ready: Promise<void>;
  send(packet: Packet): void;
  /** No more packets on this connection; acks still come back. */
  end(): void;
  destroy(): void;
}

/** Set-up, acks and failures, whatever carries the bytes. */
export abstract class PipelineConnectionBase implements PipelineConnection {
  readonly ready: Promise<void>;
  private resolveReady: () => void = () => {};
  private rejectReady: (failure: PipelineFailure) => void = () => {};
  private readonly setupTimer: NodeJS.Timeout;
  private readonly acks = new AckDecoder();
  protected connected = false;
  protected closed = false;
  /** Seq of the block's last packet once sent; its ack means the stream may end. */
  protected lastSeq: number | null = null;
  protected lastAcked = false;

  constructor(
    protected readonly parameters: PipelineParameters,
    private readonly handlers: PipelineHandlers,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // A set-up failure nobody awaits yet must not surface as an unhandled rejection.
    this.ready.catch(() => {});
    // Runs until the 200, or until a refusal has been read whole: a refusal whose body
    // stalls must fail too, not wait forever.
    const setupTimeoutMs = parameters.setupTimeoutMs ?? pipelineSetupTimeoutMs;
    this.setupTimer = setTimeout(
      () => this.fail({ badIndex: 0, reason: `no answer from ${this.firstName} within ${setupTimeoutMs} ms` }),
      setupTimeoutMs,
    );
  }

  abstract send(packet: Packet): void;
  abstract end(): void;
  /** Lets go of the transport (the attempt is over, however it ended). */
  protected abstract closeTransport(): void;

  destroy(): void {
    this.closed = true;
    clearTimeout(this.setupTimer);
    this.closeTransport();
  }

  protected get firstName(): string {
    return this.parameters.nodes[0]?.name ?? '?';
  }

  /** The first datanode answered 200: the whole pipeline is connected. */
  protected onConnected(): void {
    clearTimeout(this.setupTimer);
    this.connected = true;
    this.resolveReady();
  }

  /** Reports the first failure only: during set-up through `ready`, afterwards to the handler. */
  protected fail(failure: PipelineFailure): void {
    if (this.closed) return;
    const wasConnected = this.connected;
    this.destroy();
    if (wasConnected) this.handlers.onFailure(failure);
    else this.rejectReady(failure);
  }

  /** Bytes of the ack stream; the decoder may keep `chunk`, so it must not be reused by the caller. */
  protected onAckBytes(chunk: Buffer): void {
    if (this.closed) return;
    let acks: Ack[];
    try {
      acks = this.acks.push(chunk);
    } catch (error) {
      this.fail({ badIndex: 0, reason: `${this.firstName} sent a malformed ack: ${(error as Error).message}` });
      return;
    }
    for (const ack of acks) {
      if (this.closed) return;
      if (ack.seq === this.lastSeq) this.lastAcked = true;
      this.handlers.onAck(ack);
    }
  }

  /** The ack stream ended; true when that was after the last packet's ack (all is well). */
  protected onAckStreamEnd(): boolean {
    if (this.lastAcked) {
      this.closed = true;
      clearTimeout(this.setupTimer);
      return true;
    }
    this.fail({ badIndex: 0, reason: `${this.firstName} ended the ack stream` });
    return false;
  }

  /** A non-200 answer to set-up: the 502 names the datanode that broke it, else blame the first. */
  protected onSetupRefused(status: number, badUuid: string | undefined, body: string): void {
    const named = badUuid !== undefined ? this.parameters.nodes.findIndex((node) => node.uuid === badUuid) : -1;
    const error = dfsErrorFromResponse(status, parseJsonOrText(body));
    const badIndex = Math.max(named, 0);
    const badName = this.parameters.nodes[badIndex]?.name ?? '?';
    this.fail({ badIndex, reason: `${badName}: pipeline set-up refused (${status}): ${error.message}` });
  }
}

/** The query string of the `PUT`. */
export function pipelineQuery(parameters: PipelineParameters): string {
  const { genStamp, bytesPerChecksum, clientName, recovery } = parameters;
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

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

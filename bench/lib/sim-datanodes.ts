// Simulated datanodes: many in one process, each a real WebSocket to the namenode's
// `/datanode` link doing what a real datanode's link does (datanode/namenode-link.ts):
// answer the challenge with the HMAC proof of the cluster secret, check the namenode's
// proof back, send a full block report (chunked as the real one) at registration, then
// heartbeat at the namenode's interval. Commands are counted and otherwise ignored; they
// advertise 127.0.0.1 with fake data ports and never get data traffic.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { handshakeKey, newNonce, registerProof, registeredProofValid } from '../../protocol/auth.js';
import { type DatanodeMessage, NamenodeMessage, type ReportedReplica } from '../../protocol/datanode-namenode.js';
import { blockReportChunkBlocks } from '../../protocol/limits.js';
import { softwareVersion } from '../../protocol/version.js';

const tebibyte = 1024 ** 4;
const registerTimeoutMs = 60_000;

export interface SimulatedDatanodeOptions {
  /** `ws://host:port/datanode` */
  url: string;
  clusterSecret: Buffer;
  clusterId: string;
  dataPort: number;
  uuid?: string;
  /** Heartbeat on a timer once registered, the first one at a random point of the interval. */
  heartbeat?: boolean;
  /** The frames of the full report sent at registration (`blockReportFrames`); default an empty report. */
  registrationReport?: string[];
}

export interface SimulatedDatanodeStats {
  heartbeatsSent: number;
  heartbeatReplies: number;
  commands: number;
  maxHeartbeatReplyMs: number;
}

/** A full block report as the real datanode sends it: chunks of `blockReportChunkBlocks`, JSON ready to send. */
export function blockReportFrames(reportId: number, count: number, replicaAt: (index: number) => ReportedReplica): string[] {
  const frames: string[] = [];
  const chunks = Math.max(1, Math.ceil(count / blockReportChunkBlocks));
  for (let chunk = 0; chunk < chunks; chunk++) {
    const replicas: ReportedReplica[] = [];
    for (let index = chunk * blockReportChunkBlocks; index < Math.min(count, (chunk + 1) * blockReportChunkBlocks); index++) replicas.push(replicaAt(index));
    const message: DatanodeMessage = { type: 'blockReport', reportId, chunk, last: chunk === chunks - 1, replicas };
    frames.push(JSON.stringify(message));
  }
  return frames;
}

export class SimulatedDatanode {
  readonly uuid: string;
  readonly stats: SimulatedDatanodeStats = { heartbeatsSent: 0, heartbeatReplies: 0, commands: 0, maxHeartbeatReplyMs: 0 };
  private socket: WebSocket | null = null;
  private readonly key: Buffer;
  private challenge = '';
  private clientNonce = '';
  private seq = 0;
  private heartbeatIntervalMs = 3000;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly replyWaiters = new Map<number, { sentMs: number; resolve: (latencyMs: number) => void }>();
  private registeredWaiter: { resolve: () => void; reject: (error: Error) => void } | undefined;

  constructor(private readonly options: SimulatedDatanodeOptions) {
    this.uuid = options.uuid ?? `sim-${randomUUID()}`;
    this.key = handshakeKey(options.clusterSecret);
  }

  /** Connects and registers; resolves once the namenode proved the secret back and the report went out. */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.uuid}: not registered within ${registerTimeoutMs} ms`)), registerTimeoutMs);
      this.registeredWaiter = {
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (error) => (clearTimeout(timer), reject(error)),
      };
      const socket = new WebSocket(this.options.url, { maxPayload: 16 * 1024 * 1024, handshakeTimeout: 30_000 });
      this.socket = socket;
      socket.on('message', (data) => this.onMessage(String(data)));
      socket.on('error', (error) => this.registeredWaiter?.reject(error));
      socket.on('close', () => this.registeredWaiter?.reject(new Error(`${this.uuid}: link closed before registration`)));
    });
  }

  /** Sends one heartbeat now; resolves with the time until its reply. */
  heartbeat(): Promise<number> {
    const seq = this.seq++;
    return new Promise((resolve) => {
      this.replyWaiters.set(seq, { sentMs: performance.now(), resolve });
      this.stats.heartbeatsSent++;
      this.send({ type: 'heartbeat', seq, capacity: tebibyte, dfsUsed: 0, nonDfsUsed: 0, remaining: tebibyte, activeTransfers: 0, failedVolumes: 0 });
    });
  }

  /**
   * Sends a full report and waits until the namenode has processed it: the link's messages
   * are handled in order, so the reply to a heartbeat sent after the last chunk proves it.
   * Returns ms from the first chunk sent to that reply.
   */
  async sendFullReport(frames: readonly string[]): Promise<number> {
    const started = performance.now();
    for (const frame of frames) this.socket?.send(frame);
    await this.heartbeat();
    return performance.now() - started;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.heartbeatTimer);
    this.socket?.terminate();
    this.socket = null;
  }

  private onMessage(text: string): void {
    const parsed = NamenodeMessage.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${this.uuid}: malformed namenode message: ${text.slice(0, 200)}`);
    const message = parsed.data;
    switch (message.type) {
      case 'challenge':
        this.challenge = message.nonce;
        this.register();
        return;
      case 'registered':
        this.onRegistered(message);
        return;
      case 'registrationRefused':
        this.registeredWaiter?.reject(new Error(`${this.uuid}: registration refused: ${message.message}`));
        return;
      case 'heartbeatReply':
        this.onHeartbeatReply(message);
        return;
      case 'error':
        if (message.reregister) this.register();
        return;
    }
  }

  private register(): void {
    this.clientNonce = newNonce();
    const { clusterId, dataPort } = this.options;
    const proof = registerProof(this.key, { nonce: this.challenge, clientNonce: this.clientNonce, datanodeUuid: this.uuid, clusterId });
    const storage = { capacity: tebibyte, dfsUsed: 0, nonDfsUsed: 0, remaining: tebibyte, volumes: [{ path: '/sim', capacity: tebibyte, dfsUsed: 0, remaining: tebibyte, failed: false }] };
    this.send({ type: 'register', datanodeUuid: this.uuid, clusterId, softwareVersion, hostname: '127.0.0.1', dataPort, storage, clientNonce: this.clientNonce, proof });
  }

  private onRegistered(message: Extract<NamenodeMessage, { type: 'registered' }>): void {
    if (!registeredProofValid(this.key, this.clientNonce, this.challenge, message.proof)) {
      this.registeredWaiter?.reject(new Error(`${this.uuid}: the namenode could not prove the cluster secret`));
      return;
    }
    this.heartbeatIntervalMs = message.heartbeatIntervalMs;
    for (const frame of this.options.registrationReport ?? blockReportFrames(1, 0, () => [1, 1, 0])) this.socket?.send(frame);
    if (this.options.heartbeat === true && this.heartbeatTimer === undefined) this.scheduleHeartbeat(Math.random() * this.heartbeatIntervalMs);
    this.registeredWaiter?.resolve();
    this.registeredWaiter = undefined;
  }

  private onHeartbeatReply(message: Extract<NamenodeMessage, { type: 'heartbeatReply' }>): void {
    this.stats.heartbeatReplies++;
    this.stats.commands += message.commands.length;
    if (message.commands.some((command) => command.kind === 'reregister')) this.register();
    const waiter = this.replyWaiters.get(message.seq);
    if (waiter === undefined) return;
    this.replyWaiters.delete(message.seq);
    const latencyMs = performance.now() - waiter.sentMs;
    this.stats.maxHeartbeatReplyMs = Math.max(this.stats.maxHeartbeatReplyMs, latencyMs);
    waiter.resolve(latencyMs);
  }

  private scheduleHeartbeat(delayMs: number): void {
    this.heartbeatTimer = setTimeout(() => {
      if (this.closed) return;
      void this.heartbeat();
      this.scheduleHeartbeat(this.heartbeatIntervalMs);
    }, delayMs);
  }

  private send(message: DatanodeMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }
}

export interface SimulatedDatanodesOptions extends Omit<SimulatedDatanodeOptions, 'dataPort' | 'uuid' | 'registrationReport'> {
  count: number;
  /** Registrations in flight at once (a crowd of 1,000 connects in waves). */
  connectConcurrency?: number;
  /** Fake data ports count up from here. */
  firstDataPort?: number;
  registrationReportOf?: (index: number) => string[];
}

/** Starts `count` simulated datanodes; resolves once every one registered. */
export async function startSimulatedDatanodes(options: SimulatedDatanodesOptions): Promise<SimulatedDatanode[]> {
  const firstPort = options.firstDataPort ?? 20_000;
  const nodes: SimulatedDatanode[] = [];
  for (let index = 0; index < options.count; index++) {
    const report = options.registrationReportOf?.(index);
    nodes.push(new SimulatedDatanode({ ...options, dataPort: firstPort + index, ...(report ? { registrationReport: report } : {}) }));
  }
  const concurrency = options.connectConcurrency ?? 50;
  let next = 0;
  const connectSome = async (): Promise<void> => {
    while (next < nodes.length) await (nodes[next++] as SimulatedDatanode).connect();
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, nodes.length) }, connectSome));
  } catch (error) {
    for (const node of nodes) node.close();
    throw error;
  }
  return nodes;
}

export function totalStats(nodes: readonly SimulatedDatanode[]): SimulatedDatanodeStats {
  const total: SimulatedDatanodeStats = { heartbeatsSent: 0, heartbeatReplies: 0, commands: 0, maxHeartbeatReplyMs: 0 };
  for (const { stats } of nodes) {
    total.heartbeatsSent += stats.heartbeatsSent;
    total.heartbeatReplies += stats.heartbeatReplies;
    total.commands += stats.commands;
    total.maxHeartbeatReplyMs = Math.max(total.maxHeartbeatReplyMs, stats.maxHeartbeatReplyMs);
  }
  return total;
}

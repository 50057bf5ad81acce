// The datanode's one WebSocket to the namenode (`/datanode`): register, then heartbeats at
// their own pace, full block reports at registration and on a slow timer, incremental
// reports as replicas come and go. Reconnects with backoff; liveness is the namenode's call.
import type { Logger } from 'pino';
import WebSocket from 'ws';
import {
  type DatanodeCommand,
  type DatanodeMessage,
  NamenodeMessage,
  type ReportedReplica,
} from '../protocol/datanode-namenode.js';
import { clusterSecretFileKey, handshakeKey, newNonce, refusalProofValid, registeredProofValid, registerProof } from '../protocol/auth.js';
import { blockReportChunkBlocks } from '../protocol/limits.js';
import { describeTlsFailure } from '../protocol/tls-errors.js';
import { softwareVersion } from '../protocol/version.js';
import type { BlockStore, ReplicaEvent } from './storage/block-store.js';
import { readErrorReply } from './transfer/pipeline-connection.js';

/** Reconnect backoff: starts small so a restarted namenode is found at once, capped so it is found soon. */
export const reconnectInitialDelayMs = 100;
export const reconnectMaxDelayMs = 5_000;
/** Replica events within this window travel in one incremental report. */
export const incrementalReportDelayMs = 5;
/** Incremental entries held before falling back to a full report (bounds memory while cut off). */
export const maxPendingIncrementalEntries = 100_000;
/** Bad-block reports held while cut off from the namenode (one message's worth). */
const maxPendingBadBlocks = 10_000;
/** Largest message accepted from the namenode: heartbeat replies with command lists. */
const maxNamenodeMessageBytes = 16 * 1024 * 1024;

export interface NamenodeLinkOptions {
  /** `ws://host:port/datanode`, or `wss://` when the cluster speaks TLS. */
  url: string;
  /** CA certificates to verify the namenode's against (tsdfs.tls.ca.file); absent: Node's default CAs. */
  trustedCa?: Buffer;
  /** The cluster secret: registration proves it to the namenode, and the namenode proves it back. */
  clusterSecret: Buffer;
  store: BlockStore;
  log: Logger;
  hostname: string;
  dataPort: number;
  heartbeatIntervalMs: number;
  blockReportIntervalMs: number;
  activeTransfers(): number;
  onCommand(command: DatanodeCommand): void;
  /** The namenode refused this datanode in a refusal signed with the cluster secret (another cluster, wrong version): nothing to retry. */
  onRefused(message: string): void;
}

export class NamenodeLink {
  private socket: WebSocket | null = null;
  private registered = false;
  private stopped = false;
  private reconnectDelayMs = reconnectInitialDelayMs;
  private heartbeatSeq = 0;
  private reportId = 0;
  private heartbeatIntervalMs: number;
  private blockReportIntervalMs: number;
  private readonly timers = new Map<'reconnect' | 'heartbeat' | 'blockReport' | 'incremental', NodeJS.Timeout>();
  private received: ReportedReplica[] = [];
  private deleted: Array<[number, number]> = [];
  private badBlocks: Array<[number, number]> = [];
  private readonly unsubscribe: () => void;
  private readonly handshakeKey: Buffer;
  /** This connection's challenge from the namenode, and our own nonce of the last register. */
  private challenge: string | null = null;
  private clientNonce = '';

  constructor(private readonly options: NamenodeLinkOptions) {
    this.handshakeKey = handshakeKey(options.clusterSecret);
    this.heartbeatIntervalMs = options.heartbeatIntervalMs;
    this.blockReportIntervalMs = options.blockReportIntervalMs;
    this.unsubscribe = options.store.subscribe((event) => this.onReplicaEvent(event));
  }

  get isRegistered(): boolean {
    return this.registered;
  }

  start(): void {
    this.connect();
  }

  async close(): Promise<void> {
    this.stopped = true;
    // The socket's 'close' is no longer heard (it is not `this.socket` any more): a heartbeat
    // waiting for its storage report would otherwise schedule the next, and so on forever.
    this.registered = false;
    this.unsubscribe();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    const socket = this.socket;
    this.socket = null;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.close();
    const forced = setTimeout(() => socket.terminate(), 1_000);
    await closed;
    clearTimeout(forced);
  }

  /** Replicas that failed verification; sent at once when registered, else dropped (the scanner finds them again). */
  reportBadBlock(blockId: number, genStamp: number): void {
    if (this.badBlocks.length >= maxPendingBadBlocks) return;
    this.badBlocks.push([blockId, genStamp]);
    this.scheduleIncremental();
  }

  /** A replica the namenode asked to delete that was not here: tell it, so it forgets the location. */
  reportDeleted(blockId: number, genStamp: number): void {
    this.onReplicaEvent({ kind: 'deleted', block: [blockId, genStamp] });
  }

  reregister(): void {
    this.registered = false;
    this.register();
  }

  sendBlockReportNow(): void {
    if (this.registered) this.sendFullBlockReport();
  }

  // ---- connection ----

  private connect(): void {
    if (this.stopped) return;
    const tlsOptions = this.options.trustedCa ? { ca: this.options.trustedCa } : {};
    const socket = new WebSocket(this.options.url, { maxPayload: maxNamenodeMessageBytes, handshakeTimeout: 10_000, ...tlsOptions });
    this.socket = socket;
    this.challenge = null;
    this.clientNonce = '';
    // The namenode speaks first (a challenge); registration answers it.
    socket.on('message', (data) => this.onMessage(data));
    socket.on('error', (error) => this.onSocketError(error));
    socket.on('close', () => this.onSocketClosed(socket));
    // A refusal's body says why (e.g. "serves HTTPS only"); failing the request with it
    // makes ws report that instead of "Unexpected server response: 400", then close.
    socket.on('unexpected-response', (request, response) => {
      void readErrorReply(response).then((message) => request.destroy(new Error(`namenode answered ${response.statusCode}: ${message}`)));
    });
  }

  /** The first failure of an outage is a warning; the retries after it are debug noise. */
  private onSocketError(error: Error): void {
    if (this.reconnectDelayMs === reconnectInitialDelayMs) {
      this.options.log.warn({ url: this.options.url, reason: describeTlsFailure(error) ?? error.message }, 'cannot reach the namenode; retrying');
    } else {
      this.options.log.debug({ err: error }, 'namenode link error');
    }
  }

  private onSocketClosed(socket: WebSocket): void {
    if (this.socket !== socket) return;
    this.socket = null;
    if (this.registered) this.options.log.warn('lost the namenode link; reconnecting');
    this.registered = false;
    this.stopTimer('heartbeat');
    this.stopTimer('blockReport');
    if (this.stopped) return;
    this.timers.set('reconnect', setTimeout(() => this.connect(), this.reconnectDelayMs));
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, reconnectMaxDelayMs);
  }

  private register(): void {
    this.registerAsync().catch((error: unknown) => this.options.log.error({ err: error }, 'could not register'));
  }

  private async registerAsync(): Promise<void> {
    const { store } = this.options;
    const nonce = this.challenge;
    if (nonce === null) return; // registers as soon as the challenge comes
    const storage = await store.storageReport();
    const clientNonce = newNonce();
    this.clientNonce = clientNonce;
    const proof = registerProof(this.handshakeKey, { nonce, clientNonce, datanodeUuid: store.datanodeUuid, clusterId: store.clusterId });
    this.send({
      type: 'register',
      datanodeUuid: store.datanodeUuid,
      clusterId: store.clusterId,
      softwareVersion,
      hostname: this.options.hostname,
      dataPort: this.options.dataPort,
      storage,
      clientNonce,
      proof,
    });
  }

  private onMessage(data: WebSocket.RawData): void {
    const parsed = NamenodeMessage.safeParse(safeJson(String(data)));
    if (!parsed.success) {
      this.options.log.warn({ issues: parsed.error.issues.slice(0, 3) }, 'ignoring a malformed namenode message');
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'challenge':
        this.challenge = message.nonce;
        this.register();
        return;
      case 'registered':
        this.onRegistered(message).catch((error: unknown) => this.options.log.error({ err: error }, 'could not complete registration'));
        return;
      case 'registrationRefused':
        this.onRegistrationRefused(message);
        return;
      case 'heartbeatReply':
        // Commands come only from a namenode that proved the cluster secret on this connection.
        if (!this.registered) return;
        for (const command of message.commands) this.options.onCommand(command);
        return;
      case 'error':
        this.options.log.warn({ reason: message.message, reregister: message.reregister }, 'namenode reported an error');
        if (message.reregister) this.reregister();
        return;
    }
  }

  /**
   * A refusal signed over this connection's nonces gives up for good, as before. One we cannot
   * verify may be injected by anyone on the path, so it is not trusted: it is logged (our own
   * secret may be the wrong one) and we hang up and retry with backoff. A forger can then at
   * worst hold the link down while it keeps forging, which it could do by cutting the
   * connection anyway; it can no longer stop the datanode with one message.
   */
  private onRegistrationRefused(message: Extract<NamenodeMessage, { type: 'registrationRefused' }>): void {
    const { challenge, clientNonce } = this;
    const signed = challenge !== null && clientNonce !== '' && message.proof !== undefined;
    if (signed && refusalProofValid(this.handshakeKey, challenge, clientNonce, message.message, message.proof ?? '')) {
      this.refused(message.message);
      return;
    }
    this.options.log.error(
      { url: this.options.url, reason: message.message, retryInMs: this.reconnectDelayMs },
      `registration refused by the namenode: ${message.message} (not signed with our cluster secret — check ${clusterSecretFileKey}); retrying`,
    );
    this.socket?.close();
  }

  private refused(reason: string): void {
    this.options.log.error({ reason }, 'namenode refused registration');
    this.stopped = true;
    this.socket?.close();
    this.options.onRefused(reason);
  }

  private async onRegistered(message: Extract<NamenodeMessage, { type: 'registered' }>): Promise<void> {
    const { store, log } = this.options;
    if (this.challenge === null || !registeredProofValid(this.handshakeKey, this.clientNonce, this.challenge, message.proof)) {
      // Not our cluster's namenode (or someone in between): take nothing from it, try again later.
      log.error({ url: this.options.url }, 'the namenode could not prove the cluster secret (wrong tsdfs.cluster.secret.file on the namenode, or an impostor); not accepting its commands');
      this.socket?.close();
      return;
    }
    if (store.clusterId !== '' && store.clusterId !== message.clusterId) {
      // The namenode should have refused us; never mix replicas of two clusters.
      this.refused(`datanode belongs to cluster ${store.clusterId}, namenode to cluster ${message.clusterId}`);
      return;
    }
    if (store.clusterId === '') {
      const socket = this.socket;
      await store.adoptClusterId(message.clusterId);
      // The link closed or reconnected while the id was written: this registration is void.
      if (this.stopped || this.socket !== socket) return;
    }
    // The namenode judges liveness by its own interval, so beat at the pace it names.
    if (message.heartbeatIntervalMs > 0) this.heartbeatIntervalMs = message.heartbeatIntervalMs;
    if (message.blockReportIntervalMs > 0) this.blockReportIntervalMs = message.blockReportIntervalMs;
    this.registered = true;
    this.reconnectDelayMs = reconnectInitialDelayMs;
    log.info({ clusterId: message.clusterId, namespaceId: message.namespaceId }, 'registered with the namenode');
    // The full report below covers everything that happened while unregistered.
    this.received = [];
    this.deleted = [];
    this.sendFullBlockReport();
    this.flushIncremental();
    this.scheduleHeartbeat(0);
  }

  // ---- heartbeats and reports ----

  private scheduleHeartbeat(delayMs: number): void {
    this.stopTimer('heartbeat');
    this.timers.set(
      'heartbeat',
      setTimeout(() => {
        this.sendHeartbeat().catch((error: unknown) => this.options.log.error({ err: error }, 'heartbeat failed'));
      }, delayMs),
    );
  }

  private async sendHeartbeat(): Promise<void> {
    if (!this.registered) return;
    const storage = await this.options.store.storageReport();
    this.send({
      type: 'heartbeat',
      seq: this.heartbeatSeq++,
      capacity: storage.capacity,
      dfsUsed: storage.dfsUsed,
      nonDfsUsed: storage.nonDfsUsed,
      remaining: storage.remaining,
      activeTransfers: this.options.activeTransfers(),
      failedVolumes: storage.volumes.filter((volume) => volume.failed).length,
    });
    if (this.registered) this.scheduleHeartbeat(this.heartbeatIntervalMs);
  }

  private sendFullBlockReport(): void {
    const replicas = [...this.options.store.finalizedReplicas()];
    const reportId = ++this.reportId;
    const chunks = Math.max(1, Math.ceil(replicas.length / blockReportChunkBlocks));
    for (let chunk = 0; chunk < chunks; chunk++) {
      const slice = replicas.slice(chunk * blockReportChunkBlocks, (chunk + 1) * blockReportChunkBlocks);
      this.send({ type: 'blockReport', reportId, chunk, last: chunk === chunks - 1, replicas: slice });
    }
    this.options.log.debug({ reportId, replicas: replicas.length }, 'full block report sent');
    this.stopTimer('blockReport');
    this.timers.set('blockReport', setTimeout(() => this.sendBlockReportNow(), this.blockReportIntervalMs));
  }

  private onReplicaEvent(event: ReplicaEvent): void {
    if (event.kind === 'received') this.received.push(event.replica);
    else this.deleted.push(event.block);
    if (this.received.length + this.deleted.length > maxPendingIncrementalEntries) {
      // Too much to say piecemeal: a full report says it all at once.
      this.received = [];
      this.deleted = [];
      this.sendBlockReportNow();
      return;
    }
    this.scheduleIncremental();
  }

  private scheduleIncremental(): void {
    if (this.timers.has('incremental') || this.stopped) return;
    this.timers.set('incremental', setTimeout(() => this.flushIncremental(), incrementalReportDelayMs));
  }

  private flushIncremental(): void {
    this.stopTimer('incremental');
    if (!this.registered) return;
    if (this.received.length > 0 || this.deleted.length > 0) {
      this.send({ type: 'incrementalBlockReport', received: this.received, deleted: this.deleted });
      this.received = [];
      this.deleted = [];
    }
    if (this.badBlocks.length > 0) {
      this.send({ type: 'reportBadBlocks', blocks: this.badBlocks.splice(0, maxPendingBadBlocks) });
    }
  }

  private send(message: DatanodeMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private stopTimer(name: 'reconnect' | 'heartbeat' | 'blockReport' | 'incremental'): void {
    const timer = this.timers.get(name);
    if (timer) clearTimeout(timer);
    this.timers.delete(name);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

// The datanode link: one WebSocket per datanode on `/datanode` (datanode-link-server.ts).
// Every message is parsed with the DatanodeMessage schema's rules and handed to one handler
// per type; anything the namenode cannot accept gets an `error` reply, and nothing a
// datanode sends can crash it.
import {
  type BlockReport,
  type DatanodeMessage as DatanodeMessageType,
  type DatanodeReportsBadBlocks,
  DatanodeMessage,
  type Heartbeat,
  type IncrementalBlockReport,
  type NamenodeMessage,
  type Register,
} from '../../protocol/datanode-namenode.js';
import { handshakeKey, newNonce, refusalProof, registeredProof, registerProofValid } from '../../protocol/auth.js';
import { describeZodError } from '../../protocol/errors.js';
import { softwareVersion, softwareVersionsCompatible } from '../../protocol/version.js';
import type { NamenodeServices } from '../namenode-services.js';
import { onDatanodeRegistered } from '../replication/redundancy-shell.js';
import { updateSafeMode } from '../replication/redundancy-tick.js';
import { parseBlockReportFast, parseIncrementalReportFast, runInSlices } from './block-report-intake.js';
import type { ScannedBlockReport } from './block-report-scanner.js';
import type { DatanodeDescriptor } from './datanode-manager.js';

/**
 * What the namenode knows about one socket: the challenge it sent and the datanode that
 * proved itself on it, if any. Every later message on the socket is trusted by virtue of
 * that proof, as a TLS session is.
 */
export interface LinkSession {
  ipAddress: string;
  /** The fresh nonce of this connection's challenge; a register must prove knowledge of the secret over it. */
  nonce: string;
  datanodeUuid?: string;
}

export interface LinkReply {
  message?: NamenodeMessage;
  /** Close the socket after sending (a refused registration). */
  close?: boolean;
  /** Something the operator should see in the namenode's log. */
  warning?: string;
}

export function newLinkSession(ipAddress: string): LinkSession {
  return { ipAddress, nonce: newNonce() };
}

const notRegistered: LinkReply = {
  message: { type: 'error', message: 'datanode is not registered on this connection; register first', reregister: true },
};

/** The per-message handlers, free of sockets so tests can drive them directly. */
export class DatanodeLinkHandlers {
  private readonly handshakeKey: Buffer;

  /**
   * @param onTransfersConfirmed called when a report confirmed scheduled transfers: their
   *   source's streams are free, so the next replication work need not wait for the tick
   */
  constructor(
    private readonly services: NamenodeServices,
    private readonly onTransfersConfirmed: () => void = () => {},
  ) {
    this.handshakeKey = handshakeKey(services.clusterSecret);
  }

  handle(session: LinkSession, message: DatanodeMessageType): LinkReply {
    if (message.type === 'register') return this.onRegister(session, message);
    const node = this.registeredNode(session);
    if (node === undefined) return notRegistered;
    switch (message.type) {
      case 'heartbeat':
        return this.onHeartbeat(node, message);
      case 'blockReport':
        return this.onBlockReport(node, message);
      case 'incrementalBlockReport':
        return this.onIncrementalBlockReport(node, message);
      case 'reportBadBlocks':
        return this.onReportBadBlocks(node, message);
    }
  }

  /**
   * `handle`, except that a full-report chunk is applied a slice at a time with the event
   * loop free in between (block-report-intake.ts); the server runs a socket's messages one
   * after another, so the datanode's next message waits until the chunk is in.
   */
  async handleInSlices(session: LinkSession, message: DatanodeMessageType | ScannedBlockReport): Promise<LinkReply> {
    if (message.type !== 'blockReport') return this.handle(session, message);
    const node = this.registeredNode(session);
    if (node === undefined) return notRegistered;
    const work = this.services.blockManager.startBlockReportChunk(node, message.reportId, message.replicas, message.last, this.services.clock());
    await runInSlices(work);
    if (message.last) updateSafeMode(this.services, this.services.clock());
    return {};
  }

  private registeredNode(session: LinkSession): DatanodeDescriptor | undefined {
    return session.datanodeUuid === undefined ? undefined : this.services.datanodes.get(session.datanodeUuid);
  }

  onRegister(session: LinkSession, message: Register): LinkReply {
    const { clusterId, namespaceId } = this.services.format;
    // Signed, so a datanode can tell our refusal from an injected one (it gives up only on ours).
    const refuse = (reason: string): LinkReply => ({
      message: { type: 'registrationRefused', message: reason, proof: refusalProof(this.handshakeKey, session.nonce, message.clientNonce, reason) },
      close: true,
    });
    // The proof covers this connection's nonce: a register captured elsewhere never passes.
    if (!registerProofValid(this.handshakeKey, { ...message, nonce: session.nonce }, message.proof)) {
      return {
        ...refuse('wrong cluster secret: the registration proof does not match this namenode\'s tsdfs.cluster.secret.file (or it was replayed)'),
        warning: `refused datanode ${message.datanodeUuid} at ${session.ipAddress}: wrong cluster secret or replayed registration`,
      };
    }
    if (!softwareVersionsCompatible(message.softwareVersion, softwareVersion)) {
      return refuse(`incompatible software version: datanode has ${message.softwareVersion}, namenode has ${softwareVersion}`);
    }
    // An empty cluster id is a datanode's first start: it adopts ours from the reply.
    if (message.clusterId !== '' && message.clusterId !== clusterId) {
      return refuse(`cluster id mismatch: datanode has ${message.clusterId}, namenode has ${clusterId}`);
    }
    const node = this.services.datanodes.register(message, session.ipAddress, this.services.clock());
    this.services.blockManager.onDatanodeRegistered(node);
    onDatanodeRegistered(this.services, node);
    session.datanodeUuid = message.datanodeUuid;
    return {
      message: {
        type: 'registered',
        proof: registeredProof(this.handshakeKey, message.clientNonce, session.nonce),
        datanodeUuid: message.datanodeUuid,
        clusterId,
        namespaceId,
        heartbeatIntervalMs: Math.round(this.services.config['dfs.heartbeat.interval'] * 1000),
        blockReportIntervalMs: this.services.config['dfs.blockreport.intervalMsec'],
      },
    };
  }

  onHeartbeat(node: DatanodeDescriptor, message: Heartbeat): LinkReply {
    this.services.datanodes.onHeartbeat(node, message, this.services.clock());
    // Declared dead meanwhile: its replicas left the block map; it must register and report in full.
    if (node.lastLiveness === 'dead') return { message: { type: 'heartbeatReply', seq: message.seq, commands: [{ kind: 'reregister' }] } };
    const commands = this.services.datanodes.drainCommands(node, !this.services.safeMode.isOn);
    return { message: { type: 'heartbeatReply', seq: message.seq, commands } };
  }

  onBlockReport(node: DatanodeDescriptor, message: BlockReport): LinkReply {
    const now = this.services.clock();
    this.services.blockManager.onBlockReportChunk(node, message.reportId, message.replicas, message.last, now);
    if (message.last) updateSafeMode(this.services, now);
    return {};
  }

  onIncrementalBlockReport(node: DatanodeDescriptor, message: IncrementalBlockReport): LinkReply {
    const pending = this.services.blockManager.replication.pending;
    const pendingBefore = pending.size;
    for (const replica of message.received) this.services.blockManager.onReplicaReceived(node, replica);
    for (const [blockId, genStamp] of message.deleted) this.services.blockManager.onReplicaDeleted(node, blockId, genStamp);
    for (const [blockId] of message.received) this.services.context.replicaArrivals.notify(blockId);
    updateSafeMode(this.services, this.services.clock());
    if (pending.size < pendingBefore) this.onTransfersConfirmed();
    return {};
  }

  onReportBadBlocks(node: DatanodeDescriptor, message: DatanodeReportsBadBlocks): LinkReply {
    for (const [blockId, genStamp] of message.blocks) this.services.blockManager.markCorrupt(node, blockId, genStamp);
    return {};
  }
}

/** Parses one raw frame; a reply describing the problem when it is not a valid message. */
export function parseDatanodeFrame(text: string): { message: DatanodeMessageType } | { reply: LinkReply } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { reply: { message: { type: 'error', message: 'message is not valid JSON', reregister: false } } };
  }
  const report = parseBlockReportFast(json) ?? parseIncrementalReportFast(json);
  if (report !== undefined) return { message: report };
  const parsed = DatanodeMessage.safeParse(json);
  if (!parsed.success) {
    return { reply: { message: { type: 'error', message: `invalid datanode message: ${describeZodError(parsed.error)}`, reregister: false } } };
  }
  return { message: parsed.data };
}

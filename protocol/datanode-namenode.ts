// Datanode ↔ namenode: one WebSocket (`/datanode`) per datanode carrying JSON messages.
// The namenode opens with a challenge; the datanode registers with an HMAC proof of the
// cluster secret over it, and the namenode's `registered` proves the same back (mutual,
// see protocol/auth.ts). Then heartbeats at the datanode's pace; the namenode answers
// every heartbeat with the commands queued for that datanode.
import { z } from 'zod';
import { Nonce, Proof } from './auth.js';
import { BlockId, DatanodeLocation, DatanodeUuid, ExtendedBlock, GenerationStamp, SafeInt } from './common.js';
import { maxReplicasPerBlockReportMessage } from './limits.js';

export const datanodeLinkPath = '/datanode';

/** A replica in a report: [blockId, generationStamp, lengthBytes]. Tuples keep big reports small. */
export const ReportedReplica = z.tuple([BlockId, GenerationStamp, SafeInt]);
export type ReportedReplica = z.infer<typeof ReportedReplica>;

export const StorageReport = z.object({
  capacity: SafeInt,
  dfsUsed: SafeInt,
  nonDfsUsed: SafeInt,
  remaining: SafeInt,
  volumes: z.array(
    z.object({ path: z.string(), capacity: SafeInt, dfsUsed: SafeInt, remaining: SafeInt, failed: z.boolean() }),
  ),
});
export type StorageReport = z.infer<typeof StorageReport>;

export const Register = z.object({
  type: z.literal('register'),
  datanodeUuid: DatanodeUuid,
  /** Empty on a datanode's first start: it adopts the namenode's cluster id. */
  clusterId: z.string().max(100),
  softwareVersion: z.string().max(50),
  hostname: z.string().min(1).max(255),
  dataPort: z.number().int().min(1).max(65535),
  storage: StorageReport,
  /** The datanode's own fresh nonce; the namenode's `registered` proof covers it. */
  clientNonce: Nonce,
  /** HMAC(handshake key, 'register' ‖ challenge nonce ‖ clientNonce ‖ datanodeUuid ‖ clusterId). */
  proof: Proof,
});
export type Register = z.infer<typeof Register>;
/** What the namenode keeps of a register once its proof is checked. */
export type DatanodeRegistration = Omit<Register, 'clientNonce' | 'proof'>;

export const Heartbeat = z.object({
  type: z.literal('heartbeat'),
  seq: SafeInt,
  capacity: SafeInt,
  dfsUsed: SafeInt,
  nonDfsUsed: SafeInt,
  remaining: SafeInt,
  activeTransfers: SafeInt,
  failedVolumes: SafeInt,
});
export type Heartbeat = z.infer<typeof Heartbeat>;

/** A full report may span several messages; the namenode applies it when `last` arrives. */
export const BlockReport = z.object({
  type: z.literal('blockReport'),
  reportId: SafeInt,
  chunk: SafeInt,
  last: z.boolean(),
  replicas: z.array(ReportedReplica).max(maxReplicasPerBlockReportMessage),
});
export type BlockReport = z.infer<typeof BlockReport>;

export const IncrementalBlockReport = z.object({
  type: z.literal('incrementalBlockReport'),
  received: z.array(ReportedReplica).max(100_000),
  deleted: z.array(z.tuple([BlockId, GenerationStamp])).max(100_000),
});
export type IncrementalBlockReport = z.infer<typeof IncrementalBlockReport>;

export const DatanodeReportsBadBlocks = z.object({
  type: z.literal('reportBadBlocks'),
  blocks: z.array(z.tuple([BlockId, GenerationStamp])).max(10_000),
});
export type DatanodeReportsBadBlocks = z.infer<typeof DatanodeReportsBadBlocks>;

export const DatanodeMessage = z.discriminatedUnion('type', [
  Register,
  Heartbeat,
  BlockReport,
  IncrementalBlockReport,
  DatanodeReportsBadBlocks,
]);
export type DatanodeMessage = z.infer<typeof DatanodeMessage>;

// ---- namenode → datanode ----

export const InvalidateCommand = z.object({
  kind: z.literal('invalidate'),
  blocks: z.array(z.tuple([BlockId, GenerationStamp])),
});
/** Copy a finalized replica to the targets (the first target forwards to the rest). */
export const TransferCommand = z.object({
  kind: z.literal('transfer'),
  block: ExtendedBlock,
  targets: z.array(DatanodeLocation).min(1),
  token: z.string(),
});
export const ReregisterCommand = z.object({ kind: z.literal('reregister') });
export const BlockReportNowCommand = z.object({ kind: z.literal('blockReportNow') });
export const ShutdownCommand = z.object({ kind: z.literal('shutdown'), reason: z.string() });

export const DatanodeCommand = z.discriminatedUnion('kind', [
  InvalidateCommand,
  TransferCommand,
  ReregisterCommand,
  BlockReportNowCommand,
  ShutdownCommand,
]);
export type DatanodeCommand = z.infer<typeof DatanodeCommand>;

/** The namenode's first message on every link: a fresh nonce the register proof must cover. */
export const Challenge = z.object({
  type: z.literal('challenge'),
  nonce: Nonce,
});
export type Challenge = z.infer<typeof Challenge>;

export const Registered = z.object({
  type: z.literal('registered'),
  /** HMAC(handshake key, clientNonce ‖ challenge nonce ‖ 'namenode'): the namenode holds the secret too. */
  proof: Proof,
  datanodeUuid: DatanodeUuid,
  clusterId: z.string(),
  namespaceId: z.string(),
  heartbeatIntervalMs: SafeInt,
  blockReportIntervalMs: SafeInt,
});
export const RegistrationRefused = z.object({
  type: z.literal('registrationRefused'),
  message: z.string(),
  /**
   * HMAC(handshake key, 'registrationRefused' ‖ challenge nonce ‖ clientNonce ‖ message): a
   * datanode gives up only on a refusal it can verify; an unsigned or unverifiable one (wrong
   * secret on either side, or injected) is logged and the datanode keeps retrying.
   */
  proof: Proof.optional(),
});
export const HeartbeatReply = z.object({
  type: z.literal('heartbeatReply'),
  seq: SafeInt,
  commands: z.array(DatanodeCommand),
});
/** Any message the namenode could not accept; the datanode logs it (e.g. not registered). */
export const LinkError = z.object({
  type: z.literal('error'),
  message: z.string(),
  /** True when the datanode must register again before anything else is accepted. */
  reregister: z.boolean(),
});

export const NamenodeMessage = z.discriminatedUnion('type', [Challenge, Registered, RegistrationRefused, HeartbeatReply, LinkError]);
export type NamenodeMessage = z.infer<typeof NamenodeMessage>;

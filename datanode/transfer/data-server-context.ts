// What the data-transfer handlers need from the rest of the datanode, passed in by the
// composition root so tests can run a data server without a namenode.
import type http from 'node:http';
import type { Logger } from 'pino';
import type { BlockAccess } from '../../protocol/auth.js';
import type { DatanodeMetrics } from '../metrics.js';
import type { BlockStore } from '../storage/block-store.js';
import type { TransferSlots } from './transfer-slots.js';

/** `read` for GET; `write` for a client's pipeline (and its recovery); `copy` for a datanode's transfer. */
export type BlockAccessMode = BlockAccess;

export interface DataServerContext {
  store: BlockStore;
  metrics: DatanodeMetrics;
  log: Logger;
  slots: TransferSlots;
  /** Tells the namenode a replica failed verification (over the link, when there is one). */
  reportBadBlock(blockId: number, genStamp: number): void;
  /**
   * Block access tokens (see block-access.ts): throws a DfsError to refuse. With
   * `dfs.block.access.token.enable=false` every request passes.
   */
  checkBlockAccess(request: http.IncomingMessage, blockId: number, mode: BlockAccessMode): void;
  /** Extra fields for `GET /status`. */
  status(): Record<string, unknown>;
  /**
   * How this datanode connects to its peers (pipeline forwarding, re-replication copies):
   * an https.Agent verifying them against tsdfs.tls.ca.file when the cluster speaks TLS;
   * absent, plain HTTP with a fresh connection per pipeline.
   */
  peerAgent?: http.Agent;
}

/** Tokens off: every request passes and any Authorization header is ignored. */
export function allowAllBlockAccess(): void {}

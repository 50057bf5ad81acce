// What the data-transfer handlers need from the rest of the datanode, passed in by the
// composition root so tests can run a data server without a namenode.
import type http from 'node:http';
import type { Logger } from 'pino';
import type { DatanodeMetrics } from '../metrics.js';
import type { BlockStore } from '../storage/block-store.js';
import type { TransferSlots } from './transfer-slots.js';

export type BlockAccessMode = 'read' | 'write';

export interface DataServerContext {
  store: BlockStore;
  metrics: DatanodeMetrics;
  log: Logger;
  slots: TransferSlots;
  /** Tells the namenode a replica failed verification (over the link, when there is one). */
  reportBadBlock(blockId: number, genStamp: number): void;
  /**
   * Seam for block access tokens (a later issue): throws a DfsError to refuse. Today every
   * request passes and any Authorization header is accepted as is.
   */
  checkBlockAccess(request: http.IncomingMessage, blockId: number, mode: BlockAccessMode): void;
  /** Extra fields for `GET /status`. */
  status(): Record<string, unknown>;
}

export function allowAllBlockAccess(): void {}

// Reads a byte range of one replica from one datanode (`GET /blocks/<id>`), verifying
// every packet's checksums before a byte of it is handed on, so nothing unverified leaves.
// Plain connections use the raw reader (raw-replica-reader.ts: no node:http, socket reads
// into reused slabs); TLS ones keep node:http's client (http-replica-reader.ts).
import type http from 'node:http';
import type { DatanodeLocation, ExtendedBlock } from '../../protocol/common.js';
import { schemeOfAgent } from '../transport.js';
import { readReplicaOverHttp } from './http-replica-reader.js';
import { readReplicaRaw } from './raw-replica-reader.js';

/** A datanode that sends nothing for this long is given up for the next replica. */
export const readIdleTimeoutMs = 60_000;

export { ReplicaChecksumError } from './packet-checker.js';

export interface ReplicaRead {
  agent: http.Agent;
  location: DatanodeLocation;
  block: ExtendedBlock;
  token: string;
  /** Wanted bytes `[start, end)`, relative to the block. */
  start: number;
  end: number;
  idleTimeoutMs?: number;
  /**
   * The consumer hands every yielded list to `releaseReadParts` once done with it, so the
   * memory can be reused; without it the consumer keeps the buffers.
   */
  recycle?: boolean;
}

/**
 * Yields the verified bytes of `[start, end)` in order, a packet's worth at a time (the
 * parts it arrived in); throws if the replica cannot deliver all.
 */
export function readReplica(read: ReplicaRead): AsyncGenerator<Buffer[]> {
  return schemeOfAgent(read.agent) === 'https' ? readReplicaOverHttp(read) : readReplicaRaw(read);
}

// Appends packets (data and their checksums) to a replica being written, then finalizes
// it (fsync) or lets it go when the pipeline breaks, keeping the bytes for recovery.
import type { FileHandle } from 'node:fs/promises';
import { checksumBytes, chunkCount } from '../../protocol/checksum.js';
import { DfsError } from '../../protocol/errors.js';
import { maxBlockSizeBytes } from '../../protocol/limits.js';
import { metaOffsetOfChunk } from './meta-file.js';
import type { Replica } from './replica.js';

/** What the block store does when a writer finishes; kept apart so the writer owns only file I/O. */
export interface ReplicaWriterHost {
  finalizeReplica(writer: ReplicaWriter): Promise<void>;
  releaseWriter(writer: ReplicaWriter): void;
  /** A write, fsync or finalize failed with this (already translated) error. */
  onWriteError(writer: ReplicaWriter, error: unknown): void;
  accountBytes(replica: Replica, deltaBytes: number): void;
}

export class ReplicaWriter {
  private closed = false;
  private finalized = false;
  private inflight: Promise<unknown> = Promise.resolve();
  private readonly abortListeners: Array<() => void> = [];

  constructor(
    readonly replica: Replica,
    readonly bytesPerChecksum: number,
    private readonly blockHandle: FileHandle,
    private readonly metaHandle: FileHandle,
    private readonly host: ReplicaWriterHost,
  ) {}

  get length(): number {
    return this.replica.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Called when someone else (a recovery, an invalidation) takes the replica away. */
  onAbort(listener: () => void): void {
    this.abortListeners.push(listener);
  }

  /** Writes one packet at `offset`, which must be the replica's current end. */
  append(offset: number, data: Buffer, checksums: Buffer): Promise<void> {
    return this.serialize(async () => {
      this.checkAppend(offset, data, checksums);
      if (data.length === 0) return;
      const firstChunk = offset / this.bytesPerChecksum;
      try {
        // Two files, two threadpool jobs at once: one wait per packet instead of two. Both
        // settle before a failure is reported, so nothing is left writing behind an abort.
        const [blockWrite, metaWrite] = await Promise.allSettled([
          this.blockHandle.write(data, 0, data.length, offset),
          this.metaHandle.write(checksums, 0, checksums.length, metaOffsetOfChunk(firstChunk)),
        ]);
        if (blockWrite.status === 'rejected') throw blockWrite.reason;
        if (metaWrite.status === 'rejected') throw metaWrite.reason;
      } catch (error) {
        throw this.failed(error);
      }
      this.host.accountBytes(this.replica, data.length + checksums.length);
      this.replica.length = offset + data.length;
    });
  }

  /** fsyncs both files and hands the replica to the store to move into `finalized`. */
  finalize(): Promise<void> {
    return this.serialize(async () => {
      try {
        // Both fsyncs at once: two threadpool jobs, one wait (it halves a small file's finalize).
        await Promise.all([this.blockHandle.sync(), this.metaHandle.sync()]);
        await this.closeHandles();
        this.closed = true;
        this.finalized = true;
        await this.host.finalizeReplica(this);
      } catch (error) {
        throw this.failed(error);
      }
    });
  }

  /** Stops the writer; the rbw files stay as they are so a recovery can pick them up. */
  async abort(): Promise<void> {
    if (this.closed) {
      await this.inflight.catch(() => undefined);
      return;
    }
    this.closed = true;
    for (const listener of this.abortListeners.splice(0)) listener();
    await this.inflight.catch(() => undefined);
    if (!this.finalized) {
      await this.closeHandles();
      this.host.releaseWriter(this);
    }
  }

  private failed(error: unknown): Error {
    const translated = asDiskError(error);
    this.host.onWriteError(this, translated);
    return translated;
  }

  private checkAppend(offset: number, data: Buffer, checksums: Buffer): void {
    if (offset !== this.replica.length) {
      throw new DfsError('InvalidRequest', `packet at offset ${offset}, but the replica ends at ${this.replica.length}`);
    }
    if (data.length > 0 && offset % this.bytesPerChecksum !== 0) {
      throw new DfsError('InvalidRequest', `packet at offset ${offset} is not chunk-aligned (only the last packet may be short)`);
    }
    if (checksums.length !== chunkCount(data.length, this.bytesPerChecksum) * checksumBytes) {
      throw new DfsError('InvalidRequest', 'packet checksums do not match its data length');
    }
    if (offset + data.length > maxBlockSizeBytes) throw new DfsError('LimitExceeded', 'block is larger than the largest block size');
  }

  private serialize(operation: () => Promise<void>): Promise<void> {
    const run = this.inflight.catch(() => undefined).then(() => {
      if (this.closed) throw new DfsError('Unavailable', `writer of block ${this.replica.blockId} was closed`);
      return operation();
    });
    this.inflight = run;
    return run;
  }

  private async closeHandles(): Promise<void> {
    await Promise.allSettled([this.blockHandle.close(), this.metaHandle.close()]);
  }
}

function asDiskError(error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new DfsError('DiskFull', 'volume is full');
  return error as Error;
}

// Appends packets (data and their checksums) to a replica being written, then finalizes
// it (fsync) or lets it go when the pipeline breaks, keeping the bytes for recovery.
import { closeSync, fdatasync, write, writeSync } from 'node:fs';
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

/** The replica's two open files, as raw descriptors: the cheap calls on them are made synchronously. */
export interface ReplicaFds {
  blockFd: number;
  metaFd: number;
}

/**
 * A last packet up to this size is written synchronously by the finalize (a write into the
 * page cache costs less than a thread-pool hand-off); a bigger one is appended as any other.
 */
const maxSyncTailBytes = 64 * 1024;

export class ReplicaWriter {
  private closed = false;
  private finalized = false;
  private inflight: Promise<unknown> = Promise.resolve();
  private readonly abortListeners: Array<() => void> = [];

  constructor(
    readonly replica: Replica,
    readonly bytesPerChecksum: number,
    /** Null once closed. */
    private fds: ReplicaFds | null,
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
      const { blockFd, metaFd } = this.openFds();
      try {
        // Two files, two threadpool jobs at once: one wait per packet instead of two. Both
        // settle before a failure is reported, so nothing is left writing behind an abort.
        const [blockWrite, metaWrite] = await Promise.allSettled([
          writeAt(blockFd, data, offset),
          writeAt(metaFd, checksums, metaOffsetOfChunk(firstChunk)),
        ]);
        if (blockWrite.status === 'rejected') throw blockWrite.reason;
        if (metaWrite.status === 'rejected') throw metaWrite.reason;
      } catch (error) {
        throw this.failed(error);
      }
      this.appended(offset, data, checksums);
    });
  }

  /**
   * Writes the last packet (if given), fdatasyncs both files and hands the replica to the
   * store to move into `finalized`. A small replica that arrives whole in one packet costs
   * three thread-pool hand-offs (two fdatasyncs, the folder's fsync) where it took about
   * ten: its other calls (a small write, close, rename; the opens at create) only touch the
   * page cache and the journal and are made synchronously, as each hand-off cost more.
   */
  finalize(lastOffset?: number, data: Buffer = emptyBuffer, checksums: Buffer = emptyBuffer): Promise<void> {
    if (lastOffset !== undefined && data.length > maxSyncTailBytes) return this.append(lastOffset, data, checksums).then(() => this.finalize());
    return this.serialize(async () => {
      const offset = lastOffset ?? this.replica.length;
      this.checkAppend(offset, data, checksums);
      try {
        const { blockFd, metaFd } = this.openFds();
        if (data.length > 0) {
          writeAllSync(blockFd, data, offset);
          writeAllSync(metaFd, checksums, metaOffsetOfChunk(offset / this.bytesPerChecksum));
          this.appended(offset, data, checksums);
        }
        // Both at once: two threadpool jobs, one wait. fdatasync covers what a read needs
        // back, the length included, so it is enough for files this writer created or cut.
        await Promise.all([datasync(blockFd), datasync(metaFd)]);
        this.closeFds();
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
      // The rbw files stay as they are either way: a failed close changes nothing to report.
      this.closeFds(true);
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

  private openFds(): ReplicaFds {
    if (!this.fds) throw new DfsError('Unavailable', `writer of block ${this.replica.blockId} was closed`);
    return this.fds;
  }

  private appended(offset: number, data: Buffer, checksums: Buffer): void {
    this.host.accountBytes(this.replica, data.length + checksums.length);
    this.replica.length = offset + data.length;
  }

  /** Closes both files, each exactly once (a descriptor closed twice could be another file's by then). */
  private closeFds(quietly = false): void {
    const fds = this.fds;
    this.fds = null;
    if (fds === null) return;
    if (quietly) closeQuietly(fds.blockFd, fds.metaFd);
    else closeAllSync(fds.blockFd, fds.metaFd);
  }
}

const emptyBuffer = Buffer.alloc(0);

/** Closes every descriptor given, then throws the first error, if any. */
function closeAllSync(...fds: Array<number | undefined>): void {
  let failure: unknown = null;
  for (const fd of fds) {
    try {
      if (fd !== undefined) closeSync(fd);
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== null) throw failure;
}

/** Closes what is open on the way out of a failure, whose error is the one to report. */
export function closeQuietly(...fds: Array<number | undefined>): void {
  try {
    closeAllSync(...fds);
  } catch {
    // the error being reported is the one that counts
  }
}

function writeAt(fd: number, data: Buffer, position: number): Promise<void> {
  return new Promise((resolve, reject) => write(fd, data, 0, data.length, position, (error) => (error ? reject(error) : resolve())));
}

export function writeAllSync(fd: number, data: Buffer, position: number): void {
  for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done, position + done);
}

function datasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));
}

function asDiskError(error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new DfsError('DiskFull', 'volume is full');
  return error as Error;
}

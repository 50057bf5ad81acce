// The datanode's replica store (HDFS's FsDataset): the in-memory replica map built by
// scanning the volumes at start-up, and every change to a replica's files: create,
// append (through a ReplicaWriter), recover, finalize, delete, read. Which volume takes a
// replica and their health are the VolumeSet's (volume-set.ts).
import { ftruncateSync, openSync, readSync, renameSync } from 'node:fs';
import { mkdir, rename, unlink } from 'node:fs/promises';
import type { Logger } from 'pino';
import { DfsError } from '../../protocol/errors.js';
import type { ReportedReplica, StorageReport } from '../../protocol/datanode-namenode.js';
import { datanodeLayoutVersion } from '../../protocol/version.js';
import { decodeMetaHeader, encodeMetaHeader, metaFileLength, metaHeaderBytes } from './meta-file.js';
import { blockPathOf, metaPathOf, type Replica, replicaDir } from './replica.js';
import { ReplicaReader } from './replica-reader.js';
import { closeQuietly, type ReplicaFds, ReplicaWriter, type ReplicaWriterHost, writeAllSync } from './replica-writer.js';
import { asDiskError, isVolumeError, prepareVolume, settleIdentity, Volume } from './volume.js';
import { VolumeSet } from './volume-set.js';
import { clearRbw, scanFinalized } from './volume-scan.js';

export interface BlockStoreOptions {
  dataDirs: readonly string[];
  reservedBytes: number;
  /** Free space a volume needs to take a new replica: one full block. */
  blockSizeBytes: number;
  log: Logger;
}

export type ReplicaEvent =
  | { kind: 'received'; replica: ReportedReplica }
  | { kind: 'deleted'; block: [blockId: number, genStamp: number] };

export interface ReplicaView {
  blockId: number;
  genStamp: number;
  length: number;
  state: Replica['state'];
  volume: string;
  beingWritten: boolean;
}

export class BlockStore implements ReplicaWriterHost {
  private readonly replicas = new Map<number, Replica>();
  private readonly blockLocks = new Map<number, Promise<unknown>>();
  private readonly listeners: Array<(event: ReplicaEvent) => void> = [];
  private readonly volumeSet: VolumeSet;

  private constructor(
    volumes: readonly Volume[],
    readonly datanodeUuid: string,
    private currentClusterId: string,
    private readonly options: BlockStoreOptions,
  ) {
    const { blockSizeBytes, log } = options;
    this.volumeSet = new VolumeSet(volumes, { blockSizeBytes, log, onVolumeFailed: (volume) => this.forgetReplicasOn(volume) });
  }

  get volumes(): readonly Volume[] {
    return this.volumeSet.list;
  }

  /** Opens every volume, settles the datanode's identity and scans for finalized replicas. */
  static async open(options: BlockStoreOptions): Promise<BlockStore> {
    if (options.dataDirs.length === 0) throw new Error('dfs.datanode.data.dir names no volume');
    const volumes = options.dataDirs.map((dir) => new Volume(dir, options.reservedBytes));
    const versions = await Promise.all(volumes.map((volume) => prepareVolume(volume, options.log)));
    if (volumes.every((volume) => volume.failed)) throw new Error('no usable volume in dfs.datanode.data.dir');
    const identity = settleIdentity(versions);
    const store = new BlockStore(volumes, identity.datanodeUuid, identity.clusterId, options);
    await store.writeVersions();
    await store.scan();
    return store;
  }

  get clusterId(): string {
    return this.currentClusterId;
  }

  /** Adopts the namenode's cluster id at first registration and keeps it in every VERSION. */
  async adoptClusterId(clusterId: string): Promise<void> {
    if (this.currentClusterId === clusterId) return;
    this.currentClusterId = clusterId;
    await this.writeVersions();
  }

  subscribe(listener: (event: ReplicaEvent) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  get dfsUsed(): number {
    return this.volumeSet.dfsUsed;
  }

  get replicaCount(): number {
    return this.replicas.size;
  }

  get failedVolumes(): number {
    return this.volumeSet.failedCount;
  }

  getReplica(blockId: number): ReplicaView | undefined {
    const replica = this.replicas.get(blockId);
    if (!replica) return undefined;
    const { genStamp, length, state, volume, writer } = replica;
    return { blockId, genStamp, length, state, volume: volume.root, beingWritten: writer !== null };
  }

  /** Finalized replicas as a block report lists them. */
  *finalizedReplicas(): Generator<ReportedReplica> {
    for (const replica of this.replicas.values()) {
      if (replica.state === 'finalized') yield [replica.blockId, replica.genStamp, replica.length];
    }
  }

  storageReport(): Promise<StorageReport> {
    return this.volumeSet.storageReport();
  }

  /** A new replica being written (`rbw`) on the next volume with room for a block. */
  createRbw(blockId: number, genStamp: number, bytesPerChecksum: number): Promise<ReplicaWriter> {
    return this.withBlockLock(blockId, async () => {
      await this.removeAbandonedRbw(blockId, genStamp);
      // A volume that fails on the way is checked (and dropped) and the next one tried.
      for (let attempt = 0; ; attempt++) {
        const volume = await this.volumeSet.choose();
        try {
          return await this.createRbwOn(volume, blockId, genStamp, bytesPerChecksum);
        } catch (error) {
          if (!isVolumeError(error) || attempt >= this.volumes.length || (await this.checkVolume(volume, error))) throw asDiskError(error);
        }
      }
    });
  }

  private async createRbwOn(volume: Volume, blockId: number, genStamp: number, bytesPerChecksum: number): Promise<ReplicaWriter> {
    const replica: Replica = { blockId, genStamp, length: 0, state: 'rbw', volume, diskBytes: 0, writer: null };
    // Synchronous: two opens and a 7-byte write cost less than the thread-pool hand-offs
    // they took as promises (a small replica's create was three of them, one after another).
    const blockPath = blockPathOf(replica);
    const metaPath = metaPathOf(replica);
    const blockFd = openSync(blockPath, 'w');
    let metaFd: number | undefined;
    try {
      metaFd = openSync(metaPath, 'w');
      writeAllSync(metaFd, encodeMetaHeader(bytesPerChecksum), 0);
    } catch (error) {
      closeQuietly(blockFd, metaFd);
      await Promise.allSettled([unlink(blockPath), unlink(metaPath)]);
      throw error;
    }
    replica.writer = new ReplicaWriter(replica, bytesPerChecksum, { blockFd, metaFd }, this);
    this.accountBytes(replica, metaHeaderBytes);
    this.replicas.set(blockId, replica);
    return replica.writer;
  }

  /**
   * Pipeline recovery: takes the replica the failed pipeline left (rbw, or finalized when
   * the failure came at the very end), stops its writer, cuts it to `offset` and gives it
   * the new generation stamp. A replica already between old and new stamp is accepted, so
   * a recovery that itself failed half-way can be retried.
   */
  recoverRbw(blockId: number, oldGenStamp: number, newGenStamp: number, offset: number, bytesPerChecksum: number): Promise<ReplicaWriter> {
    return this.withBlockLock(blockId, async () => {
      const replica = this.replicas.get(blockId);
      if (!replica) throw new DfsError('ReplicaNotFound', `no replica of block ${blockId} to recover`);
      if (replica.genStamp < oldGenStamp || replica.genStamp > newGenStamp) {
        throw new DfsError('StaleGenerationStamp', `replica of block ${blockId} has generation stamp ${replica.genStamp}, expected ${oldGenStamp}`);
      }
      await replica.writer?.abort();
      if (offset > replica.length) {
        throw new DfsError('InvalidRequest', `cannot recover block ${blockId} to ${offset}: the replica has ${replica.length} bytes`);
      }
      if (offset < replica.length && offset % bytesPerChecksum !== 0) {
        throw new DfsError('InvalidRequest', `recovery offset ${offset} is not chunk-aligned`);
      }
      if (replica.state === 'finalized') await this.moveToRbw(replica);
      await this.renameMeta(replica, newGenStamp);
      return this.reopenForAppend(replica, offset, bytesPerChecksum);
    });
  }

  /** Deletes a replica (an `invalidate` command); a newer generation stamp is kept. */
  deleteReplica(blockId: number, genStamp: number): Promise<'deleted' | 'absent' | 'newer'> {
    return this.withBlockLock(blockId, async () => {
      const replica = this.replicas.get(blockId);
      if (!replica) return 'absent';
      if (replica.genStamp > genStamp) return 'newer';
      await replica.writer?.abort();
      await this.removeReplicaFiles(replica).catch(async (error: unknown) => {
        if (isVolumeError(error) && !(await this.checkVolume(replica.volume, error))) return; // reported with its volume
        throw error;
      });
      if (this.replicas.get(blockId) === replica) return 'absent';
      this.emit({ kind: 'deleted', block: [blockId, replica.genStamp] });
      return 'deleted';
    });
  }

  /**
   * A finalized replica whose files vanished from a working volume (found by the scanner):
   * forgotten and reported deleted, so the namenode copies it back from elsewhere.
   */
  dropMissingReplica(blockId: number, genStamp: number): Promise<void> {
    return this.withBlockLock(blockId, async () => {
      const replica = this.replicas.get(blockId);
      if (!replica || replica.genStamp !== genStamp || replica.state !== 'finalized' || replica.writer) return;
      await this.removeReplicaFiles(replica).catch(() => this.replicas.delete(blockId));
      this.emit({ kind: 'deleted', block: [blockId, genStamp] });
    });
  }

  /** Drops a replica whose pipeline never got going; nobody was told of it, so no report. */
  discardRbw(writer: ReplicaWriter): Promise<void> {
    const replica = writer.replica;
    return this.withBlockLock(replica.blockId, async () => {
      await writer.abort();
      if (this.replicas.get(replica.blockId) === replica && replica.state === 'rbw') await this.removeReplicaFiles(replica);
    });
  }

  /** A reader of a finalized replica whose generation stamp is at least `genStamp`. */
  async openReader(blockId: number, genStamp: number): Promise<ReplicaReader> {
    const replica = this.replicas.get(blockId);
    if (!replica || replica.state !== 'finalized') throw new DfsError('ReplicaNotFound', `no finalized replica of block ${blockId}`);
    if (genStamp > replica.genStamp) {
      throw new DfsError('StaleGenerationStamp', `replica of block ${blockId} has generation stamp ${replica.genStamp} < ${genStamp}`);
    }
    try {
      return await ReplicaReader.open(blockId, replica.genStamp, replica.length, blockPathOf(replica), metaPathOf(replica));
    } catch (error) {
      if (isVolumeError(error)) void this.checkVolume(replica.volume, error);
      throw error;
    }
  }

  /** Whether the replica is still the same finalized one, not being written, on a working volume. */
  isFinalized(blockId: number, genStamp: number): boolean {
    const replica = this.replicas.get(blockId);
    return replica !== undefined && replica.state === 'finalized' && replica.genStamp === genStamp && replica.writer === null && !replica.volume.failed;
  }

  // ---- volume failures ----

  /** The periodic check of every working volume; returns the number failed. */
  checkVolumes(): Promise<number> {
    return this.volumeSet.checkAll();
  }

  /** Checks a volume after an I/O error on it (`cause`); true while it is healthy. */
  checkVolume(volume: Volume, cause: unknown, probeWrite = true): Promise<boolean> {
    return this.volumeSet.check(volume, cause, probeWrite);
  }

  /** A failed volume's replicas leave the map (finalized ones reported deleted); its writers stop. */
  private forgetReplicasOn(volume: Volume): number {
    const lost = [...this.replicas.values()].filter((replica) => replica.volume === volume);
    for (const replica of lost) {
      this.replicas.delete(replica.blockId);
      if (replica.writer) void replica.writer.abort();
      if (replica.state === 'finalized') this.emit({ kind: 'deleted', block: [replica.blockId, replica.genStamp] });
    }
    return lost.length;
  }

  // ---- ReplicaWriterHost ----

  async finalizeReplica(writer: ReplicaWriter): Promise<void> {
    const replica = writer.replica;
    const finalized = { ...replica, state: 'finalized' as const };
    const subdir = replicaDir(finalized);
    if (!replica.volume.knownSubdirs.has(subdir)) {
      // Not recursive: a volume whose `current` vanished must fail, not grow a new one.
      await mkdir(subdir).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      replica.volume.knownSubdirs.add(subdir);
    }
    // A known sub-folder that vanished since fails the rename, as the mkdir would have. A
    // crash between the two leaves a block without meta in `finalized`, which the start-up
    // scan ignores. Synchronous, as a rename costs less than a thread-pool hand-off.
    renameSync(blockPathOf(replica), blockPathOf(finalized));
    renameSync(metaPathOf(replica), metaPathOf(finalized));
    await replica.volume.directorySync.sync(subdir);
    // Only now is it finalized: readers and the scanner find the files where the state says.
    replica.state = 'finalized';
    replica.writer = null;
    this.emit({ kind: 'received', replica: [replica.blockId, replica.genStamp, replica.length] });
  }

  /**
   * A write or finalize failed. A full disk drops the partial replica at once (this node
   * leaves the pipeline, which recovers on the others); other I/O errors check the volume.
   */
  onWriteError(writer: ReplicaWriter, error: unknown): void {
    if (error instanceof DfsError && error.code === 'DiskFull') {
      this.options.log.warn({ blockId: writer.replica.blockId, volume: writer.replica.volume.root }, 'volume full while writing: partial replica dropped');
      void this.discardRbw(writer).catch((discardError: unknown) => this.options.log.warn({ err: discardError }, 'could not drop a partial replica'));
    } else if (isVolumeError(error)) {
      void this.checkVolume(writer.replica.volume, error);
    }
  }

  releaseWriter(writer: ReplicaWriter): void {
    if (writer.replica.writer === writer) writer.replica.writer = null;
  }

  accountBytes(replica: Replica, deltaBytes: number): void {
    replica.diskBytes += deltaBytes;
    replica.volume.dfsUsed += deltaBytes;
  }

  // ---- internals ----

  private async removeAbandonedRbw(blockId: number, genStamp: number): Promise<void> {
    const existing = this.replicas.get(blockId);
    if (!existing) return;
    // An idle rbw replica with an older stamp is what a broken earlier attempt left behind.
    if (existing.state === 'rbw' && existing.writer === null && existing.genStamp < genStamp) {
      await this.removeReplicaFiles(existing);
      return;
    }
    throw new DfsError('FileAlreadyExists', `block ${blockId} already has a ${existing.state} replica with generation stamp ${existing.genStamp}`);
  }

  private async moveToRbw(replica: Replica): Promise<void> {
    const finalizedBlock = blockPathOf(replica);
    const finalizedMeta = metaPathOf(replica);
    replica.state = 'rbw';
    await rename(finalizedBlock, blockPathOf(replica));
    await rename(finalizedMeta, metaPathOf(replica));
  }

  private async renameMeta(replica: Replica, genStamp: number): Promise<void> {
    if (replica.genStamp === genStamp) return;
    const oldMeta = metaPathOf(replica);
    await rename(oldMeta, metaPathOf({ ...replica, genStamp }));
    replica.genStamp = genStamp;
  }

  private async reopenForAppend(replica: Replica, offset: number, bytesPerChecksum: number): Promise<ReplicaWriter> {
    const metaLength = metaFileLength(offset, bytesPerChecksum);
    const fds = reopenRbwFiles(blockPathOf(replica), metaPathOf(replica), offset, metaLength);
    const header = Buffer.alloc(metaHeaderBytes);
    let headerBytes: number;
    try {
      headerBytes = readSync(fds.metaFd, header, 0, metaHeaderBytes, 0);
    } catch (error) {
      closeQuietly(fds.blockFd, fds.metaFd);
      throw error;
    }
    if (decodeMetaHeader(header.subarray(0, headerBytes)) !== bytesPerChecksum) {
      closeQuietly(fds.blockFd, fds.metaFd);
      throw new DfsError('InvalidRequest', `block ${replica.blockId} was written with another bytes-per-checksum`);
    }
    this.accountBytes(replica, offset + metaLength - replica.diskBytes);
    replica.length = offset;
    replica.writer = new ReplicaWriter(replica, bytesPerChecksum, fds, this);
    return replica.writer;
  }

  private async removeReplicaFiles(replica: Replica): Promise<void> {
    await Promise.all([unlinkIfPresent(blockPathOf(replica)), unlinkIfPresent(metaPathOf(replica))]);
    // A replica of a failed volume already left the map and its volume's count.
    if (this.replicas.get(replica.blockId) !== replica) return;
    this.replicas.delete(replica.blockId);
    this.accountBytes(replica, -replica.diskBytes);
  }

  private async writeVersions(): Promise<void> {
    const version = { clusterId: this.currentClusterId, datanodeUuid: this.datanodeUuid, layoutVersion: datanodeLayoutVersion };
    await Promise.all(this.volumeSet.working.map((volume) => volume.writeVersion(version)));
  }

  private async scan(): Promise<void> {
    for (const volume of this.volumes) {
      if (volume.failed) continue;
      await clearRbw(volume);
      for (const found of await scanFinalized(volume, this.options.log)) this.addScanned(volume, found);
    }
    this.options.log.info({ replicas: this.replicas.size, dfsUsed: this.dfsUsed }, 'volumes scanned');
  }

  private addScanned(volume: Volume, found: Awaited<ReturnType<typeof scanFinalized>>[number]): void {
    const existing = this.replicas.get(found.blockId);
    if (existing && existing.genStamp >= found.genStamp) {
      this.options.log.warn({ blockId: found.blockId, volume: volume.root }, 'duplicate replica on another volume ignored');
      return;
    }
    if (existing) this.accountBytes(existing, -existing.diskBytes);
    const { blockId, genStamp, length, diskBytes } = found;
    this.replicas.set(blockId, { blockId, genStamp, length, state: 'finalized', volume, diskBytes, writer: null });
    volume.dfsUsed += diskBytes;
  }

  private emit(event: ReplicaEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Runs changes to one block one after the other, so a recovery never races a delete. */
  private withBlockLock<T>(blockId: number, operation: () => Promise<T>): Promise<T> {
    const previous = this.blockLocks.get(blockId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(operation);
    const tail = run.catch(() => undefined);
    this.blockLocks.set(blockId, tail);
    void tail.then(() => {
      if (this.blockLocks.get(blockId) === tail) this.blockLocks.delete(blockId);
    });
    return run;
  }
}

/** Opens a recovered replica's two files for writing, cut to the lengths given. */
function reopenRbwFiles(blockPath: string, metaPath: string, blockLength: number, metaLength: number): ReplicaFds {
  const blockFd = openSync(blockPath, 'r+');
  let metaFd: number | undefined;
  try {
    metaFd = openSync(metaPath, 'r+');
    ftruncateSync(blockFd, blockLength);
    ftruncateSync(metaFd, metaLength);
    return { blockFd, metaFd };
  } catch (error) {
    closeQuietly(blockFd, metaFd);
    throw error;
  }
}

async function unlinkIfPresent(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}


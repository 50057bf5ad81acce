// The datanode's volumes as one set (HDFS's FsVolumeList): which volume takes the next
// replica, their health checks (after an I/O error, or periodic), taking a failed one out
// of service, and the totals a storage report needs. What lives on a volume (the replica
// map) is the BlockStore's; it is told when a volume fails.
import type { Logger } from 'pino';
import type { StorageReport } from '../../protocol/datanode-namenode.js';
import { DfsError } from '../../protocol/errors.js';
import { describeError, safeUsage, type Volume } from './volume.js';

/** Between periodic volume checks, one of them also writes a probe file (catches read-only remounts). */
const volumeChecksPerWriteProbe = 12;

export interface VolumeSetOptions {
  /** Free space a volume needs to take a new replica: one full block. */
  blockSizeBytes: number;
  log: Logger;
  /** A volume was taken out of service: forget what was on it; returns how many replicas were lost. */
  onVolumeFailed(volume: Volume): number;
}

export class VolumeSet {
  /** Checks in flight, one per volume: concurrent callers share it. */
  private readonly checks = new Map<Volume, Promise<boolean>>();
  private periodicChecks = 0;
  private nextVolume = 0;

  constructor(
    readonly list: readonly Volume[],
    private readonly options: VolumeSetOptions,
  ) {}

  get dfsUsed(): number {
    return sum(this.list.map((volume) => volume.dfsUsed));
  }

  get failedCount(): number {
    return this.list.filter((volume) => volume.failed).length;
  }

  get working(): Volume[] {
    return this.list.filter((volume) => !volume.failed);
  }

  /** The next working volume, round robin, with room for a whole block. */
  async choose(): Promise<Volume> {
    const { list } = this;
    if (list.every((volume) => volume.failed)) throw new DfsError('DiskFull', 'every volume of this datanode has failed; it takes no new replicas');
    for (let tried = 0; tried < list.length; tried++) {
      const volume = list[(this.nextVolume + tried) % list.length] as Volume;
      if (volume.failed) continue;
      const usage = await volume.usageForPlacement(Date.now()).catch(() => ({ remaining: 0 }));
      if (usage.remaining >= this.options.blockSizeBytes) {
        this.nextVolume = (this.nextVolume + tried + 1) % list.length;
        return volume;
      }
    }
    throw new DfsError('DiskFull', 'no volume has room for another block');
  }

  /**
   * Checks every working volume (the periodic check); stat-only most times, with a
   * write probe every `volumeChecksPerWriteProbe`-th time. Returns the number failed.
   */
  async checkAll(): Promise<number> {
    const probeWrite = this.periodicChecks++ % volumeChecksPerWriteProbe === 0;
    await Promise.all(this.working.map((volume) => this.check(volume, null, probeWrite)));
    return this.failedCount;
  }

  /**
   * Checks one volume, after an I/O error on it (`cause`) or on the periodic timer; a
   * volume that fails the check is taken out of service. True while the volume is healthy.
   */
  check(volume: Volume, cause: unknown, probeWrite = true): Promise<boolean> {
    if (volume.failed) return Promise.resolve(false);
    let running = this.checks.get(volume);
    if (!running) {
      running = volume
        .check(probeWrite)
        .then(() => true)
        .catch((error: unknown) => {
          this.fail(volume, error, cause);
          return false;
        })
        .finally(() => this.checks.delete(volume));
      this.checks.set(volume, running);
    }
    return running;
  }

  async storageReport(): Promise<StorageReport> {
    const volumes = await Promise.all(this.list.map(async (volume) => ({ path: volume.root, failed: volume.failed, ...(await safeUsage(volume)) })));
    const capacity = sum(volumes.map((v) => v.capacity));
    const remaining = sum(volumes.map((v) => v.remaining));
    const dfsUsed = sum(volumes.map((v) => v.dfsUsed));
    return { capacity, dfsUsed, remaining, nonDfsUsed: Math.max(0, capacity - remaining - dfsUsed), volumes };
  }

  /**
   * Takes a volume out of service without stopping the datanode: the store forgets its
   * replicas (reported deleted, so the namenode repairs them from elsewhere) and stops
   * its writers (their pipelines recover on the other nodes).
   */
  private fail(volume: Volume, error: unknown, cause: unknown): void {
    if (volume.failed) return;
    volume.failed = true;
    volume.failureReason = describeError(error);
    const lostReplicas = this.options.onVolumeFailed(volume);
    volume.dfsUsed = 0;
    void volume.directorySync.closeAll();
    const { log } = this.options;
    log.error(
      { volume: volume.root, reason: volume.failureReason, cause: cause === null ? undefined : describeError(cause), lostReplicas },
      'volume failed: taken out of service, its replicas reported lost',
    );
    if (this.list.every((candidate) => candidate.failed)) {
      log.error('every volume of this datanode has failed: it keeps running but refuses new replicas');
    }
  }
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

// The block scanner (HDFS's BlockScanner/VolumeScanner): one loop per volume re-reads every
// finalized replica once per `dfs.datanode.scan.period.hours`, throttled, and verifies its
// checksums. A bad replica is reported to the namenode at once; a vanished one is reported
// lost. The schedule and the throttle are pure (scan-schedule.ts, scan-throttle.ts); this
// file is the I/O around them.
import type { Logger } from 'pino';
import { DfsError } from '../../protocol/errors.js';
import type { BlockStore } from '../storage/block-store.js';
import type { ReplicaReader } from '../storage/replica-reader.js';
import type { Volume } from '../storage/volume.js';
import { ScanSchedule } from './scan-schedule.js';
import { scanBytesPerSecondPerVolume, ScanThrottle } from './scan-throttle.js';
import type { ScannerMetrics } from './scanner-metrics.js';

/** Bytes read per step; small enough that the throttle's sleeps stay short and smooth. */
export const scanReadBytes = 256 * 1024;
/** Longest sleep before the loop looks again (a stop or a new replica wakes it sooner). */
const maxIdleSleepMs = 60_000;

export interface BlockScannerOptions {
  store: BlockStore;
  log: Logger;
  metrics: ScannerMetrics;
  periodMs: number;
  /** Tells the namenode a replica is bad (over the link). */
  reportBadBlock(blockId: number, genStamp: number): void;
  bytesPerSecondPerVolume?: number;
  clock?: () => number;
}

export type ScanOutcome = 'ok' | 'corrupt' | 'missing' | 'skipped' | 'volumeFailed';

export class BlockScanner {
  private readonly scanners = new Map<Volume, VolumeScanner>();
  private readonly unsubscribe: () => void;
  private readonly clock: () => number;

  constructor(private readonly options: BlockScannerOptions) {
    this.clock = options.clock ?? Date.now;
    const now = this.clock();
    const existing = new Map<Volume, number[]>();
    for (const [blockId] of options.store.finalizedReplicas()) {
      const volume = this.volumeOf(blockId);
      if (volume) existing.set(volume, [...(existing.get(volume) ?? []), blockId]);
    }
    for (const volume of options.store.volumes) {
      if (volume.failed) continue;
      const scanner = new VolumeScanner(volume, options, this.clock);
      scanner.schedule.addExisting(existing.get(volume) ?? [], now);
      this.scanners.set(volume, scanner);
    }
    this.unsubscribe = options.store.subscribe((event) => {
      if (event.kind === 'received') {
        const volume = this.volumeOf(event.replica[0]);
        if (volume) this.scanners.get(volume)?.add(event.replica[0]);
      } else {
        for (const scanner of this.scanners.values()) scanner.schedule.remove(event.block[0]);
      }
    });
  }

  start(): void {
    for (const scanner of this.scanners.values()) scanner.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe();
    await Promise.all([...this.scanners.values()].map((scanner) => scanner.stop()));
  }

  overdueCount(): number {
    const now = this.clock();
    let overdue = 0;
    for (const scanner of this.scanners.values()) if (!scanner.volume.failed) overdue += scanner.schedule.overdueCount(now);
    return overdue;
  }

  /** Verifies one replica now, outside the schedule (tests, and a read that hit an I/O error). */
  scanNow(blockId: number): Promise<ScanOutcome> {
    const volume = this.volumeOf(blockId);
    const scanner = volume ? this.scanners.get(volume) : undefined;
    return scanner ? scanner.scanOne(blockId) : Promise.resolve('skipped');
  }

  private volumeOf(blockId: number): Volume | undefined {
    const root = this.options.store.getReplica(blockId)?.volume;
    return this.options.store.volumes.find((volume) => volume.root === root);
  }
}

class VolumeScanner {
  readonly schedule: ScanSchedule;
  private readonly throttle: ScanThrottle;
  private stopped = false;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(
    readonly volume: Volume,
    private readonly options: BlockScannerOptions,
    private readonly clock: () => number,
  ) {
    this.schedule = new ScanSchedule(options.periodMs);
    this.throttle = new ScanThrottle(options.bytesPerSecondPerVolume ?? scanBytesPerSecondPerVolume);
  }

  add(blockId: number): void {
    this.schedule.addReceived(blockId, this.clock());
    this.wake?.();
  }

  start(): void {
    this.running ??= this.loop().catch((error: unknown) => this.options.log.error({ err: error, volume: this.volume.root }, 'block scanner stopped'));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopped && !this.volume.failed) {
      const now = this.clock();
      const decision = this.schedule.next(now);
      if (decision.kind === 'scan') {
        await this.scanOne(decision.blockId);
        continue;
      }
      const waitMs = decision.kind === 'wait' ? decision.untilMs - now : maxIdleSleepMs;
      await this.sleep(Math.min(Math.max(waitMs, 1), maxIdleSleepMs));
    }
  }

  /** Verifies one replica; never throws. The schedule moves it one period on whatever happened. */
  async scanOne(blockId: number): Promise<ScanOutcome> {
    try {
      const outcome = await this.verify(blockId);
      if (outcome === 'ok') this.options.metrics.replicasScanned.inc();
      return outcome;
    } catch (error) {
      this.options.log.error({ err: error, blockId, volume: this.volume.root }, 'block scanner could not verify a replica');
      return 'skipped';
    } finally {
      this.schedule.scanned(blockId, this.clock());
    }
  }

  private async verify(blockId: number): Promise<ScanOutcome> {
    const { store } = this.options;
    const replica = store.getReplica(blockId);
    if (!replica || replica.volume !== this.volume.root) {
      this.schedule.remove(blockId);
      return 'skipped';
    }
    // Replicas being written or recovered are verified by their pipeline; a finalize re-adds them.
    if (replica.state !== 'finalized' || replica.beingWritten) return 'skipped';
    const genStamp = replica.genStamp;
    let reader: ReplicaReader;
    try {
      reader = await store.openReader(blockId, genStamp);
    } catch (error) {
      return this.onReadError(blockId, genStamp, error);
    }
    try {
      const result = await this.readAll(reader);
      if (result === 'ok' || !store.isFinalized(blockId, genStamp)) return result === 'ok' ? 'ok' : 'skipped';
      if (result === 'corrupt') return this.reportCorrupt(blockId, genStamp, 'checksum mismatch');
      return result;
    } catch (error) {
      return this.onReadError(blockId, genStamp, error);
    } finally {
      await reader.close();
    }
  }

  /** Reads the whole replica in throttled steps; 'skipped' when it changed or the scanner stopped meanwhile. */
  private async readAll(reader: ReplicaReader): Promise<'ok' | 'corrupt' | 'skipped'> {
    const step = Math.max(reader.bytesPerChecksum, Math.floor(scanReadBytes / reader.bytesPerChecksum) * reader.bytesPerChecksum);
    let offset = 0;
    do {
      if (this.stopped || !this.options.store.isFinalized(reader.blockId, reader.genStamp)) return 'skipped';
      const end = Math.min(offset + step, reader.length);
      const result = await reader.read(offset, end);
      if (!result.ok) return 'corrupt';
      this.options.metrics.bytesScanned.inc(end - offset);
      const pauseMs = this.throttle.charge(end - offset, this.clock());
      if (pauseMs > 0) await pause(pauseMs);
      offset = end;
    } while (offset < reader.length);
    return 'ok';
  }

  /** An error opening or reading: the replica changed, its volume failed, its file vanished, or a bad sector. */
  private async onReadError(blockId: number, genStamp: number, error: unknown): Promise<ScanOutcome> {
    const { store } = this.options;
    if (!store.isFinalized(blockId, genStamp)) return 'skipped';
    if (error instanceof DfsError) {
      if (error.code === 'ChecksumMismatch') return this.reportCorrupt(blockId, genStamp, error.message);
      return 'skipped';
    }
    if (!(await store.checkVolume(this.volume, error))) return 'volumeFailed';
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      this.options.metrics.badReplicas.inc();
      this.options.log.warn({ blockId, genStamp, volume: this.volume.root }, 'block scanner: replica files vanished; reporting it lost');
      await store.dropMissingReplica(blockId, genStamp);
      return 'missing';
    }
    return this.reportCorrupt(blockId, genStamp, (error as Error).message);
  }

  private reportCorrupt(blockId: number, genStamp: number, reason: string): ScanOutcome {
    this.options.metrics.badReplicas.inc();
    this.options.log.warn({ blockId, genStamp, volume: this.volume.root, reason }, 'block scanner found a corrupt replica; reporting it');
    this.options.reportBadBlock(blockId, genStamp);
    return 'corrupt';
  }

  /** The loop's wait for the next due replica; a new replica or a stop cuts it short. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).then(() => {
      this.wake = null;
    });
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

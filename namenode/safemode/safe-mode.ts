// Safe mode (pure accounting: counts and `now` in, ON/OFF out). While ON the namespace is
// read-only and nothing is replicated or deleted. After a restart it is ON until
// `dfs.namenode.safemode.threshold-pct` of the complete blocks have
// `dfs.namenode.replication.min` reported replicas, then `dfs.namenode.safemode.extension`
// ms more (so late reports still land before repair starts); a namespace without complete
// blocks leaves at once. `enter` holds it ON until `leave`, which also ends the start-up mode.
import { DfsError } from '../../protocol/errors.js';

export interface SafeModeSettings {
  thresholdPct: number;
  extensionMs: number;
}

export interface SafeModeStatus {
  on: boolean;
  manual: boolean;
  safeBlocks: number;
  totalBlocks: number;
  /** Safe blocks needed to start the extension. */
  neededBlocks: number;
}

export class SafeMode {
  private manual = false;
  private startup: boolean;
  private thresholdReachedAtMs: number | undefined;
  private safeBlocks = 0;
  private totalBlocks = 0;

  /** Without settings only the manual switch exists (tests of other parts). */
  constructor(private readonly settings?: SafeModeSettings) {
    this.startup = settings !== undefined;
  }

  get isOn(): boolean {
    return this.manual || this.startup;
  }

  /** Feeds the block counts; true when this call ended the start-up safe mode. */
  update(safeBlocks: number, totalBlocks: number, now: number): boolean {
    this.safeBlocks = safeBlocks;
    this.totalBlocks = totalBlocks;
    if (!this.startup || this.settings === undefined) return false;
    if (totalBlocks === 0) return this.endStartup();
    if (safeBlocks < this.neededBlocks()) {
      // HDFS restarts the extension when the count falls back below the threshold.
      this.thresholdReachedAtMs = undefined;
      return false;
    }
    this.thresholdReachedAtMs ??= now;
    if (now - this.thresholdReachedAtMs >= this.settings.extensionMs) return this.endStartup();
    return false;
  }

  private neededBlocks(): number {
    if (this.settings === undefined) return 0;
    return Math.ceil(this.totalBlocks * this.settings.thresholdPct);
  }

  private endStartup(): boolean {
    this.startup = false;
    this.thresholdReachedAtMs = undefined;
    return true;
  }

  enter(): void {
    this.manual = true;
  }

  leave(): void {
    this.manual = false;
    this.startup = false;
  }

  status(): SafeModeStatus {
    return { on: this.isOn, manual: this.manual, safeBlocks: this.safeBlocks, totalBlocks: this.totalBlocks, neededBlocks: this.neededBlocks() };
  }

  /** Every namespace mutation calls this first. */
  checkWritable(operation: string): void {
    if (!this.isOn) return;
    const why = this.manual
      ? 'it was entered by an administrator'
      : `${this.safeBlocks} of ${this.totalBlocks} blocks have their minimum replicas reported; ${this.neededBlocks()} are needed, then the extension passes`;
    throw new DfsError('SafeMode', `Cannot ${operation}: name node is in safe mode (${why}; leave it with "tsdfs dfsadmin -safemode leave")`);
  }
}

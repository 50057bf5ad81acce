// Bounds the scanner's share of disk bandwidth: a leaky bucket that, after each read,
// says how long to sleep so the average rate stays at most `bytesPerSecond`. Pure.

/**
 * Verification bandwidth per volume, as HDFS's `dfs.block.scanner.volume.bytes.per.second`
 * default: 1 MiB/s is a few percent of an SD card's or USB disk's read rate, and still
 * re-reads 1.7 TiB per volume in the default three-week period.
 */
export const scanBytesPerSecondPerVolume = 1024 * 1024;

export class ScanThrottle {
  /** When the bytes charged so far have been "paid for" at the allowed rate. */
  private paidUntilMs = Number.NEGATIVE_INFINITY;

  constructor(readonly bytesPerSecond: number) {
    if (!(bytesPerSecond > 0)) throw new RangeError(`scan bandwidth must be positive, got ${bytesPerSecond}`);
  }

  /** Charges `bytes` read at `now`; returns the milliseconds to wait before reading more. */
  charge(bytes: number, now: number): number {
    // Idle time is not banked beyond now: a long pause buys no burst afterwards.
    this.paidUntilMs = Math.max(this.paidUntilMs, now) + (bytes * 1000) / this.bytesPerSecond;
    return Math.max(0, this.paidUntilMs - now);
  }
}

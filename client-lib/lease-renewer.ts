// Keeps this client's leases alive while any of its files is open for writing, as HDFS's
// LeaseRenewer does: one renewLease call covers every file the client name holds.

export class LeaseRenewer {
  private openWriters = 0;
  private timer: NodeJS.Timeout | null = null;
  private renewing = false;

  constructor(
    private readonly renew: () => Promise<void>,
    /** Half the namenode's soft limit, so one lost call does not cost the lease. */
    private readonly intervalMs: number,
  ) {}

  /** Marks one writer open; the returned function marks it closed (calling it twice is harmless). */
  acquire(): () => void {
    this.openWriters++;
    if (this.timer === null) {
      this.timer = setInterval(() => void this.renewOnce(), this.intervalMs);
      // An open write stream keeps the process alive by itself; the renewer must not.
      this.timer.unref();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.openWriters--;
      if (this.openWriters === 0) this.stop();
    };
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private async renewOnce(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      await this.renew();
    } catch {
      // A missed renewal is retried at the next tick; the write itself reports real trouble.
    } finally {
      this.renewing = false;
    }
  }
}

// Lets an RPC wait briefly for a replica the namenode is about to hear of. A client closes a
// file as soon as its pipeline acked the last packet, and the datanodes' incremental reports
// arrive a few milliseconds later; answering "not yet" then makes the client sleep and retry
// (HDFS's clients back off 400 ms), which dominated the time to write a small file. Instead
// `complete` waits here until the report arrives, for a bounded time.

export class ReplicaArrivals {
  private readonly waiters = new Map<number, Set<() => void>>();

  /** Called after a replica of `blockId` was recorded (an incremental report). */
  notify(blockId: number): void {
    const waiting = this.waiters.get(blockId);
    if (waiting === undefined) return;
    for (const wake of waiting) wake();
  }

  /**
   * Resolves once `ready()` holds (checked now and after each arrival for the block) or
   * `timeoutMs` passed; the caller checks again and answers as before on a timeout.
   */
  waitFor(blockId: number, ready: () => boolean, timeoutMs: number): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => {
      let waiting = this.waiters.get(blockId);
      if (waiting === undefined) {
        waiting = new Set();
        this.waiters.set(blockId, waiting);
      }
      const set = waiting;
      const done = (): void => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0 && this.waiters.get(blockId) === set) this.waiters.delete(blockId);
        resolve();
      };
      const wake = (): void => {
        if (ready()) done();
      };
      const timer = setTimeout(done, timeoutMs);
      set.add(wake);
    });
  }

  /** Blocks with someone waiting (for tests and metrics). */
  get waitingBlocks(): number {
    return this.waiters.size;
  }
}

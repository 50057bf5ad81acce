// Bounds the block reads and writes a datanode serves at once (STYLE.md rule 7): past the
// bound a request is refused with 503 and the client tries another replica or retries.

/** Concurrent block transfers per datanode; HDFS's dfs.datanode.max.transfer.threads is 4096, a Pi takes far fewer. */
export const maxActiveTransfers = 64;

export class TransferSlots {
  private active = 0;

  constructor(private readonly limit = maxActiveTransfers) {}

  get activeCount(): number {
    return this.active;
  }

  tryAcquire(): boolean {
    if (this.active >= this.limit) return false;
    this.active++;
    return true;
  }

  release(): void {
    this.active = Math.max(0, this.active - 1);
  }
}

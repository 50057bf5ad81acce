// Reusable packet buffers for the datanode's receive path. A pipeline hop takes a packet
// (about 1 MiB) out of its socket chunks into one contiguous buffer so it can verify,
// write and forward it; allocating a fresh one per packet costs page faults on first
// touch and drives the garbage collector (measured: a third of a datanode's CPU during a
// replicated put). A buffer goes back to the pool only once nothing refers to it: written
// to disk and, if forwarded, taken by the socket.

export class BufferPool {
  private readonly free: Buffer[] = [];

  /**
   * @param bufferBytes size of every pooled buffer; larger requests are not pooled
   * @param maxFree buffers kept for reuse; the rest are left to the garbage collector
   */
  constructor(
    readonly bufferBytes: number,
    private readonly maxFree: number,
  ) {}

  /** A buffer of exactly `bytes` (a view of a pooled one when it fits), and its storage to release. */
  acquire(bytes: number): { view: Buffer; storage: Buffer | null } {
    if (bytes > this.bufferBytes) return { view: Buffer.allocUnsafe(bytes), storage: null };
    const storage = this.free.pop() ?? Buffer.allocUnsafe(this.bufferBytes);
    return { view: storage.subarray(0, bytes), storage };
  }

  /** Returns storage from `acquire`; the caller must no longer use it or any view of it. */
  release(storage: Buffer | null): void {
    if (storage === null || storage.length !== this.bufferBytes) return;
    if (this.free.length < this.maxFree) this.free.push(storage);
  }

  get freeCount(): number {
    return this.free.length;
  }
}

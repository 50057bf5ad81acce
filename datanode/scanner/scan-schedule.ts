// The block scanner's pure core: which replica of a volume to verify next and when, so
// that every finalized replica is re-read once per scan period and the work is spread
// over the period rather than done in bursts. No I/O, no clock: callers pass `now`.

export type ScanDecision =
  | { kind: 'scan'; blockId: number }
  | { kind: 'wait'; untilMs: number }
  | { kind: 'idle' };

interface HeapEntry {
  blockId: number;
  dueMs: number;
}

/** Stale heap entries tolerated beyond the live ones before the heap is rebuilt. */
const maxStaleHeapEntries = 4_096;

export class ScanSchedule {
  /** blockId → when its next verification is due. The source of truth; the heap may hold stale entries. */
  private readonly dueMs = new Map<number, number>();
  private heap: HeapEntry[] = [];

  constructor(readonly periodMs: number) {
    if (!(periodMs > 0)) throw new RangeError(`scan period must be positive, got ${periodMs}`);
  }

  get size(): number {
    return this.dueMs.size;
  }

  has(blockId: number): boolean {
    return this.dueMs.has(blockId);
  }

  dueTimeOf(blockId: number): number | undefined {
    return this.dueMs.get(blockId);
  }

  /**
   * Replicas found at start-up: when they were last verified is not known, so their first
   * scans are spread evenly over one period starting now (a restart causes no burst).
   */
  addExisting(blockIds: readonly number[], now: number): void {
    const count = blockIds.length;
    blockIds.forEach((blockId, index) => this.setDue(blockId, now + (this.periodMs * index) / count));
  }

  /** A replica just received: it was verified as it arrived, so it is due one period on. */
  addReceived(blockId: number, now: number): void {
    this.setDue(blockId, now + this.periodMs);
  }

  /** Verify this replica as soon as possible (e.g. a read of it hit an I/O error). */
  markSuspect(blockId: number, now: number): void {
    if (this.dueMs.has(blockId)) this.setDue(blockId, now);
  }

  /** Verified (or skipped for now): due again one period later. */
  scanned(blockId: number, now: number): void {
    if (this.dueMs.has(blockId)) this.setDue(blockId, now + this.periodMs);
  }

  remove(blockId: number): void {
    this.dueMs.delete(blockId);
  }

  /** The most overdue replica if one is due, else when the next one will be. */
  next(now: number): ScanDecision {
    for (let top = this.heap[0]; top !== undefined; top = this.heap[0]) {
      if (this.dueMs.get(top.blockId) !== top.dueMs) {
        this.pop();
        continue;
      }
      return top.dueMs <= now ? { kind: 'scan', blockId: top.blockId } : { kind: 'wait', untilMs: top.dueMs };
    }
    return { kind: 'idle' };
  }

  /** Replicas whose verification is overdue at `now` (a scanner falling behind its period). */
  overdueCount(now: number): number {
    let overdue = 0;
    for (const due of this.dueMs.values()) if (due <= now) overdue++;
    return overdue;
  }

  private setDue(blockId: number, dueMs: number): void {
    this.dueMs.set(blockId, dueMs);
    this.push({ blockId, dueMs });
    if (this.heap.length > 2 * this.dueMs.size + maxStaleHeapEntries) this.rebuild();
  }

  private rebuild(): void {
    this.heap = [...this.dueMs].map(([blockId, dueMs]) => ({ blockId, dueMs }));
    for (let index = (this.heap.length >> 1) - 1; index >= 0; index--) this.siftDown(index);
  }

  // ---- binary min-heap on dueMs (ties: lower block id first, for determinism) ----

  private push(entry: HeapEntry): void {
    this.heap.push(entry);
    let index = this.heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.less(index, parent)) break;
      this.swap(index, parent);
      index = parent;
    }
  }

  private pop(): void {
    const last = this.heap.pop();
    if (last === undefined || this.heap.length === 0) return;
    this.heap[0] = last;
    this.siftDown(0);
  }

  private siftDown(start: number): void {
    let index = start;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < this.heap.length && this.less(left, smallest)) smallest = left;
      if (right < this.heap.length && this.less(right, smallest)) smallest = right;
      if (smallest === index) return;
      this.swap(index, smallest);
      index = smallest;
    }
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a] as HeapEntry;
    const y = this.heap[b] as HeapEntry;
    return x.dueMs < y.dueMs || (x.dueMs === y.dueMs && x.blockId < y.blockId);
  }

  private swap(a: number, b: number): void {
    const x = this.heap[a] as HeapEntry;
    this.heap[a] = this.heap[b] as HeapEntry;
    this.heap[b] = x;
  }
}

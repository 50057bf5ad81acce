// Block id → record number, as an open-addressing hash table over one Int32Array: 4 bytes
// a slot at most 70 % full, against ~50-80 bytes an entry for a JS Map. Linear probing with
// backward-shift deletion, so no tombstones pile up under churn; doubles when full.
// Block ids are integers up to 2^53, so the hash mixes both 32-bit halves.

/** Above this fill the table doubles: linear probing stays at a few probes a lookup. */
const maxLoadFactor = 0.7;
const initialSlots = 1024;
const twoTo32 = 4294967296;

export function hashBlockId(blockId: number): number {
  const low = blockId >>> 0;
  const high = Math.floor(blockId / twoTo32) >>> 0;
  let hash = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

export class BlockIdIndex {
  /** record + 1 per slot; 0 = empty. */
  private slots = new Int32Array(initialSlots);
  private mask = initialSlots - 1;
  private count = 0;

  /** The table's block id per record; the table replaces it when it grows. */
  constructor(public ids: Float64Array) {}

  get size(): number {
    return this.count;
  }

  /** Bytes held, for the memory figures. */
  get byteLength(): number {
    return this.slots.byteLength;
  }

  find(blockId: number): number {
    const slots = this.slots;
    for (let slot = hashBlockId(blockId) & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = slots[slot] as number;
      if (entry === 0) return -1;
      if (this.ids[entry - 1] === blockId) return entry - 1;
    }
  }

  /** Adds a block id that is not in the index yet. */
  insert(blockId: number, record: number): void {
    if ((this.count + 1) > (this.slots.length * maxLoadFactor)) this.grow();
    this.place(blockId, record);
    this.count++;
  }

  remove(blockId: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let hole = hashBlockId(blockId) & mask;
    for (;;) {
      const entry = slots[hole] as number;
      if (entry === 0) return;
      if (this.ids[entry - 1] === blockId) break;
      hole = (hole + 1) & mask;
    }
    // Backward shift: pull later entries of the probe run into the hole when their home
    // slot does not lie (cyclically) between the hole and where they sit.
    for (let next = (hole + 1) & mask; ; next = (next + 1) & mask) {
      const entry = slots[next] as number;
      if (entry === 0) break;
      const home = hashBlockId(this.ids[entry - 1] as number) & mask;
      const movable = hole <= next ? home <= hole || home > next : home <= hole && home > next;
      if (!movable) continue;
      slots[hole] = entry;
      hole = next;
    }
    slots[hole] = 0;
    this.count--;
  }

  private place(blockId: number, record: number): void {
    let slot = hashBlockId(blockId) & this.mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
    this.slots[slot] = record + 1;
  }

  /** Room for `count` ids without growing (see BlockTable.reserve). */
  reserve(count: number): void {
    let length = this.slots.length;
    while (count > length * maxLoadFactor) length *= 2;
    if (length !== this.slots.length) this.grow(length);
  }

  private grow(length = this.slots.length * 2): void {
    const old = this.slots;
    this.slots = new Int32Array(length);
    this.mask = this.slots.length - 1;
    for (const entry of old) if (entry !== 0) this.place(this.ids[entry - 1] as number, entry - 1);
  }
}

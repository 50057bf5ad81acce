// The buffers a raw block-read socket reads into: large slabs, each filled read after read
// (the socket gets the slab's unused tail as its next read buffer), whose verified data is
// handed to the consumer as views. A consumer that says when it is done with the views
// (the CLI's get and cat, once the bytes are written out) lets a slab be reused, so a
// transfer touches the same few megabytes over and over instead of a fresh 64 KiB buffer per
// socket read (the allocation, page faults and garbage collection node:http's client paid).
// A consumer that keeps the views (a library stream) just keeps the slab: it is never reused.

/** Bytes per slab: a read lands in the unused tail, so reads can be up to this large. */
export const readSlabBytes = 2 * 1024 * 1024;
/** A tail shorter than this is not offered for a read: the next slab is taken instead. */
export const minReadBytes = 128 * 1024;
/** Free slabs kept for reuse (about two consumers' writes in flight plus read-ahead). */
export const maxFreeSlabs = 8;

export class ReadSlab {
  readonly buffer = Buffer.allocUnsafeSlow(readSlabBytes);
  /** Bytes of the slab already read into. */
  used = 0;
  /** Views handed to a consumer that has not released them yet. */
  holds = 0;
  /** No longer read into (its socket moved on or closed). */
  retired = false;
  /** Some view went to a consumer that never releases: the slab must never be reused. */
  givenAway = false;
}

const free: ReadSlab[] = [];
/** The slabs that may come back, by their memory, so released views find their slab. */
const slabsByMemory = new Map<ArrayBufferLike, ReadSlab>();

/** A slab to read into, from the free list when one is there. */
export function takeSlab(): ReadSlab {
  const slab = free.pop() ?? new ReadSlab();
  slab.used = 0;
  slab.retired = false;
  slabsByMemory.set(slab.buffer.buffer, slab);
  return slab;
}

/** The socket reads into this slab no more: it is reused once every view is released. */
export function retireSlab(slab: ReadSlab): void {
  slab.retired = true;
  settle(slab);
}

/** The slab a view lies in, if it is a slab still tracked (fresh buffers and given-away slabs are not). */
export function slabOf(view: Buffer): ReadSlab | undefined {
  return slabsByMemory.get(view.buffer);
}

/** Counts the views as held until `releaseReadParts`; a view outside any slab is ignored. */
export function holdReadParts(parts: readonly Buffer[]): void {
  for (const part of parts) {
    const slab = slabOf(part);
    if (slab !== undefined) slab.holds++;
  }
}

/**
 * The consumer is done with views from `holdReadParts` (written out, nothing refers to them):
 * their slabs may be reused. Views that are not in a tracked slab are ignored.
 */
export function releaseReadParts(parts: readonly Buffer[]): void {
  for (const part of parts) {
    const slab = slabOf(part);
    if (slab === undefined) continue;
    if (slab.holds <= 0) throw new Error('read slab released more often than held');
    slab.holds--;
    settle(slab);
  }
}

/** The views go to a consumer that keeps them: their slabs are never reused. */
export function giveAwayReadParts(parts: readonly Buffer[]): void {
  for (const part of parts) {
    const slab = slabOf(part);
    if (slab === undefined) continue;
    slab.givenAway = true;
    settle(slab);
  }
}

function settle(slab: ReadSlab): void {
  if (!slab.retired || slab.holds > 0) return;
  slabsByMemory.delete(slab.buffer.buffer);
  if (!slab.givenAway && free.length < maxFreeSlabs) free.push(slab);
}

/** Free slabs kept now (for tests). */
export function freeSlabCount(): number {
  return free.length;
}

// A small seeded PRNG (mulberry32) for the fuzz tests: the same seed gives the same
// sequence of requests, so a failure printed with its seed can be replayed exactly.
import { randomInt } from 'node:crypto';

/** `TSDFS_FUZZ_SEED` when set (decimal), else `fallback`; `random` picks a fresh one. */
export function fuzzSeed(fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const text = env.TSDFS_FUZZ_SEED?.trim();
  if (text === undefined || text === '') return fallback >>> 0;
  if (text === 'random') return randomInt(2 ** 32);
  const seed = Number(text);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`TSDFS_FUZZ_SEED must be a non-negative integer or "random", not ${JSON.stringify(text)}`);
  return seed >>> 0;
}

export class Random {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  bytes(count: number): Buffer {
    const out = Buffer.alloc(count);
    for (let i = 0; i < count; i++) out[i] = this.int(0, 255);
    return out;
  }

  /** A string of `length` characters drawn from `alphabet`. */
  text(length: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[this.int(0, alphabet.length - 1)];
    return out;
  }
}

// Waiting between retries: the namenode answers "not yet" (complete, addBlock) while
// replicas report in, and the client asks again with growing pauses until a deadline.
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

export interface BackoffOptions {
  firstDelayMs: number;
  maxDelayMs: number;
  /** Give up once this much time has passed since the first attempt. */
  deadlineMs: number;
}

export const notYetBackoff: BackoffOptions = { firstDelayMs: 50, maxDelayMs: 2000, deadlineMs: 60_000 };

/**
 * Calls `attempt` until it returns a value other than `undefined`, sleeping with doubling
 * delays in between; returns `undefined` when the deadline passed without a value.
 */
export async function retryUntil<T>(attempt: () => Promise<T | undefined>, options: BackoffOptions): Promise<T | undefined> {
  const startedAt = Date.now();
  let delayMs = options.firstDelayMs;
  for (;;) {
    const result = await attempt();
    if (result !== undefined) return result;
    const elapsedMs = Date.now() - startedAt;
    if (elapsedMs >= options.deadlineMs) return undefined;
    await sleep(Math.min(delayMs, options.deadlineMs - elapsedMs));
    delayMs = Math.min(delayMs * 2, options.maxDelayMs);
  }
}

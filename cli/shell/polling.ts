// Waiting between polls (`tail -f`, `-safemode wait`, `setrep -w`) that Ctrl-C ends cleanly.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandIo } from '../command.js';

/** Sleeps `ms`; false when the process was asked to stop meanwhile (or before). */
export async function pauseUnlessStopped(io: CommandIo, ms: number): Promise<boolean> {
  const stop = io.shutdownRequested().then(() => 'stop' as const);
  const controller = new AbortController();
  const outcome = await Promise.race([sleep(ms, 'slept' as const, { signal: controller.signal }).catch(() => 'slept' as const), stop]);
  controller.abort();
  return outcome === 'slept';
}

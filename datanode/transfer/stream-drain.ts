// Backpressure helper: waits until a writable stream takes more data or is gone, and
// leaves no listener behind (events.once in a race would leak one per packet).
import type { EventEmitter } from 'node:events';

export function drainOrClose(stream: EventEmitter & { readonly destroyed: boolean }): Promise<void> {
  return new Promise((resolve) => {
    // A stream destroyed already has emitted (or will never emit) 'close': do not wait for it.
    if (stream.destroyed) {
      resolve();
      return;
    }
    const settle = (): void => {
      stream.off('drain', settle);
      stream.off('close', settle);
      resolve();
    };
    stream.on('drain', settle);
    stream.on('close', settle);
  });
}

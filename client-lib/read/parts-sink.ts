// Writes a read's verified parts into a Writable without a stream pipeline in between, and,
// for a sink that is done with a chunk when its write callback runs (a file or stdout stream:
// written out, nothing kept), hands each packet's memory back for the next socket read.
import type { Writable } from 'node:stream';
import { releaseReadParts } from '../http1/read-slabs.js';

/**
 * Writes every list of parts from `source` to `sink`, waiting for 'drain' when the sink is
 * full (so the read pauses too). With `reuseBuffers`, each list goes to `releaseReadParts`
 * once the sink's callback for its last part ran. Does not end the sink.
 */
export async function writePartsTo(source: AsyncIterable<Buffer[]>, sink: Writable, reuseBuffers: boolean): Promise<void> {
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const settle = (): void => {
    const resolve = wake;
    wake = null;
    resolve?.();
  };
  const onError = (error: Error): void => {
    failure ??= error;
    settle();
  };
  const onClose = (): void => {
    failure ??= new Error('the destination closed before the copy ended');
    settle();
  };
  sink.on('error', onError);
  sink.on('close', onClose);
  sink.on('drain', settle);
  try {
    for await (const parts of source) {
      if (failure !== null) {
        if (reuseBuffers) releaseReadParts(parts);
        throw failure;
      }
      let ready = true;
      const last = parts.length - 1;
      for (let index = 0; index <= last; index++) {
        const part = parts[index] as Buffer;
        // Writes complete in order, so the last part's callback means all of them are out.
        ready = index === last && reuseBuffers ? sink.write(part, () => releaseReadParts(parts)) : sink.write(part);
      }
      if (last < 0 && reuseBuffers) releaseReadParts(parts);
      if (!ready && failure === null) await new Promise<void>((resolve) => (wake = resolve));
    }
    if (failure !== null) throw failure;
  } finally {
    sink.off('error', onError);
    sink.off('close', onClose);
    sink.off('drain', settle);
  }
}

// A byte stream over a source that yields lists of buffers (a packet's socket chunks):
// each buffer is pushed as it is, so a read costs one async step per packet, not per chunk.
import { Readable } from 'node:stream';
import { packetDataBytes } from '../../protocol/limits.js';

export function readableFromParts(source: AsyncIterable<Buffer[]>): Readable {
  const iterator = source[Symbol.asyncIterator]();
  let pulling = false;
  const pull = async (stream: Readable): Promise<void> => {
    pulling = true;
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done === true) {
          stream.push(null);
          return;
        }
        let wantsMore = true;
        for (const part of next.value) wantsMore = stream.push(part);
        if (!wantsMore || stream.destroyed) return;
      }
    } catch (error) {
      stream.destroy(error instanceof Error ? error : new Error(String(error)));
    } finally {
      pulling = false;
    }
  };
  return new Readable({
    // One packet buffered ahead of the consumer, as a datanode reads one packet ahead.
    highWaterMark: packetDataBytes,
    read() {
      if (!pulling) void pull(this);
    },
    destroy(error, callback) {
      // Ends the source so its cleanup runs (it closes the datanode connection).
      Promise.resolve(iterator.return?.(undefined)).then(
        () => callback(error),
        (returnError: unknown) => callback(error ?? (returnError as Error)),
      );
    },
  });
}

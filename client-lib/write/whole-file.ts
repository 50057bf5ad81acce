// Writes a file whose bytes are all in memory (a small file read whole): the same `create`,
// FileWriter (packets, pipeline recovery, `complete`) and lease as a write stream, without
// the Writable, pipeline() and per-chunk promises a stream costs per file.
import type { ClientContext } from '../client-context.js';
import { type WriteOptions, openFileWriter } from './write-stream.js';

/**
 * Resolves once the namenode completed the file (renamed to `options.renameTo` if given).
 * With `options.adoptChunks`, packets reference `data`: the caller must not touch it after.
 */
export async function writeWholeFile(context: ClientContext, path: string, data: Buffer, options: WriteOptions = {}): Promise<void> {
  const releaseLease = context.leaseRenewer.acquire();
  try {
    const writer = await openFileWriter(context, path, options);
    try {
      if (data.length > 0) await writer.write(data);
      await writer.close();
    } catch (error) {
      writer.abort();
      throw error;
    }
  } finally {
    releaseLease();
  }
}

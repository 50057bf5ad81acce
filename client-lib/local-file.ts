// Reads a local file for an upload as fresh buffers sized to what is left of it, so a 4 KiB
// file costs one 4 KiB buffer and a 1 MiB file one 1 MiB buffer (fs.createReadStream reads
// into a buffer of its high-water mark, copies a short read into a second one, and needs one
// more read of a whole empty buffer to see the end). Reads on to the real end of file, as
// `cp` does, even if the file grew after it was stat'ed.
import { close as closeFd, open as openFd, read as readFd } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { packetDataBytes } from '../protocol/limits.js';

/** Size of the read that checks for the end once `expectedBytes` were read (or of any read past it). */
const probeBytes = 64 * 1024;

/**
 * The file's bytes as a stream of buffers that are never reused (a writer may keep them,
 * see WriteOptions.adoptChunks); `expectedBytes` is its size when stat'ed.
 */
export function localFileStream(path: string, expectedBytes: number): Readable {
  return Readable.from(localFileChunks(path, expectedBytes), { objectMode: false, highWaterMark: 1 });
}

async function* localFileChunks(path: string, expectedBytes: number): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  try {
    let position = 0;
    for (;;) {
      const size = position < expectedBytes ? Math.min(packetDataBytes, expectedBytes - position) : probeBytes;
      const buffer = Buffer.allocUnsafeSlow(size);
      const { bytesRead } = await handle.read(buffer, 0, size, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      yield bytesRead === size ? buffer : buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/**
 * A small file's bytes in one fresh buffer: open, one read, close, on plain callbacks (no
 * FileHandle, no stream). Null unless that read found exactly `expectedBytes` (the file
 * grew or shrank since it was stat'ed, or the read came back short): the caller then
 * streams it instead, to its real end.
 */
export function readSmallLocalFile(path: string, expectedBytes: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    openFd(path, 'r', (openError, fd) => {
      if (openError) return reject(openError);
      // One byte more than expected tells a file that grew from one at its end.
      const buffer = Buffer.allocUnsafeSlow(expectedBytes + 1);
      readFd(fd, buffer, 0, buffer.length, 0, (readError, bytesRead) => {
        closeFd(fd, (closeError) => {
          if (readError || closeError) return reject(readError ?? closeError);
          resolve(bytesRead === expectedBytes ? buffer.subarray(0, bytesRead) : null);
        });
      });
    });
  });
}

// The Writable a caller writes a file through: `create` when it opens, blocks while it is
// written, `complete` in `final`, so 'finish' means the namenode closed the file.
import { Writable } from 'node:stream';
import type { ClientContext } from '../client-context.js';
import type { FileWriter } from './file-writer.js';

export interface WriteOptions {
  overwrite?: boolean;
  replication?: number;
  blockSize?: number;
  permission?: string;
  /** Called with the total bytes of the file every datanode of the pipeline acknowledged. */
  onProgress?: (bytes: number) => void;
  /**
   * Have `create` allocate the first block too (default true): one round trip less per
   * file. Pass false for a file known to stay empty, which would otherwise abandon it.
   */
  firstBlock?: boolean;
  /**
   * Rename the file to this path as it completes (one namenode call for both, e.g. a copy's
   * `._COPYING_` file landing): 'finish' then means it is complete under the new name.
   */
  renameTo?: string;
  /**
   * The caller never touches a buffer after writing it (a file read stream's fresh chunks):
   * packets then reference the chunks instead of copying them.
   */
  adoptChunks?: boolean;
}

export function createFileWriteStream(context: ClientContext, path: string, options: WriteOptions = {}): Writable {
  let writer: FileWriter | null = null;
  let releaseLease: (() => void) | null = null;
  return new Writable({
    construct(callback) {
      releaseLease = context.leaseRenewer.acquire();
      openFileWriter(context, path, options).then((opened) => {
        writer = opened;
        callback();
      }, callback);
    },
    write(chunk: Buffer, _encoding, callback) {
      (writer as FileWriter).write(chunk).then(() => callback(), callback);
    },
    final(callback) {
      (writer as FileWriter).close().then(() => {
        releaseLease?.();
        callback();
      }, callback);
    },
    destroy(error, callback) {
      writer?.abort();
      releaseLease?.();
      callback(error);
    },
  });
}

/** The write path's module once imported: a dynamic import costs a trip through the module loader each time. */
let fileWriterModule: Promise<typeof import('./file-writer.js')> | null = null;

/** `create` (with the first block unless told otherwise) and a FileWriter for the new file. */
export async function openFileWriter(context: ClientContext, path: string, options: WriteOptions): Promise<FileWriter> {
  // The pipeline code (and the native CRC32C) loads with the first file written, so a client
  // that only lists or reads (every `tsdfs ls`) does not pay for it at start-up.
  fileWriterModule ??= import('./file-writer.js');
  const [defaults, { FileWriter }] = await Promise.all([context.serverDefaults(), fileWriterModule]);
  const { status, block } = await context.rpc.call('create', {
    path,
    clientName: context.clientName,
    overwrite: options.overwrite ?? false,
    ...(options.replication !== undefined ? { replication: options.replication } : {}),
    ...(options.blockSize !== undefined ? { blockSize: options.blockSize } : {}),
    ...(options.permission !== undefined ? { permission: options.permission } : {}),
    firstBlock: options.firstBlock ?? true,
  });
  return new FileWriter(context, {
    path,
    fileId: status.fileId,
    blockSize: status.blockSize > 0 ? status.blockSize : (options.blockSize ?? defaults.blockSize),
    bytesPerChecksum: defaults.bytesPerChecksum,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(block !== undefined ? { firstBlock: block } : {}),
    ...(options.renameTo !== undefined ? { renameTo: options.renameTo } : {}),
    ...(options.adoptChunks === true ? { adoptChunks: true } : {}),
  });
}

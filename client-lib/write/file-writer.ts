// Writes one file, block after block: asks the namenode for each block (reporting the
// previous one's final length), streams its packets through a BlockStream, and completes
// the file once the last block has its minimum replicas.
import type { ExtendedBlock, LocatedBlock } from '../../protocol/common.js';
import { DfsError } from '../../protocol/errors.js';
import { completeRetryMs } from '../../protocol/limits.js';
import type { ClientContext } from '../client-context.js';
import { notYetBackoff, retryUntil } from '../retry.js';
import { type BlockNamenode, BlockStream } from './block-stream.js';
import { BlockPacketizer } from './packetizer.js';

export interface FileWriterOptions {
  path: string;
  fileId: number;
  blockSize: number;
  bytesPerChecksum: number;
  /** Called with the number of the file's bytes every datanode acknowledged so far. */
  onProgress?: (bytes: number) => void;
  /** The first block, when `create` allocated it. */
  firstBlock?: LocatedBlock;
  /** Where `complete` moves the file (see WriteOptions.renameTo). */
  renameTo?: string;
  /** See WriteOptions.adoptChunks. */
  adoptChunks?: boolean;
}

interface OpenBlock {
  block: BlockStream;
  packetizer: BlockPacketizer;
}

export class FileWriter {
  private previous: ExtendedBlock | null = null;
  private current: OpenBlock | null = null;
  /** File offset of the current block's first byte. */
  private blockStart = 0;
  private readonly excludedNodes = new Set<string>();
  /** `create`'s block until a BlockStream takes it; abandoned if the file stays empty. */
  private firstBlock: LocatedBlock | null;

  constructor(
    private readonly context: ClientContext,
    private readonly options: FileWriterOptions,
  ) {
    this.firstBlock = options.firstBlock ?? null;
  }

  async write(data: Buffer): Promise<void> {
    let consumed = 0;
    while (consumed < data.length) {
      const { block, packetizer } = this.current ?? (await this.startBlock());
      const result = packetizer.append(data.subarray(consumed));
      consumed += result.consumed;
      if (result.packet) await block.send(result.packet);
      if (packetizer.isEnded) await this.finishBlock(block);
    }
  }

  /** Ends the last block and completes the file; resolves once the namenode closed it. */
  async close(): Promise<void> {
    if (this.current) {
      await this.current.block.send(this.current.packetizer.finish());
      await this.finishBlock(this.current.block);
    }
    if (this.firstBlock !== null) {
      // An empty file: the block `create` allocated holds nothing and must not stay.
      const { path, fileId } = this.options;
      await this.context.rpc.call('abandonBlock', { path, clientName: this.context.clientName, fileId, block: this.firstBlock.block });
      this.firstBlock = null;
    }
    await this.completeFile();
  }

  abort(): void {
    this.current?.block.abort();
    this.current = null;
  }

  private async startBlock(): Promise<OpenBlock> {
    const block = await BlockStream.open({
      namenode: this.blockNamenode(),
      agent: this.context.datanodeAgent,
      path: this.options.path,
      clientName: this.context.clientName,
      bytesPerChecksum: this.options.bytesPerChecksum,
      excludedNodes: this.excludedNodes,
      onAcked: (blockBytes) => this.options.onProgress?.(this.blockStart + blockBytes),
      ...(this.firstBlock !== null ? { preallocated: this.firstBlock } : {}),
    });
    this.firstBlock = null;
    const { blockSize, bytesPerChecksum, adoptChunks } = this.options;
    const packetizer = new BlockPacketizer(blockSize, bytesPerChecksum, undefined, adoptChunks === true);
    this.current = { block, packetizer };
    return this.current;
  }

  private async finishBlock(block: BlockStream): Promise<void> {
    this.previous = await block.finish();
    this.blockStart += this.previous.length;
    this.current = null;
  }

  private async completeFile(): Promise<void> {
    const { path, fileId } = this.options;
    const { renameTo } = this.options;
    const request = { path, clientName: this.context.clientName, fileId, last: this.previous, ...(renameTo !== undefined ? { renameTo } : {}) };
    const done = await retryUntil(
      async () => ((await this.context.rpc.call('complete', request)).complete ? true : undefined),
      { ...notYetBackoff, deadlineMs: completeRetryMs },
    );
    if (!done) {
      throw new DfsError('NotReplicatedYet', `could not complete ${path}: its last block did not reach its minimum replication within ${completeRetryMs} ms`);
    }
  }

  private blockNamenode(): BlockNamenode {
    const { rpc, clientName } = this.context;
    const { path, fileId } = this.options;
    return {
      addBlock: (excludeNodes) => this.addBlock(excludeNodes),
      abandonBlock: async (block) => {
        await rpc.call('abandonBlock', { path, clientName, fileId, block });
      },
      updateBlockForPipeline: async (block) => (await rpc.call('updateBlockForPipeline', { clientName, block })).block,
      updatePipeline: async (oldBlock, newGenStamp, newNodes) => {
        await rpc.call('updatePipeline', { clientName, oldBlock, newGenStamp, newNodes });
      },
    };
  }

  /** The namenode refuses a new block until the previous one has its minimum replicas: wait for it. */
  private async addBlock(excludeNodes: string[]) {
    const { path, fileId } = this.options;
    const request = { path, clientName: this.context.clientName, fileId, previous: this.previous, excludeNodes };
    let lastRefusal: DfsError | undefined;
    const located = await retryUntil(async () => {
      try {
        return (await this.context.rpc.call('addBlock', request)).block;
      } catch (error) {
        if (!(error instanceof DfsError) || error.code !== 'NotReplicatedYet') throw error;
        lastRefusal = error;
        return undefined;
      }
    }, notYetBackoff);
    if (located === undefined) throw lastRefusal ?? new DfsError('NotReplicatedYet', `no new block for ${path}`);
    return located;
  }
}

// Writing files: create, addBlock, abandonBlock, complete, the two pipeline-recovery
// calls and recoverLease. One writer per file holds its lease; every step is one LMDB
// transaction committed before the reply, then the block map and lease table follow.
import type { RpcParsedRequest, RpcResponse } from '../../protocol/client-namenode.js';
import type { DatanodeLocation, ExtendedBlock, LocatedBlock } from '../../protocol/common.js';
import { DfsError } from '../../protocol/errors.js';
import { maxBlockSizeBytes, minBlockSizeBytes } from '../../protocol/limits.js';
import { baseName, normalizePath, parentPath } from '../../protocol/paths.js';
import { decideCreateOverLease } from '../leases/lease-core.js';
import type { InodeRecord } from '../storage/records.js';
import { fileStatusOf } from './file-status.js';
import { childOf, lookupPath, requireFile, requireParentDirectory } from './inode-paths.js';
import { recoverFile } from './lease-recovery.js';
import { type Namespace, checkComponentLengths } from './namespace.js';
import { type Caller, type NamespaceContext, leaseLimitsOf } from './namespace-context.js';
import { commitLastBlock, offsetOfBlock, requireBlockRecord, requireOpenFile } from './open-files.js';
import { FsAction } from './permission-checker.js';
import { defaultFileMode, newInodeMode, parseUmask } from './permission.js';
import { type DeletedSubtree, deleteSubtree, insertNewChild } from './tree-edits.js';

/** How long `complete` waits for the last block's replica reports before answering "not yet". */
export const completeWaitForReportsMs = 1_000;

export interface TargetRequest {
  replication: number;
  excludeNodes: ReadonlySet<string>;
  writerHost: string;
  blockSizeBytes: number;
}
/** Placement, as the namespace sees it: locations for a new block's pipeline (maybe empty). */
export type TargetChooser = (request: TargetRequest) => DatanodeLocation[];

type Request<M extends 'create' | 'addBlock' | 'abandonBlock' | 'complete' | 'updateBlockForPipeline' | 'updatePipeline'> =
  RpcParsedRequest<M>;

export class FileWrites {
  constructor(
    private readonly context: NamespaceContext,
    private readonly namespace: Namespace,
    private readonly chooseTargets: TargetChooser,
  ) {}

  async create(request: Request<'create'>, caller: Caller): Promise<RpcResponse<'create'>> {
    const path = normalizePath(request.path);
    if (path === '/') throw new DfsError('FileAlreadyExists', 'Cannot create file /: it is a directory');
    this.context.safeMode.checkWritable(`create ${path}`);
    const replication = this.checkedReplication(request.replication);
    const blockSize = this.checkedBlockSize(request.blockSize);
    checkComponentLengths(this.context, path);
    this.checkCreatePermission(path, request.overwrite, caller);
    await this.takeOverAbandonedFile(path, request.clientName);
    const now = this.context.clock();
    const locations = request.firstBlock ? this.chooseTargets({ replication, excludeNodes: new Set(), writerHost: caller.host, blockSizeBytes: blockSize }) : [];
    const { inode, freed, first } = await this.context.store.write(() => {
      this.checkCreatePermission(path, request.overwrite, caller);
      const parent = request.createParent ? this.ensureParentDirectories(path, caller, now) : requireParentDirectory(this.context.store, parentPath(path));
      const freedByOverwrite = this.clearCreateTarget(parent, path, request.overwrite, request.clientName, now);
      // An overwrite just changed the parent in LMDB (one child fewer): read it again then.
      const freshParent = freedByOverwrite === undefined ? parent : (this.context.store.inodes.get(parent.id) ?? parent);
      const mode = newInodeMode(request.permission, defaultFileMode, parseUmask(this.context.config['dfs.umaskmode']));
      const fields = { type: 'file' as const, owner: caller.user, group: freshParent.group, mode, now, replication, blockSize };
      const created = insertNewChild(this.context.store, freshParent, baseName(path), fields, this.context.config['dfs.namenode.fs-limits.max-directory-items']);
      this.context.store.leases.put(created.id, { fileId: created.id, clientName: request.clientName, path, createdMs: now });
      const first = locations.length > 0 ? this.appendNewBlock(created) : undefined;
      return { inode: created, freed: freedByOverwrite, first };
    });
    if (freed !== undefined) this.namespace.afterDelete(freed);
    this.context.leases.add(request.clientName, inode.id, now);
    if (first === undefined) return { status: fileStatusOf(inode, path) };
    this.context.blockManager.refreshBlock(this.context.store, first.id);
    return { status: fileStatusOf(inode, path), block: { block: first, offset: 0, locations, corrupt: false, token: '' } };
  }

  /** HDFS: WRITE on the deepest existing ancestor, and on the file itself when overwriting it. */
  private checkCreatePermission(path: string, overwrite: boolean, caller: Caller): void {
    const identity = this.context.permissions.identify(caller);
    // A superuser passes every check: no need to look the target up for one.
    if (identity.superuser) return;
    const existing = lookupPath(this.context.store, path);
    const overwriting = overwrite && existing?.type === 'file' ? { access: FsAction.WRITE } : {};
    this.context.permissions.check(identity, path, { ancestorAccess: FsAction.WRITE, ...overwriting });
  }

  private checkedReplication(requested: number | undefined): number {
    const replication = requested ?? this.context.config['dfs.replication'];
    const minimum = this.context.config['dfs.namenode.replication.min'];
    if (replication < minimum) throw new DfsError('InvalidRequest', `Requested replication ${replication} is less than the required minimum ${minimum}`);
    return replication;
  }

  private checkedBlockSize(requested: number | undefined): number {
    const blockSize = requested ?? this.context.config['dfs.blocksize'];
    const bytesPerChecksum = this.context.config['dfs.bytes-per-checksum'];
    if (blockSize < minBlockSizeBytes || blockSize > maxBlockSizeBytes) {
      throw new DfsError('InvalidRequest', `Block size ${blockSize} is outside [${minBlockSizeBytes}, ${maxBlockSizeBytes}]`);
    }
    if (blockSize % bytesPerChecksum !== 0) {
      throw new DfsError('InvalidRequest', `Block size ${blockSize} is not a multiple of dfs.bytes-per-checksum (${bytesPerChecksum})`);
    }
    return blockSize;
  }

  /**
   * A create of a file still being written: a conflict while its writer renews within the
   * soft limit; past it, the lease is recovered (the file closed) in its own transaction,
   * so the recovery stands even when the create then fails (no overwrite).
   */
  private async takeOverAbandonedFile(path: string, clientName: string): Promise<void> {
    const existing = lookupPath(this.context.store, path);
    if (existing?.type !== 'file' || existing.state !== 'underConstruction') return;
    this.refuseWhileLeaseHeld(existing, path, clientName, this.context.clock());
    await recoverFile(this.context, existing.id);
  }

  private refuseWhileLeaseHeld(file: InodeRecord, path: string, clientName: string, now: number): void {
    const holder = this.context.leases.holderOf(file.id);
    if (holder === undefined) return;
    const decision = decideCreateOverLease(holder, clientName, path, now, leaseLimitsOf(this.context.config));
    if (decision.kind === 'conflict') throw new DfsError('LeaseConflict', decision.message);
  }

  private ensureParentDirectories(path: string, caller: Caller, now: number): InodeRecord {
    const parent = parentPath(path);
    if (parent === '/') return requireParentDirectory(this.context.store, parent);
    return this.namespace.makeDirectories(parent, undefined, true, caller, now).directory;
  }

  /** Inside the create transaction: what stands at `path` must be absent or overwritable. */
  private clearCreateTarget(parent: InodeRecord, path: string, overwrite: boolean, clientName: string, now: number): DeletedSubtree | undefined {
    const existing = childOf(this.context.store, parent.id, baseName(path));
    if (existing === undefined) return undefined;
    if (existing.type === 'directory') throw new DfsError('FileAlreadyExists', `${path} already exists as a directory`);
    if (existing.state === 'underConstruction') {
      // Another create got here between our lease check and this transaction.
      this.refuseWhileLeaseHeld(existing, path, clientName, now);
      throw new DfsError('LeaseConflict', `${path} is being written by another client; retry`);
    }
    if (!overwrite) throw new DfsError('FileAlreadyExists', `${path} already exists`);
    return deleteSubtree(this.context.store, existing, now);
  }

  async addBlock(request: Request<'addBlock'>, caller: Caller): Promise<RpcResponse<'addBlock'>> {
    const path = normalizePath(request.path);
    this.context.safeMode.checkWritable(`add a block to ${path}`);
    this.context.permissions.check(caller, path);
    const file = requireOpenFile(this.context, request.fileId, path, request.clientName);
    const locations = this.chooseTargets({
      replication: file.replication,
      excludeNodes: new Set(request.excludeNodes),
      writerHost: caller.host,
      blockSizeBytes: file.blockSize,
    });
    if (locations.length === 0) {
      throw new DfsError('NotEnoughDatanodes', `Could not place a block of ${path}: no live datanode with room for ${file.blockSize} bytes (excluded: ${request.excludeNodes.length})`);
    }
    const allocated = await this.context.store.write(() => this.allocateBlock(request, path));
    for (const blockId of [allocated.committedId, allocated.block.id]) {
      if (blockId !== undefined) this.context.blockManager.refreshBlock(this.context.store, blockId);
    }
    return { block: { block: allocated.block, offset: allocated.offset, locations, corrupt: false, token: '' } };
  }

  private allocateBlock(request: Request<'addBlock'>, path: string): { block: ExtendedBlock; offset: number; committedId: number | undefined } {
    const inode = requireOpenFile(this.context, request.fileId, path, request.clientName);
    const committedId = commitLastBlock(this.context, inode, path, request.previous);
    return { block: this.appendNewBlock(inode), offset: inode.length, committedId };
  }

  /** Inside a transaction: a new block under construction at the end of `inode`. */
  private appendNewBlock(inode: InodeRecord): ExtendedBlock {
    const { store } = this.context;
    const block: ExtendedBlock = { id: store.nextCounter('nextBlockId'), genStamp: store.nextCounter('nextGenStamp'), length: 0 };
    store.blocks.put(block.id, { id: block.id, fileId: inode.id, genStamp: block.genStamp, length: 0, state: 'underConstruction' });
    inode.blockIds.push(block.id);
    store.inodes.put(inode.id, inode);
    return block;
  }

  async abandonBlock(request: Request<'abandonBlock'>, caller: Caller): Promise<RpcResponse<'abandonBlock'>> {
    const path = normalizePath(request.path);
    this.context.permissions.check(caller, path);
    this.context.safeMode.checkWritable(`abandon a block of ${path}`);
    await this.context.store.write(() => {
      const inode = requireOpenFile(this.context, request.fileId, path, request.clientName);
      const record = requireBlockRecord(this.context, request.block.id);
      if (inode.blockIds.at(-1) !== record.id || record.state !== 'underConstruction') {
        throw new DfsError('InvalidRequest', `Block ${record.id} is not the block being written to ${path}`);
      }
      inode.blockIds.pop();
      this.context.store.inodes.put(inode.id, inode);
      this.context.store.blocks.remove(record.id);
    });
    this.context.blockManager.forgetBlock(request.block.id);
    return {};
  }

  /** Closes the file once every block has its minimum replicas; `false` asks the client to retry. */
  async complete(request: Request<'complete'>, caller: Caller): Promise<RpcResponse<'complete'>> {
    const path = normalizePath(request.path);
    this.context.permissions.check(caller, path);
    this.context.safeMode.checkWritable(`complete ${path}`);
    if (request.last) await this.awaitReplicaReports(request.last.id, request.last.length);
    const now = this.context.clock();
    const outcome = await this.context.store.write(() => {
      const current = this.context.store.inodes.get(request.fileId);
      // A retry after a success whose reply was lost.
      if (current?.type === 'file' && current.state === 'complete' && current.blockIds.at(-1) === (request.last?.id ?? current.blockIds.at(-1))) {
        return { complete: true, blockIds: [] as number[] };
      }
      const inode = requireOpenFile(this.context, request.fileId, path, request.clientName);
      commitLastBlock(this.context, inode, path, request.last);
      const complete = this.completeBlocks(inode, now);
      if (complete) {
        inode.state = 'complete';
        inode.mtime = now;
        this.context.store.leases.remove(inode.id);
      }
      this.context.store.inodes.put(inode.id, inode);
      if (complete && request.renameTo !== undefined) this.namespace.renameInTransaction(path, normalizePath(request.renameTo), caller, now);
      return { complete, blockIds: inode.blockIds };
    });
    for (const blockId of outcome.blockIds) this.context.blockManager.refreshBlock(this.context.store, blockId);
    if (outcome.complete) this.context.leases.remove(request.fileId);
    return { complete: outcome.complete };
  }

  /**
   * The last block's pipeline has acked, so its replicas are finalized; their incremental
   * reports are on their way. Wait for them (bounded) rather than answer "not yet" and make
   * the client back off and retry.
   */
  private async awaitReplicaReports(blockId: number, length: number): Promise<void> {
    const { blockManager, clock, replicaArrivals } = this.context;
    await replicaArrivals.waitFor(blockId, () => blockManager.isMinimallyReplicated(blockId, length, clock()), completeWaitForReportsMs);
  }

  /** Marks committed blocks with enough good replicas complete; true when all are. */
  private completeBlocks(inode: InodeRecord, now: number): boolean {
    let allComplete = true;
    for (const blockId of inode.blockIds) {
      const record = requireBlockRecord(this.context, blockId);
      if (record.state === 'committed' && this.context.blockManager.isMinimallyReplicated(blockId, record.length, now)) {
        record.state = 'complete';
        this.context.store.blocks.put(blockId, record);
      }
      if (record.state !== 'complete') allComplete = false;
    }
    return allComplete;
  }

  /** Pipeline recovery, step 1: a new generation stamp, so replicas of the broken pipeline stop counting. */
  async updateBlockForPipeline(request: Request<'updateBlockForPipeline'>): Promise<RpcResponse<'updateBlockForPipeline'>> {
    this.context.safeMode.checkWritable(`update block ${request.block.id} for a pipeline`);
    const updated = await this.context.store.write(() => {
      const record = this.requireBlockBeingWritten(request.block, request.clientName);
      record.genStamp = this.context.store.nextCounter('nextGenStamp');
      this.context.store.blocks.put(record.id, record);
      const inode = this.context.store.inodes.get(record.fileId) as InodeRecord;
      return { genStamp: record.genStamp, offset: offsetOfBlock(this.context, inode, record.id) };
    });
    this.context.blockManager.refreshBlock(this.context.store, request.block.id);
    const block: LocatedBlock = {
      block: { id: request.block.id, genStamp: updated.genStamp, length: request.block.length },
      offset: updated.offset,
      locations: [],
      corrupt: false,
      token: '',
    };
    return { block };
  }

  private requireBlockBeingWritten(block: ExtendedBlock, clientName: string): { id: number; fileId: number; genStamp: number; length: number; state: 'underConstruction' } {
    const record = requireBlockRecord(this.context, block.id);
    requireOpenFile(this.context, record.fileId, `(file ${record.fileId})`, clientName);
    if (record.state !== 'underConstruction') throw new DfsError('InvalidRequest', `Block ${block.id} is not being written`);
    if (record.genStamp !== block.genStamp) {
      throw new DfsError('StaleGenerationStamp', `Block ${block.id} has generation stamp ${record.genStamp}, not ${block.genStamp}`);
    }
    return { ...record, state: 'underConstruction' };
  }

  /** Pipeline recovery, step 2: the survivors hold the block at the stamp from step 1. */
  async updatePipeline(request: Request<'updatePipeline'>): Promise<RpcResponse<'updatePipeline'>> {
    this.context.safeMode.checkWritable(`update the pipeline of block ${request.oldBlock.id}`);
    await this.context.store.write(() => {
      const record = requireBlockRecord(this.context, request.oldBlock.id);
      requireOpenFile(this.context, record.fileId, `(file ${record.fileId})`, request.clientName);
      if (record.genStamp === request.newGenStamp) return;
      const stampIsNewer = record.genStamp === request.oldBlock.genStamp && request.newGenStamp > record.genStamp;
      if (!stampIsNewer || request.newGenStamp >= this.context.store.counter('nextGenStamp')) {
        throw new DfsError('StaleGenerationStamp', `Block ${record.id} is at generation stamp ${record.genStamp}; ${request.newGenStamp} was not issued for it`);
      }
      record.genStamp = request.newGenStamp;
      this.context.store.blocks.put(record.id, record);
    });
    this.context.blockManager.refreshBlock(this.context.store, request.oldBlock.id);
    return {};
  }

  async recoverLease(rawPath: string, caller: Caller): Promise<RpcResponse<'recoverLease'>> {
    const path = normalizePath(rawPath);
    this.context.permissions.check(caller, path, { access: FsAction.WRITE });
    this.context.safeMode.checkWritable(`recover the lease of ${path}`);
    const file = requireFile(this.context.store, path);
    if (file.state !== 'underConstruction') return { recovered: true };
    await recoverFile(this.context, file.id);
    return { recovered: true };
  }
}

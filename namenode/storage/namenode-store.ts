// The namenode's durable state: one LMDB environment in `<name dir>/namespace` with the
// sub-databases inodes, children, blocks, leases and meta (docs/architecture.md). Every
// mutation runs in `write()`, one abortable transaction awaited before the RPC replies.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Database, type DatabaseOptions, type Key, type RootDatabase, open } from 'lmdb';
import { DirectoryCache, TouchedKeys } from './directory-cache.js';
import { inodeEncoder } from './inode-codec.js';
import type { BlockRecord, CounterKey, FormatRecord, InodeRecord, LeaseRecord } from './records.js';
import { metaKeys } from './records.js';

export type ChildKey = [parentId: number, name: string];

export function namespaceDirOf(nameDir: string): string {
  return join(nameDir, 'namespace');
}

export function notFormattedMessage(nameDir: string): string {
  return `namenode is not formatted: ${nameDir} (run "tsdfs namenode -format")`;
}

/**
 * Blocks as plain msgpack maps. msgpackr's default for a database without shared structures
 * embeds a record definition in every value and rebuilds a reader for it on every
 * get: half the CPU of a getFileInfo and of loading the block map at start-up. Values written
 * either way decode either way (the definitions are inline), so this needs no format change.
 * (`useRecords` is an msgpackr option lmdb passes through; its typings do not list it.)
 */
const plainMsgpack = { useRecords: false } as DatabaseOptions;
/** Inodes as positional rows (inode-codec.ts); lmdb takes a custom `encoder` per database, its typings list it only for the root. */
const inodeRows = { encoder: inodeEncoder } as DatabaseOptions;

export class NamenodeStore {
  readonly inodes: Database<InodeRecord, number>;
  readonly children: Database<number, ChildKey>;
  readonly blocks: Database<BlockRecord, number>;
  readonly leases: Database<LeaseRecord, number>;
  readonly meta: Database<unknown, string>;
  /** Decoded directories along paths (inode-paths.ts); told of every inode and children write. */
  readonly directories = new DirectoryCache();
  /**
   * Counter values as write transactions see them, kept by putCounter and cleared whenever a
   * mutation or a commit fails (its bumps roll back). Counters change only inside `write()`.
   */
  private readonly counters = new Map<CounterKey, number>();

  private constructor(private readonly root: RootDatabase) {
    this.inodes = root.openDB<InodeRecord, number>('inodes', inodeRows);
    this.children = root.openDB<number, ChildKey>('children', {});
    observeWrites(this.inodes, (id) => this.directories.inodeWritten(id));
    observeWrites(this.children, ([parentId, name]) => this.directories.childWritten(parentId, name));
    this.blocks = root.openDB<BlockRecord, number>('blocks', plainMsgpack);
    this.leases = root.openDB<LeaseRecord, number>('leases', {});
    this.meta = root.openDB<unknown, string>('meta', {});
  }

  /** Block records stored, from LMDB's own statistics (no scan): sizes the block map at start-up. */
  blockRecordCount(): number {
    const stats = this.blocks.getStats() as { entryCount?: unknown };
    return typeof stats.entryCount === 'number' ? stats.entryCount : 0;
  }

  /** Opens (creating if needed) the environment; `format` decides whether that is allowed. */
  static create(nameDir: string): NamenodeStore {
    // lmdb-js commits durably by default (fsync before the commit promise resolves); noSync stays off.
    return new NamenodeStore(open({ path: namespaceDirOf(nameDir), maxDbs: 8 }));
  }

  /** Opens a formatted name dir; refuses an unformatted one with the command that fixes it. */
  static open(nameDir: string): NamenodeStore {
    if (!existsSync(namespaceDirOf(nameDir))) throw new Error(notFormattedMessage(nameDir));
    const store = NamenodeStore.create(nameDir);
    if (store.meta.get(metaKeys.format) === undefined) {
      void store.close();
      throw new Error(notFormattedMessage(nameDir));
    }
    return store;
  }

  get format(): FormatRecord {
    const record = this.meta.get(metaKeys.format) as FormatRecord | undefined;
    if (record === undefined) throw new Error('format record vanished from the name dir');
    return record;
  }

  /**
   * Runs `mutation` in one write transaction and resolves once it is durable. A throw
   * aborts every write of the mutation (lmdb's childTransaction is abortable; its plain
   * async `transaction` is not) and rejects with the thrown error.
   */
  write<T>(mutation: () => T): Promise<T> {
    // Nested in another write's callback: that outer transaction's keys already cover these writes.
    if (this.directories.writing) return this.root.childTransaction(() => this.runForgettingOnThrow(mutation));
    const touched = new TouchedKeys();
    const committed = this.root.childTransaction(() => {
      this.directories.beginWrite(touched);
      try {
        return this.runForgettingOnThrow(mutation);
      } finally {
        this.directories.endWrite();
      }
    });
    // Settled only once durable (or aborted): until then the touched keys stay out of the cache.
    // A failed commit takes its batch's counter bumps with it, so the counters are read afresh.
    return committed.then(
      (result) => {
        this.directories.settle(touched);
        return result;
      },
      (error: unknown) => {
        this.counters.clear();
        this.directories.settle(touched);
        throw error;
      },
    );
  }

  /** Runs a mutation; a throw aborts its writes, so the counters it may have bumped are re-read from LMDB. */
  private runForgettingOnThrow<T>(mutation: () => T): T {
    try {
      return mutation();
    } catch (error) {
      this.counters.clear();
      throw error;
    }
  }

  /** Next value of a counter; only inside `write()`, so the bump commits with its use. */
  nextCounter(key: CounterKey): number {
    const value = this.counter(key);
    this.putCounter(key, value + 1);
    return value;
  }

  /** Adds `delta` to a statistic counter (file and directory counts); only inside `write()`. */
  addToCounter(key: CounterKey, delta: number): void {
    this.putCounter(key, this.counter(key) + delta);
  }

  /**
   * A counter's value. Inside `write()` from `counters`, the value as the write transaction
   * sees it (every bump goes through putCounter), which saves a get and a decode per bump,
   * two per new inode; outside, LMDB's committed value.
   */
  counter(key: CounterKey): number {
    const writing = this.directories.writing;
    if (writing) {
      const known = this.counters.get(key);
      if (known !== undefined) return known;
    }
    const stored = this.meta.get(metaKeys[key]);
    const value = typeof stored === 'number' ? stored : 0;
    if (writing) this.counters.set(key, value);
    return value;
  }

  private putCounter(key: CounterKey, value: number): void {
    this.meta.put(metaKeys[key], value);
    // A bump outside `write()` (an offline builder) is not followed: read afresh from then on.
    if (this.directories.writing) this.counters.set(key, value);
    else this.counters.clear();
  }

  close(): Promise<void> {
    return this.root.close();
  }
}

/**
 * Calls `written` with the key of every put and remove on `database` before it happens.
 * Wrapping the instance keeps every caller on lmdb's own API while the directory cache
 * still hears of each write.
 */
function observeWrites<K extends Key, V>(database: Database<V, K>, written: (key: K) => void): void {
  const put = database.put.bind(database);
  const remove = database.remove.bind(database);
  database.put = ((key: K, ...rest: unknown[]) => {
    written(key);
    return (put as (key: K, ...rest: unknown[]) => Promise<boolean>)(key, ...rest);
  }) as typeof database.put;
  database.remove = ((key: K, ...rest: unknown[]) => {
    written(key);
    return (remove as (key: K, ...rest: unknown[]) => Promise<boolean>)(key, ...rest);
  }) as typeof database.remove;
}

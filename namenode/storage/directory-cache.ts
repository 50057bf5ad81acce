// A small, bounded cache of decoded directory inodes by (parent id, name), so a path walk
// reads LMDB only for the components that are not cached (mostly just the last one): every
// component otherwise costs two gets and a msgpack decode. The cache never answers with
// anything but what LMDB would: a write to an inode or a children key marks it dirty from
// the moment the write transaction makes it until that transaction has settled (committed
// durably or aborted), and a dirty key is neither served nor remembered.
import type { InodeRecord } from './records.js';

/** Directories kept; each costs a few hundred bytes of heap, so this bounds it near 1-2 MiB. */
export const directoryCacheEntries = 4096;

/** The inode ids and children keys one write transaction touched. */
export class TouchedKeys {
  readonly inodeIds = new Set<number>();
  readonly childKeys = new Set<string>();
}

function childKeyOf(parentId: number, name: string): string {
  // A name never contains '/', so this key is unambiguous.
  return `${parentId}/${name}`;
}

/**
 * A field-by-field copy: spreading a frozen record takes V8's slow object-clone path, a
 * few per cent of a mkdirs.
 */
function copyOfDirectory(inode: Readonly<InodeRecord>): InodeRecord {
  return {
    id: inode.id,
    parentId: inode.parentId,
    name: inode.name,
    type: inode.type,
    owner: inode.owner,
    group: inode.group,
    mode: inode.mode,
    mtime: inode.mtime,
    atime: inode.atime,
    replication: inode.replication,
    blockSize: inode.blockSize,
    length: inode.length,
    state: inode.state,
    blockIds: inode.blockIds.length === 0 ? [] : [...inode.blockIds],
    childrenNum: inode.childrenNum,
  };
}

export class DirectoryCache {
  private readonly entries = new Map<string, Readonly<InodeRecord>>();
  private readonly keyById = new Map<number, string>();
  private readonly dirtyIds = new Map<number, number>();
  private readonly dirtyKeys = new Map<string, number>();
  /** The running write transaction's touched keys; null outside one. */
  private current: TouchedKeys | null = null;
  /** Set for good by a write made outside `store.write` (its commit cannot be followed). */
  private disabled = false;

  constructor(private readonly capacity = directoryCacheEntries) {}

  /**
   * The cached directory `name` under `parentId`, if cached and clean. Inside a write
   * transaction a private copy, since the mutation may change it before writing it back;
   * outside one the shared record itself, frozen, as readers only read.
   */
  child(parentId: number, name: string): InodeRecord | undefined {
    const key = childKeyOf(parentId, name);
    const entry = this.entries.get(key);
    if (entry === undefined || this.dirtyKeys.has(key) || this.dirtyIds.has(entry.id)) return undefined;
    if (this.current === null) return entry as InodeRecord;
    return copyOfDirectory(entry);
  }

  /** Keeps a copy of `inode` (a directory just read from LMDB at `parentId`/`name`) unless its keys are dirty. */
  remember(parentId: number, name: string, inode: InodeRecord): void {
    if (this.disabled || inode.type !== 'directory') return;
    const key = childKeyOf(parentId, name);
    if (this.dirtyKeys.has(key) || this.dirtyIds.has(inode.id)) return;
    if (this.entries.size >= this.capacity) this.evictOldest();
    this.forgetId(inode.id);
    const copy = copyOfDirectory(inode);
    Object.freeze(copy.blockIds);
    this.entries.set(key, Object.freeze(copy));
    this.keyById.set(inode.id, key);
  }

  /** Brackets one write transaction's callback; writes in between are attributed to `touched`. */
  beginWrite(touched: TouchedKeys): void {
    this.current = touched;
  }

  endWrite(): void {
    this.current = null;
  }

  /** True inside a write transaction's callback. */
  get writing(): boolean {
    return this.current !== null;
  }

  inodeWritten(id: number): void {
    if (this.current === null) return this.disable();
    if (this.current.inodeIds.has(id)) return;
    this.current.inodeIds.add(id);
    this.dirtyIds.set(id, (this.dirtyIds.get(id) ?? 0) + 1);
    this.forgetId(id);
  }

  childWritten(parentId: number, name: string): void {
    if (this.current === null) return this.disable();
    const key = childKeyOf(parentId, name);
    if (this.current.childKeys.has(key)) return;
    this.current.childKeys.add(key);
    this.dirtyKeys.set(key, (this.dirtyKeys.get(key) ?? 0) + 1);
    this.forgetKey(key);
  }

  /** The transaction that touched these keys has committed durably or failed: they are clean again. */
  settle(touched: TouchedKeys): void {
    for (const id of touched.inodeIds) {
      this.forgetId(id);
      const count = (this.dirtyIds.get(id) ?? 1) - 1;
      if (count > 0) this.dirtyIds.set(id, count);
      else this.dirtyIds.delete(id);
    }
    for (const key of touched.childKeys) {
      this.forgetKey(key);
      const count = (this.dirtyKeys.get(key) ?? 1) - 1;
      if (count > 0) this.dirtyKeys.set(key, count);
      else this.dirtyKeys.delete(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private disable(): void {
    this.disabled = true;
    this.entries.clear();
    this.keyById.clear();
  }

  private forgetId(id: number): void {
    const key = this.keyById.get(id);
    if (key === undefined) return;
    this.keyById.delete(id);
    this.entries.delete(key);
  }

  private forgetKey(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.keyById.delete(entry.id);
  }

  private evictOldest(): void {
    const oldest = this.entries.keys().next();
    if (!oldest.done) this.forgetKey(oldest.value);
  }
}

// fsync of the folders replicas are finalized into, shared: each folder's handle stays open
// (open + close per replica were two of a small file's fourteen file-system calls), and
// finalizes that arrive while the folder's fsync runs share the next one (group commit).
import { type FileHandle, open } from 'node:fs/promises';

/** Folder handles kept open per volume: the 256 finalized sub-folders and a little more. */
export const maxOpenDirectoryHandles = 300;

interface DirectoryState {
  handle: Promise<FileHandle>;
  /** The fsync running now; whoever arrives meanwhile waits for the next one. */
  running: Promise<void> | null;
  /** The fsync that starts when `running` ends, shared by everyone who asked meanwhile. */
  next: Promise<void> | null;
}

export class DirectorySync {
  private readonly directories = new Map<string, DirectoryState>();

  /**
   * Resolves once an fsync of `path` that started after this call has finished, so every
   * change made to the folder before the call (a rename into it) is durable.
   */
  sync(path: string): Promise<void> {
    const state = this.stateOf(path);
    if (state.running === null) {
      state.running = this.runSync(path, state);
      return state.running;
    }
    state.next ??= state.running.catch(() => undefined).then(() => {
      state.next = null;
      state.running = this.runSync(path, state);
      return state.running;
    });
    return state.next;
  }

  /** Closes every handle (the volume failed or the store stops); later syncs reopen. */
  async closeAll(): Promise<void> {
    const states = [...this.directories.values()];
    this.directories.clear();
    await Promise.allSettled(states.map(async (state) => (await state.handle).close()));
  }

  private async runSync(path: string, state: DirectoryState): Promise<void> {
    try {
      await (await state.handle).sync();
    } catch (error) {
      // A folder that failed once is opened afresh next time (it may have been replaced).
      this.forget(path, state);
      throw error;
    } finally {
      if (state.running !== null && state.next === null) state.running = null;
    }
  }

  private stateOf(path: string): DirectoryState {
    const known = this.directories.get(path);
    if (known) {
      // Most recently used last, so the map's first entry is the one to evict.
      this.directories.delete(path);
      this.directories.set(path, known);
      return known;
    }
    if (this.directories.size >= maxOpenDirectoryHandles) this.evictIdle();
    const handle = open(path, 'r');
    handle.catch(() => this.forget(path, state));
    const state: DirectoryState = { handle, running: null, next: null };
    this.directories.set(path, state);
    return state;
  }

  /** Closes the least recently used handle that no fsync is using. */
  private evictIdle(): void {
    for (const [path, state] of this.directories) {
      if (state.running !== null || state.next !== null) continue;
      this.directories.delete(path);
      void state.handle.then((handle) => handle.close()).catch(() => undefined);
      return;
    }
  }

  private forget(path: string, state: DirectoryState): void {
    if (this.directories.get(path) !== state) return;
    this.directories.delete(path);
    void state.handle.then((handle) => handle.close()).catch(() => undefined);
  }
}

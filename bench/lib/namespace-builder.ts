// Builds a big namespace offline with the namenode's own storage code: the same LMDB
// records a namenode writes when clients create files (a directory inode per 1,000 files,
// file inodes with one complete block each, children entries, block records, counters), so
// a real namenode started on the name dir loads it as its own. Run in a helper process
// (`buildNamespaceInHelper`) so the benchmark's own heap stays out of it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NamenodeStore } from '../../namenode/storage/namenode-store.js';
import { processUserName } from '../../namenode/storage/format.js';
import { type InodeRecord, newDirectoryRecord, rootInodeId } from '../../namenode/storage/records.js';
import type { ReportedReplica } from '../../protocol/datanode-namenode.js';

export const builtFilesPerDirectory = 1000;
/** Every built block is this long (one small block per file; its size costs the namenode nothing). */
export const builtBlockLengthBytes = 1024 * 1024;
export const builtReplication = 3;
const firstGenStamp = 1000;
/** Files per LMDB transaction: big enough to amortise the commit, small enough to bound memory. */
const filesPerTransaction = 20_000;

/** The replica a datanode holding built file `index` (0-based) reports: block ids 1..N. */
export function builtReplica(index: number): ReportedReplica {
  return [index + 1, firstGenStamp + index, builtBlockLengthBytes];
}

export function builtFilePath(index: number): string {
  return `/bench/d${Math.floor(index / builtFilesPerDirectory)}/f${index}`;
}

/** Fills a freshly formatted name dir with `files` files under /bench. */
export async function buildNamespace(nameDir: string, files: number): Promise<void> {
  const store = NamenodeStore.open(nameDir);
  try {
    const owner = processUserName();
    const now = Date.now();
    const benchDirId = await store.write(() => {
      const root = store.inodes.get(rootInodeId) as InodeRecord;
      return newDirectory(store, root, 'bench', owner, now);
    });
    let directory: InodeRecord | undefined;
    for (let start = 0; start < files; start += filesPerTransaction) {
      const end = Math.min(files, start + filesPerTransaction);
      directory = await store.write(() => {
        let current = directory;
        for (let index = start; index < end; index++) {
          if (index % builtFilesPerDirectory === 0) {
            if (current !== undefined) store.inodes.put(current.id, current);
            const bench = store.inodes.get(benchDirId) as InodeRecord;
            current = store.inodes.get(newDirectory(store, bench, `d${index / builtFilesPerDirectory}`, owner, now)) as InodeRecord;
          }
          newFileWithOneBlock(store, current as InodeRecord, index, owner, now);
        }
        if (current !== undefined) store.inodes.put(current.id, current);
        return current;
      });
    }
    await store.write(() => {
      store.meta.put('nextBlockId', files + 1);
      store.meta.put('nextGenStamp', firstGenStamp + files);
    });
  } finally {
    await store.close();
  }
}

function newDirectory(store: NamenodeStore, parent: InodeRecord, name: string, owner: string, now: number): number {
  const inode = newDirectoryRecord({ id: store.nextCounter('nextInodeId'), parentId: parent.id, name, owner, group: parent.group, now });
  store.inodes.put(inode.id, inode);
  store.children.put([parent.id, name], inode.id);
  parent.childrenNum += 1;
  store.inodes.put(parent.id, parent);
  store.addToCounter('directoryCount', 1);
  return inode.id;
}

/** `parent` is updated in memory; the caller writes it back once per transaction. */
function newFileWithOneBlock(store: NamenodeStore, parent: InodeRecord, index: number, owner: string, now: number): void {
  const [blockId, genStamp, length] = builtReplica(index);
  const inode: InodeRecord = {
    ...newDirectoryRecord({ id: store.nextCounter('nextInodeId'), parentId: parent.id, name: `f${index}`, owner, group: parent.group, now }),
    type: 'file',
    mode: 0o644,
    replication: builtReplication,
    blockSize: 128 * 1024 * 1024,
    length,
    blockIds: [blockId],
  };
  store.inodes.put(inode.id, inode);
  store.children.put([parent.id, inode.name], inode.id);
  store.blocks.put(blockId, { id: blockId, fileId: inode.id, genStamp, length, state: 'complete' });
  parent.childrenNum += 1;
  store.addToCounter('fileCount', 1);
}

/** Runs `buildNamespace` in a child process; resolves with its wall time in seconds. */
export function buildNamespaceInHelper(nameDir: string, files: number): Promise<number> {
  const script = fileURLToPath(new URL('./build-namespace-main.js', import.meta.url));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, nameDir, String(files)], { stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve((performance.now() - started) / 1000);
      else reject(new Error(`namespace builder exited with ${code}: ${stderr}`));
    });
  });
}

// Directories of random files for the many-files and small-files workloads, and the local
// disk's own figures for them: `cp -r` + `sync`, and reading every file back.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256, sha256OfFile } from '../../test/helpers/files.js';
import { dropCaches, secondsSince } from './measure.js';

/** Writes `count` files of `bytes` random bytes (`f0000`, `f0001`, …); returns name → SHA-256. */
export async function writeRandomTree(directory: string, count: number, bytes: number): Promise<Map<string, string>> {
  await mkdir(directory, { recursive: true });
  const digests = new Map<string, string>();
  for (let index = 0; index < count; index++) {
    const name = `f${String(index).padStart(4, '0')}`;
    const data = randomBytes(bytes);
    await writeFile(join(directory, name), data);
    digests.set(name, sha256(data));
  }
  return digests;
}

/** Throws unless `directory` holds exactly these files with these bytes. */
export async function verifyTree(directory: string, digests: ReadonlyMap<string, string>): Promise<void> {
  const names = await readdir(directory);
  if (names.length !== digests.size) throw new Error(`${directory} holds ${names.length} files, expected ${digests.size}`);
  for (const name of names) {
    if ((await sha256OfFile(join(directory, name))) !== digests.get(name)) throw new Error(`${directory}/${name} has different bytes`);
  }
}

/** Seconds for `cp -r source target && sync` (the local disk's figure for a directory put); removes `target`. */
export async function localCopySeconds(source: string, target: string): Promise<number> {
  await rm(target, { recursive: true, force: true });
  execFileSync('sync', [], { timeout: 120_000 });
  const start = process.hrtime.bigint();
  execFileSync('sh', ['-c', 'cp -r "$0" "$1" && sync', source, target], { stdio: 'ignore', timeout: 600_000 });
  const seconds = secondsSince(start);
  await rm(target, { recursive: true, force: true });
  return seconds;
}

/** Seconds to read every file of `directory` (`cat` to /dev/null) after dropping caches. */
export function localReadSeconds(directory: string): { seconds: number; cachesDropped: boolean } {
  const cachesDropped = dropCaches();
  const start = process.hrtime.bigint();
  execFileSync('sh', ['-c', 'find "$0" -type f -exec cat {} + > /dev/null', directory], { stdio: 'ignore', timeout: 600_000 });
  return { seconds: secondsSince(start), cachesDropped };
}

/** Runs `task` over `items`, at most `concurrency` at a time. */
export async function forEachConcurrently<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

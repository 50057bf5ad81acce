// Start-up scan of a volume: drops replicas that were being written (their pipeline has
// moved on since) and lists the finalized ones with their generation stamp and length.
import { mkdir, readdir, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { blockFilePattern, finalizedSubdir, metaFilePattern } from './layout.js';
import type { Volume } from './volume.js';

export interface ScannedReplica {
  blockId: number;
  genStamp: number;
  length: number;
  /** Block and meta file bytes together. */
  diskBytes: number;
}

export async function clearRbw(volume: Volume): Promise<void> {
  await rm(volume.rbwDir, { recursive: true, force: true });
  await mkdir(volume.rbwDir, { recursive: true });
}

export async function scanFinalized(volume: Volume, log: Logger): Promise<ScannedReplica[]> {
  const replicas: ScannedReplica[] = [];
  for (const entry of await readdir(volume.finalizedDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !/^subdir[0-9]{1,3}$/.test(entry.name)) continue;
    replicas.push(...(await scanSubdir(volume, join(volume.finalizedDir, entry.name), log)));
  }
  return replicas;
}

async function scanSubdir(volume: Volume, dir: string, log: Logger): Promise<ScannedReplica[]> {
  const names = await readdir(dir);
  const metasByBlock = groupMetaFiles(names);
  const replicas: ScannedReplica[] = [];
  for (const name of names) {
    const match = blockFilePattern.exec(name);
    if (!match) continue;
    const blockId = Number(match[1]);
    const genStamps = (metasByBlock.get(blockId) ?? []).sort((a, b) => b - a);
    const newest = genStamps[0];
    if (newest === undefined || finalizedSubdir(volume.root, blockId) !== dir) {
      log.warn({ volume: volume.root, file: join(dir, name) }, 'ignoring a block file without meta file or in the wrong folder');
      continue;
    }
    // Older meta files are left-overs of a recovery interrupted between rename steps.
    for (const stale of genStamps.slice(1)) await unlink(join(dir, `blk_${blockId}_${stale}.meta`)).catch(() => undefined);
    const [blockStat, metaStat] = await Promise.all([stat(join(dir, name)), stat(join(dir, `blk_${blockId}_${newest}.meta`))]);
    replicas.push({ blockId, genStamp: newest, length: blockStat.size, diskBytes: blockStat.size + metaStat.size });
  }
  return replicas;
}

function groupMetaFiles(names: string[]): Map<number, number[]> {
  const metasByBlock = new Map<number, number[]>();
  for (const name of names) {
    const match = metaFilePattern.exec(name);
    if (!match) continue;
    const blockId = Number(match[1]);
    const list = metasByBlock.get(blockId) ?? [];
    list.push(Number(match[2]));
    metasByBlock.set(blockId, list);
  }
  return metasByBlock;
}

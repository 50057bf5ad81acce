// One storage volume (a directory of `dfs.datanode.data.dir`): its VERSION file, its
// folder layout and its free space. Replicas on it are tracked by the block store.
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, statfs, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { DfsError } from '../../protocol/errors.js';
import { datanodeLayoutVersion } from '../../protocol/version.js';
import { DirectorySync } from './directory-sync.js';
import { currentDir, finalizedDir, rbwDir, versionFileName } from './layout.js';

export const VolumeVersion = z.object({
  clusterId: z.string(),
  datanodeUuid: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
  layoutVersion: z.number().int(),
});
export type VolumeVersion = z.infer<typeof VolumeVersion>;

export interface VolumeUsage {
  /** Bytes the volume may hold for tsdfs: its size less `dfs.datanode.du.reserved`. */
  capacity: number;
  /** Bytes still free for tsdfs: free space less the reserve. */
  remaining: number;
  dfsUsed: number;
}

/**
 * Error codes that may mean the volume itself is broken (gone, unmounted, read-only, a
 * dying disk), not just one file: an I/O error with one of them triggers a volume check.
 */
const volumeErrorCodes = new Set(['EIO', 'EROFS', 'ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'ENODEV', 'ENXIO', 'ESTALE', 'EBADF']);

export function isVolumeError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && volumeErrorCodes.has(code);
}

/**
 * Placing a replica asks for the free space at most this often (statfs on every new block
 * was a visible share of a small file's cost); in between, bytes written since count as used.
 */
export const placementUsageMaxAgeMs = 1000;

export class Volume {
  /** Bytes of block and meta files of the replicas on this volume. */
  dfsUsed = 0;
  failed = false;
  /** Why the volume was taken out of service, for logs and `/status`. */
  failureReason = '';
  /** Finalized sub-folders known to exist, so finalizing a replica skips the mkdir. */
  readonly knownSubdirs = new Set<string>();
  /** fsync of the finalized sub-folders, through handles kept open. */
  readonly directorySync = new DirectorySync();
  private placementUsage: { usage: VolumeUsage; atMs: number } | null = null;

  constructor(
    readonly root: string,
    private readonly reservedBytes: number,
  ) {}

  get rbwDir(): string {
    return rbwDir(this.root);
  }

  get finalizedDir(): string {
    return finalizedDir(this.root);
  }

  async createLayout(): Promise<void> {
    await mkdir(this.rbwDir, { recursive: true });
    await mkdir(this.finalizedDir, { recursive: true });
  }

  /** The VERSION file, or null on a fresh volume. A damaged one is an operating error. */
  async readVersion(): Promise<VolumeVersion | null> {
    let text: string;
    try {
      text = await readFile(join(this.root, versionFileName), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const parsed = VolumeVersion.safeParse(safeJson(text));
    if (!parsed.success) throw new Error(`volume ${this.root}: VERSION file is damaged`);
    if (parsed.data.layoutVersion !== datanodeLayoutVersion) {
      throw new Error(`volume ${this.root}: layout version ${parsed.data.layoutVersion}, expected ${datanodeLayoutVersion}`);
    }
    return parsed.data;
  }

  /** Writes VERSION atomically (temp file, fsync, rename, fsync folder). */
  async writeVersion(version: VolumeVersion): Promise<void> {
    const target = join(this.root, versionFileName);
    const temp = `${target}.tmp`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(version)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
    await syncDirectory(this.root);
  }

  /**
   * Throws when the volume cannot be used: its folders gone or not folders, unreadable,
   * or (with `probeWrite`) not writable — a small file written, fsynced and removed
   * catches a read-only remount or a dying card. As root, chmod does not block access,
   * so only real I/O tells.
   */
  async check(probeWrite: boolean): Promise<void> {
    for (const dir of [currentDir(this.root), this.finalizedDir, this.rbwDir]) {
      const stats = await stat(dir);
      if (!stats.isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
    }
    await readdir(this.finalizedDir);
    if (!probeWrite) return;
    const probe = join(currentDir(this.root), `.probe-${randomUUID()}`);
    const handle = await open(probe, 'w');
    try {
      await handle.writeFile('tsdfs volume check\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await unlink(probe);
  }

  /** `usage()` for choosing where a new replica goes: cached briefly, minus what was written since. */
  async usageForPlacement(nowMs: number): Promise<VolumeUsage> {
    const cached = this.placementUsage;
    if (cached !== null && !this.failed && nowMs - cached.atMs < placementUsageMaxAgeMs && nowMs >= cached.atMs) {
      const writtenSince = Math.max(0, this.dfsUsed - cached.usage.dfsUsed);
      return { ...cached.usage, remaining: Math.max(0, cached.usage.remaining - writtenSince), dfsUsed: this.dfsUsed };
    }
    const usage = await this.usage();
    this.placementUsage = { usage, atMs: nowMs };
    return usage;
  }

  async usage(): Promise<VolumeUsage> {
    if (this.failed) return { capacity: 0, remaining: 0, dfsUsed: this.dfsUsed };
    const stats = await statfs(this.root);
    const total = stats.blocks * stats.bsize;
    const available = stats.bavail * stats.bsize;
    return {
      capacity: Math.max(0, total - this.reservedBytes),
      remaining: Math.max(0, available - this.reservedBytes),
      dfsUsed: this.dfsUsed,
    };
  }
}

/** fsync a directory so a rename or a new file in it survives a power cut. */
export async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

// ---- volume start-up, usage and error classification, for the block store ----

/** Lays a volume out and reads its VERSION; a volume that cannot is failed, not fatal. */
export async function prepareVolume(volume: Volume, log: Logger): Promise<Awaited<ReturnType<Volume['readVersion']>>> {
  try {
    await volume.createLayout();
    return await volume.readVersion();
  } catch (error) {
    volume.failed = true;
    log.error({ volume: volume.root, err: error }, 'volume failed at start-up');
    return null;
  }
}

/** The datanode's one UUID and cluster id, agreed by its volumes (new UUID on a first start). */
export function settleIdentity(versions: ReadonlyArray<Awaited<ReturnType<Volume['readVersion']>>>): { datanodeUuid: string; clusterId: string } {
  const uuids = new Set(versions.flatMap((version) => (version ? [version.datanodeUuid] : [])));
  const clusterIds = new Set(versions.flatMap((version) => (version?.clusterId ? [version.clusterId] : [])));
  if (uuids.size > 1) throw new Error(`volumes belong to different datanodes: ${[...uuids].join(', ')}`);
  if (clusterIds.size > 1) throw new Error(`volumes belong to different clusters: ${[...clusterIds].join(', ')}`);
  return { datanodeUuid: [...uuids][0] ?? randomUUID(), clusterId: [...clusterIds][0] ?? '' };
}

/** Capacity of a volume, or nothing free when it cannot be asked (a failing volume). */
export async function safeUsage(volume: Volume): Promise<{ capacity: number; remaining: number; dfsUsed: number }> {
  try {
    return await volume.usage();
  } catch {
    return { capacity: 0, remaining: 0, dfsUsed: volume.dfsUsed };
  }
}

/** A write's I/O error as the client should see it: DiskFull, or the volume failed. */
export function asDiskError(error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new DfsError('DiskFull', 'volume is full');
  if (isVolumeError(error)) return new DfsError('Unavailable', `volume failed: ${describeError(error)}`);
  return error;
}

export function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.startsWith(code) ? `${code}: ${message}` : message;
}

// One storage volume (a directory of `dfs.datanode.data.dir`): its VERSION file, its
// folder layout and its free space. Replicas on it are tracked by the block store.
import { mkdir, open, readFile, rename, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { datanodeLayoutVersion } from '../../protocol/version.js';
import { finalizedDir, rbwDir, versionFileName } from './layout.js';

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

export class Volume {
  /** Bytes of block and meta files of the replicas on this volume. */
  dfsUsed = 0;
  failed = false;

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

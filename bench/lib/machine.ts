// What the figures were measured on: CPU, memory, the disk under the temp dir, Node and OS,
// and the commit. Read once per run; anything unreadable is left out, never guessed.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { basename } from 'node:path';

export interface DiskInfo {
  /** The file system type, e.g. `ext4`. */
  filesystem: string | null;
  /** The device df names, e.g. `/dev/vda`. */
  device: string | null;
  /** From /sys/block/<dev>/device/model when readable. */
  model: string | null;
  /** From /sys/block/<dev>/queue/rotational: true for a spinning disk. */
  rotational: boolean | null;
}

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  disk: DiskInfo;
  node: string;
  os: string;
  kernel: string;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

function command(file: string, args: string[], cwd?: string): string | null {
  try {
    return execFileSync(file, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'], ...(cwd ? { cwd } : {}) }).trim();
  } catch {
    return null;
  }
}

/** `/dev/vda1` → `vda`, `/dev/nvme0n1p2` → `nvme0n1`, `/dev/mmcblk0p1` → `mmcblk0`: the /sys/block name. */
function blockDeviceOf(device: string): string {
  const name = basename(device);
  if (readText(`/sys/block/${name}/queue/rotational`) !== null) return name;
  return name.replace(/p?\d+$/, '');
}

export function diskInfo(directory: string): DiskInfo {
  const lines = command('df', ['-P', '-T', directory])?.split('\n') ?? [];
  const fields = lines[1]?.split(/\s+/) ?? [];
  const device = fields[0] ?? null;
  const filesystem = fields[1] ?? null;
  const block = device?.startsWith('/dev/') ? blockDeviceOf(device) : null;
  const rotational = block ? readText(`/sys/block/${block}/queue/rotational`) : null;
  return {
    filesystem,
    device,
    model: block ? readText(`/sys/block/${block}/device/model`) : null,
    rotational: rotational === null ? null : rotational === '1',
  };
}

function osName(): string {
  const release = readText('/etc/os-release') ?? '';
  return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(release)?.[1] ?? process.platform;
}

export function machineInfo(tempDirectory: string): MachineInfo {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    disk: diskInfo(tempDirectory),
    node: process.version,
    os: osName(),
    kernel: release(),
  };
}

/** The commit the working tree is on, `+dirty` when tracked files differ from it (the build is of the working tree). */
export function commitOf(directory: string): string {
  const commit = command('git', ['rev-parse', '--short=12', 'HEAD'], directory) ?? 'unknown';
  const changes = command('git', ['status', '--porcelain', '--untracked-files=no'], directory);
  return changes ? `${commit}+dirty` : commit;
}

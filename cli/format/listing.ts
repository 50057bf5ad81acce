// `ls` lines in Hadoop's layout, columns sized over one directory's entries:
//   -rw-r--r--   3 alice supergroup    1048576 2026-11-21 15:13 /user/alice/f
// and the `--json` / `stat` shapes of DESIGN.md.
import type { FileStatus } from '../../protocol/common.js';
import { modeString, permissionLetters } from './permission.js';
import { humanSize } from './size.js';
import { listingTime, statTime } from './time.js';

export interface ListingEntry {
  status: FileStatus;
  /** The path as printed: as the user typed it, children joined on. */
  shown: string;
}

/** Hadoop's Ls starts from these widths and widens to fit the entries. */
const minimumReplicationWidth = 3;
const minimumLengthWidth = 10;

export function formatListing(entries: readonly ListingEntry[], options: { human: boolean }): string[] {
  const width = { replication: minimumReplicationWidth, length: minimumLengthWidth, owner: 0, group: 0 };
  for (const { status } of entries) {
    width.replication = Math.max(width.replication, String(status.replication).length);
    width.length = Math.max(width.length, String(status.length).length);
    width.owner = Math.max(width.owner, status.owner.length);
    width.group = Math.max(width.group, status.group.length);
  }
  return entries.map(({ status, shown }) => {
    const replication = status.type === 'file' ? String(status.replication) : '-';
    const length = options.human ? humanSize(status.length) : String(status.length);
    return [
      `${modeString(status.type, status.permission)} `,
      `${replication.padStart(width.replication)} `,
      width.owner > 0 ? `${status.owner.padEnd(width.owner)} ` : status.owner,
      width.group > 0 ? `${status.group.padEnd(width.group)} ` : status.group,
      `${length.padStart(width.length)} `,
      `${listingTime(status.modificationTime)} ${shown}`,
    ].join('');
  });
}

/** The `ls --json` / `stat --json` object: DESIGN.md's fields first, extras after. */
export function statusJson(status: FileStatus, absolutePath: string): Record<string, unknown> {
  return { ...status, path: absolutePath };
}

/** Hadoop's `-stat` format: %b %F %g %n %o %r %u %y %Y %x %X %a %A, `%%` for `%`. */
export function formatStat(format: string, status: FileStatus, name: string): string {
  return format.replace(/%(.)/g, (whole, letter: string) => {
    switch (letter) {
      case 'b': return String(status.length);
      case 'F': return status.type === 'directory' ? 'directory' : 'regular file';
      case 'g': return status.group;
      case 'n': return name;
      case 'o': return String(status.blockSize);
      case 'r': return String(status.replication);
      case 'u': return status.owner;
      case 'y': return statTime(status.modificationTime);
      case 'Y': return String(status.modificationTime);
      case 'x': return statTime(status.accessTime);
      case 'X': return String(status.accessTime);
      case 'a': return status.permission;
      case 'A': return permissionLetters(status.permission);
      case '%': return '%';
      default: return whole;
    }
  }).replace(/\\n/g, '\n').replace(/\\t/g, '\t');
}

// Permission bits as HDFS stores and prints them: octal strings "755" / "1777" on the wire,
// numbers in the inode, and the umask applied to modes the namenode picks itself.

/** HDFS's defaults before the umask (`dfs.umaskmode`, 022): files 666 → 644, directories 777 → 755. */
export const defaultFileMode = 0o666;
export const defaultDirectoryMode = 0o777;

export function parsePermission(text: string): number {
  return Number.parseInt(text, 8);
}

/** "755", or four digits when the sticky/setuid bits are set ("1777"). */
export function formatPermission(mode: number): string {
  const digits = (mode & 0o7777).toString(8);
  return digits.length >= 3 ? digits : digits.padStart(3, '0');
}

export function parseUmask(umask: string): number {
  return Number.parseInt(umask, 8) & 0o777;
}

/**
 * The mode of a new inode: an explicit permission is taken as given (the caller chose it,
 * as `mkdir -m` does); otherwise the default for its type with the umask applied.
 */
export function newInodeMode(explicit: string | undefined, defaultMode: number, umask: number): number {
  return explicit !== undefined ? parsePermission(explicit) : defaultMode & ~umask;
}

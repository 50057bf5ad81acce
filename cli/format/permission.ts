// Permissions between HDFS's two spellings: octal ("755", "1777") and `rwxr-xr-x`, with
// the sticky bit shown as `t` (or `T` when others may not execute), as `ls` does.

/** `rwxr-xr-x` (nine letters) for an octal permission string. */
export function permissionLetters(octal: string): string {
  const mode = Number.parseInt(octal, 8);
  const triplet = (bits: number): string => `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${bits & 1 ? 'x' : '-'}`;
  let letters = triplet(mode >> 6) + triplet(mode >> 3) + triplet(mode);
  if (mode & 0o1000) letters = letters.slice(0, 8) + (mode & 1 ? 't' : 'T');
  return letters;
}

/** `drwxr-xr-x` / `-rw-r--r--` as the first column of `ls`. */
export function modeString(type: 'file' | 'directory', octal: string): string {
  return (type === 'directory' ? 'd' : '-') + permissionLetters(octal);
}

/** Octal mode → the 3- or 4-digit string the protocol carries. */
export function octalString(mode: number): string {
  const text = (mode & 0o1777).toString(8);
  return mode & 0o1000 ? text : text.padStart(3, '0');
}

const whoBits: Record<string, number> = { u: 0o4700, g: 0o2070, o: 0o1007, a: 0o7777 };

/**
 * Applies a chmod mode to `current`: octal (`755`, `1777`) or symbolic clauses such as
 * `u+x`, `go-w`, `a=rX`, `+t`, comma-separated. Returns undefined when it is neither.
 */
export function applyChmodMode(mode: string, current: number, isDirectory: boolean): number | undefined {
  if (/^[0-7]{1,4}$/.test(mode)) return Number.parseInt(mode, 8);
  let result = current;
  for (const clause of mode.split(',')) {
    const match = /^([ugoa]*)([-+=])([rwxXt]*)$/.exec(clause);
    if (!match) return undefined;
    result = applySymbolicClause(result, match[1] || 'a', match[2] as '+' | '-' | '=', match[3] ?? '', isDirectory, current);
  }
  return result & 0o1777;
}

function applySymbolicClause(mode: number, who: string, op: '+' | '-' | '=', perms: string, isDirectory: boolean, original: number): number {
  const scope = [...who].reduce((bits, letter) => bits | (whoBits[letter] ?? 0), 0);
  const anyExecute = (original & 0o111) !== 0;
  let bits = 0;
  for (const letter of perms) {
    if (letter === 'r') bits |= 0o444;
    if (letter === 'w') bits |= 0o222;
    if (letter === 'x' || (letter === 'X' && (isDirectory || anyExecute))) bits |= 0o111;
    if (letter === 't') bits |= 0o1000;
  }
  const affected = bits & scope;
  if (op === '+') return mode | affected;
  if (op === '-') return mode & ~affected;
  return (mode & ~(scope & 0o777)) | affected;
}

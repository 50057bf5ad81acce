// Byte counts as HDFS prints them (Hadoop's TraditionalBinaryPrefix.long2String):
// `ls -h` / `du -h` → `512`, `1 K`, `1.5 K`, `128 M`; dfsadmin → `976.56 KB`, `0 B`.
const prefixSymbols = ['K', 'M', 'G', 'T', 'P', 'E'] as const;

/** Hadoop's long2String(n, unit, decimalPlaces). */
export function longToPrefixedString(bytes: number, unit: string, decimalPlaces: number): string {
  if (bytes < 1024) return unit === '' ? String(bytes) : `${bytes} ${unit}`;
  let power = 1;
  while (power < prefixSymbols.length && bytes >= 1024 ** (power + 1)) power++;
  const exact = bytes % 1024 ** power === 0;
  let text = exact ? String(bytes / 1024 ** power) : (bytes / 1024 ** power).toFixed(decimalPlaces);
  // 1048575 bytes rounds to "1024.0 K": Hadoop moves up a prefix instead.
  if (!exact && text.startsWith('1024') && power < prefixSymbols.length) {
    power++;
    text = (bytes / 1024 ** power).toFixed(decimalPlaces);
  }
  return `${text} ${prefixSymbols[power - 1]}${unit}`;
}

/** `ls -h`, `du -h`, `df -h`, `count -h`. */
export function humanSize(bytes: number): string {
  return longToPrefixedString(bytes, '', 1);
}

/** `dfsadmin -report`'s bracketed sizes: Hadoop's StringUtils.byteDesc. */
export function byteDescription(bytes: number): string {
  return longToPrefixedString(bytes, 'B', 2);
}

/** A ratio as a percentage with `decimals` places, `0.00%` when there is no whole. */
export function percent(part: number, whole: number, decimals = 2): string {
  const value = whole > 0 ? (100 * part) / whole : 0;
  return `${value.toFixed(decimals)}%`;
}

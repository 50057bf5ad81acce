// Writing to the command's stdout: lines and JSON documents.
import type { Writable } from 'node:stream';

export function writeLines(out: Writable, lines: readonly string[]): void {
  if (lines.length > 0) out.write(`${lines.join('\n')}\n`);
}

/** JSON for scripts: indented so people can read it too. */
export function writeJson(out: Writable, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

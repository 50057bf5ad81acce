// The error every config problem is, and `-D key=value` splitting: apart from the schema
// (and zod) so the CLI parses its arguments and prints help without loading either.
import type { ConfigKey } from './schema.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Splits `key=value` as given to `-D`. */
export function parseDefine(text: string): [ConfigKey | string, string] {
  const index = text.indexOf('=');
  if (index <= 0) throw new ConfigError(`-D expects key=value, got ${JSON.stringify(text)}`);
  return [text.slice(0, index).trim(), text.slice(index + 1)];
}

// HDFS-style argument parsing: single-dash long options (`-ls -R`, `-safemode get`,
// `-D k=v`, `-fs URI`) that commander and friends do not model. Two steps: the generic
// options are pulled out wherever they appear, then each command parses the rest
// against its own small option table.
import { ConfigError, parseDefine } from '../config/define.js';

/** A mistake in how the command was called: exit 255 with a usage line, as HDFS does. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface GenericOptions {
  /** `--config FILE` (also Hadoop's `-conf FILE`). */
  configFile: string | undefined;
  /** `-D key=value` and `-fs URI`, in the order given (later wins). */
  defines: Record<string, string>;
}

export interface SplitArguments {
  generic: GenericOptions;
  /** Everything else, in order; a `--` and what follows it are kept untouched. */
  rest: string[];
}

/** Pulls `--config`, `-D` and `-fs` out of `argv` wherever they appear (before `--`). */
export function extractGenericOptions(argv: readonly string[]): SplitArguments {
  const generic: GenericOptions = { configFile: undefined, defines: {} };
  const rest: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index] as string;
    if (token === '--') {
      rest.push(...argv.slice(index));
      break;
    }
    const consumed = takeGenericOption(argv, index, generic);
    if (consumed === 0) rest.push(token);
    else index += consumed - 1;
  }
  return { generic, rest };
}

/** Returns how many tokens the generic option at `index` used, or 0 if it is not one. */
function takeGenericOption(argv: readonly string[], index: number, generic: GenericOptions): number {
  const token = argv[index] as string;
  const inline = /^(--config|-conf|-fs|--fs)=(.*)$/.exec(token);
  if (inline) {
    applyGeneric(inline[1] as string, inline[2] as string, generic);
    return 1;
  }
  if (token.startsWith('-D') && token.length > 2) {
    applyGeneric('-D', token.slice(2), generic);
    return 1;
  }
  if (!['--config', '-conf', '-fs', '--fs', '-D'].includes(token)) return 0;
  const value = argv[index + 1];
  if (value === undefined) throw new UsageError(`option ${token} needs a value`);
  applyGeneric(token, value, generic);
  return 2;
}

function applyGeneric(option: string, value: string, generic: GenericOptions): void {
  if (option === '--config' || option === '-conf') {
    generic.configFile = value;
  } else if (option === '-fs' || option === '--fs') {
    generic.defines['fs.defaultFS'] = value;
  } else {
    try {
      const [key, text] = parseDefine(value);
      generic.defines[key] = text;
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    }
  }
}

/** Turns generic options back into arguments, for the processes `tsdfs cluster` starts. */
export function genericOptionsToArgs(generic: GenericOptions): string[] {
  const args = generic.configFile === undefined ? [] : ['--config', generic.configFile];
  for (const [key, value] of Object.entries(generic.defines)) args.push('-D', `${key}=${value}`);
  return args;
}

export interface OptionTable {
  /** Options without a value, e.g. `-R`, `-h`, `--json`. */
  flags?: readonly string[];
  /** Options that take the next token as their value, e.g. `-safemode`, `--datanodes`. */
  valued?: readonly string[];
}

export interface ParsedArguments {
  flags: Set<string>;
  values: Map<string, string>;
  positionals: string[];
}

/**
 * Parses a command's own arguments. Options may come anywhere (HDFS wants them first, but
 * users type them last too); `--` ends options; a lone `-` is a positional (stdin/stdout);
 * `-rf` is accepted as `-r -f` when both are one-letter flags of the command.
 */
export function parseCommandArguments(args: readonly string[], table: OptionTable): ParsedArguments {
  const flags = new Set(table.flags ?? []);
  const valued = new Set(table.valued ?? []);
  const parsed: ParsedArguments = { flags: new Set(), values: new Map(), positionals: [] };
  for (let index = 0; index < args.length; index++) {
    const token = args[index] as string;
    if (token === '--') {
      parsed.positionals.push(...args.slice(index + 1));
      break;
    }
    if (!token.startsWith('-') || token === '-') {
      parsed.positionals.push(token);
    } else if (flags.has(token)) {
      parsed.flags.add(token);
    } else if (valued.has(token)) {
      index += 1;
      parsed.values.set(token, requireValue(token, args[index]));
    } else {
      takeCompoundOption(token, flags, valued, parsed);
    }
  }
  return parsed;
}

function requireValue(option: string, value: string | undefined): string {
  if (value === undefined) throw new UsageError(`option ${option} needs a value`);
  return value;
}

/** `--name=value` for valued options, or bundled one-letter flags such as `-rf`. */
function takeCompoundOption(token: string, flags: Set<string>, valued: Set<string>, parsed: ParsedArguments): void {
  const equals = token.indexOf('=');
  if (equals > 0 && valued.has(token.slice(0, equals))) {
    parsed.values.set(token.slice(0, equals), token.slice(equals + 1));
    return;
  }
  const letters = /^-[A-Za-z]{2,}$/.test(token) ? [...token.slice(1)].map((letter) => `-${letter}`) : [];
  if (letters.length > 0 && letters.every((letter) => flags.has(letter))) {
    for (const letter of letters) parsed.flags.add(letter);
    return;
  }
  throw new UsageError(`Illegal option ${token}`);
}

/** Checks the number of positionals; `max` undefined means any number. */
export function expectPositionals(parsed: ParsedArguments, min: number, max?: number): string[] {
  const count = parsed.positionals.length;
  if (count < min) throw new UsageError(count === 0 ? 'missing argument' : 'not enough arguments');
  if (max !== undefined && count > max) throw new UsageError(`too many arguments: ${parsed.positionals.slice(max).join(' ')}`);
  return parsed.positionals;
}

/** A whole number within bounds, for options such as `setrep N` or `--datanodes N`. */
export function parseIntegerArgument(text: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${what} must be a whole number, got ${JSON.stringify(text)}`);
  const value = Number(text);
  if (value < min || value > max) throw new UsageError(`${what} must be between ${min} and ${max}, got ${value}`);
  return value;
}

// Loading: defaults < tsdfs-site.json < environment (TSDFS_<KEY>) < -D key=value.
// Unknown keys and bad values stop start-up with the key's name in the message.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './define.js';
import { type Config, type ConfigKey, checkConfigRelations, configKeys, configValueSchema, defaultConfig } from './schema.js';

export { ConfigError, parseDefine } from './define.js';

export interface LoadConfigOptions {
  /** `--config FILE`; otherwise `$TSDFS_CONF_DIR/tsdfs-site.json`, then `./tsdfs-site.json`. */
  configFile?: string | undefined;
  /** `-D key=value` pairs, already split. */
  overrides?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** `dfs.namenode.name.dir` → `TSDFS_DFS_NAMENODE_NAME_DIR`. */
export function envNameOf(key: string): string {
  return `TSDFS_${key.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const raw: Record<string, unknown> = {};
  Object.assign(raw, readSiteFile(options, env));
  for (const key of configKeys) {
    const value = env[envNameOf(key)];
    if (value !== undefined) raw[key] = value;
  }
  Object.assign(raw, options.overrides ?? {});
  const config = parseConfig(raw);
  explicitKeys.set(config, new Set(Object.keys(raw)));
  return config;
}

/** The keys each loaded config got from a site file, the environment or `-D` (not defaults). */
const explicitKeys = new WeakMap<Config, ReadonlySet<string>>();

/**
 * Whether `key` was set by the user rather than left at its default. A client honours its
 * own `dfs.replication`/`dfs.blocksize` only when set, as HDFS's client config does;
 * otherwise the namenode's defaults apply. Configs not made by loadConfig count as unset.
 */
export function isExplicitlySet(config: Config, key: ConfigKey): boolean {
  return explicitKeys.get(config)?.has(key) ?? false;
}

export function parseConfig(raw: Record<string, unknown>): Config {
  const unknown = Object.keys(raw).filter((key) => !(configKeys as string[]).includes(key));
  if (unknown.length > 0) throw new ConfigError(`unknown config key ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);
  // Key by key, in the table's order (the first bad key is the one reported); a key not given
  // keeps its default without its schema being built.
  const config: Record<string, unknown> = defaultConfig();
  for (const key of configKeys) {
    if (raw[key] === undefined) continue;
    const result = configValueSchema(key).safeParse(raw[key]);
    if (!result.success) {
      throw new ConfigError(`bad value ${JSON.stringify(raw[key])} for config key ${key}: ${result.error.issues[0]?.message ?? 'invalid'}`);
    }
    config[key] = result.data;
  }
  const problems = checkConfigRelations(config as Config);
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
  return config as Config;
}

function readSiteFile(options: LoadConfigOptions, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const cwd = options.cwd ?? process.cwd();
  let file = options.configFile;
  if (file === undefined) {
    const candidates = [env.TSDFS_CONF_DIR ? join(env.TSDFS_CONF_DIR, 'tsdfs-site.json') : '', join(cwd, 'tsdfs-site.json')];
    file = candidates.find((candidate) => candidate !== '' && existsSync(candidate));
    if (file === undefined) return {};
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${file} must hold one flat JSON object of keys`);
  }
  return parsed as Record<string, unknown>;
}

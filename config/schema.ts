// Every configuration key of tsdfs (Hadoop names, so HDFS users feel at home), with its
// type, default and unit. Values arrive as strings (files, environment, -D) or JSON
// values; each key's schema turns them into the typed value or names what is wrong.
import { z } from 'zod';

const sizeSuffixes: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Bytes, with HDFS's suffixes: `128m`, `1g`, `512k`. */
export function parseSize(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)b?\s*$/i.exec(value);
  if (!match?.[1]) return Number.NaN;
  return Math.round(Number(match[1]) * (sizeSuffixes[(match[2] ?? '').toLowerCase()] ?? Number.NaN));
}

/**
 * One key: its parser, built only when a value for the key is given (the CLI's start-up then
 * builds two or three schemas, not the ~200 of every key), and its default.
 */
interface Setting<Parser extends z.ZodType> {
  parser: () => Parser;
  defaultValue: z.output<Parser>;
}

function setting<Parser extends z.ZodType>(parser: () => Parser, defaultValue: z.output<Parser>): Setting<Parser> {
  return { parser, defaultValue };
}

const sizeBytes = () =>
  z
    .union([z.number(), z.string()])
    .transform((value) => parseSize(value))
    .pipe(z.number({ message: 'expected a size such as 134217728, 128m or 1g' }).int().positive().max(Number.MAX_SAFE_INTEGER));
const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.union([z.number(), z.string().regex(/^\s*-?\d+\s*$/, 'expected an integer').transform(Number)]).pipe(z.number().int().min(min).max(max));
const decimal = (min: number, max: number) =>
  z.union([z.number(), z.string().regex(/^\s*-?\d+(\.\d+)?\s*$/, 'expected a number').transform(Number)]).pipe(z.number().min(min).max(max));
const boolean = () =>
  z.union([
    z.boolean(),
    z.enum(['true', 'false', 'TRUE', 'FALSE', 'True', 'False']).transform((value) => value.toLowerCase() === 'true'),
  ]);
const hostPort = () => z.string().regex(/^[^\s/:]+:\d{1,5}$/, 'expected host:port').refine((value) => Number(value.split(':')[1]) <= 65535, 'port out of range');
const optionalText = () => setting(() => z.string(), '');

const settings = {
  'fs.defaultFS': setting(() => z.string().regex(/^(tsdfs|hdfs|https?):\/\/[^\s/]+:\d{1,5}\/?$/, 'expected tsdfs://host:port'), 'tsdfs://127.0.0.1:9870'),
  'dfs.namenode.name.dir': setting(() => z.string().min(1), './data/name'),
  'dfs.namenode.http-address': setting(hostPort, '0.0.0.0:9870'),
  'dfs.datanode.data.dir': setting(() => z.string().min(1), './data/data'),
  'dfs.datanode.address': setting(hostPort, '0.0.0.0:9866'),
  /** The name the datanode advertises; empty means the host's name. */
  'dfs.datanode.hostname': optionalText(),
  'dfs.replication': setting(() => integer(1, 512), 3),
  'dfs.blocksize': setting(sizeBytes, 134217728),
  'dfs.bytes-per-checksum': setting(() => integer(16, 1024 * 1024), 512),
  /** Seconds. */
  'dfs.heartbeat.interval': setting(() => decimal(0.1, 3600), 3),
  'dfs.blockreport.intervalMsec': setting(() => integer(1000), 3600000),
  'dfs.namenode.heartbeat.recheck-interval': setting(() => integer(100), 300000),
  'dfs.namenode.stale.datanode.interval': setting(() => integer(100), 30000),
  'dfs.namenode.safemode.threshold-pct': setting(() => decimal(0, 1.5), 0.999),
  'dfs.namenode.safemode.extension': setting(() => integer(0), 30000),
  'dfs.namenode.replication.min': setting(() => integer(1, 512), 1),
  'dfs.namenode.redundancy.interval.seconds': setting(() => decimal(0.1, 3600), 3),
  'dfs.namenode.replication.max-streams': setting(() => integer(1, 1000), 2),
  'dfs.namenode.fs-limits.max-directory-items': setting(() => integer(1, 6400000), 1048576),
  /** UTF-8 bytes of one new name; 0 = only the wire's hard limit (255, which this may lower). */
  'dfs.namenode.fs-limits.max-component-length': setting(() => integer(0, 255), 255),
  /** Seconds after which the namenode closes a file whose writer stopped renewing (HDFS: 20 min). */
  'dfs.namenode.lease-hard-limit-sec': setting(() => decimal(1, 1e7), 1200),
  /** Milliseconds after which another writer may take over an unrenewed lease (HDFS: 60 s). */
  'tsdfs.lease.soft-limit.ms': setting(() => integer(100), 60000),
  'dfs.datanode.scan.period.hours': setting(() => decimal(0, 1e6), 504),
  /** Bytes a second the block scanner may read per volume (HDFS's default, 1 MiB/s); suffixes accepted. */
  'dfs.block.scanner.volume.bytes.per.second': setting(sizeBytes, 1048576),
  'dfs.datanode.du.reserved': setting(() => z.union([z.number(), z.string()]).transform((v) => parseSize(v)).pipe(z.number().int().min(0)), 0),
  'dfs.permissions.enabled': setting(boolean, true),
  'dfs.permissions.superusergroup': setting(() => z.string().min(1), 'supergroup'),
  /** HDFS's static user → groups overrides, before the OS's groups: `alice=staff,dev;bob=;`. */
  'hadoop.user.group.static.mapping.overrides': optionalText(),
  'dfs.umaskmode': setting(() => z.string().regex(/^[0-7]{3}$/, 'expected 3 octal digits'), '022'),
  'dfs.block.access.token.enable': setting(boolean, true),
  /** Minutes a block token lives (HDFS: 600); fractions allowed (tests). At most 600: keys roll every 10 h. */
  'dfs.block.access.token.lifetime': setting(() => decimal(0.001, 600), 600),
  'dfs.hosts.exclude': optionalText(),
  'net.topology.table.file.name': optionalText(),
  /** Empty means `<dfs.namenode.name.dir>/cluster.secret`. */
  'tsdfs.cluster.secret.file': optionalText(),
  'tsdfs.auth': setting(() => z.enum(['simple', 'token']), 'simple'),
  /**
   * PEM certificate (chain) and private key this node serves. Both set: the namenode and every
   * datanode speak HTTPS/WSS only (HDFS's dfs.http.policy=HTTPS_ONLY); neither: plain HTTP.
   */
  'tsdfs.tls.cert.file': optionalText(),
  'tsdfs.tls.key.file': optionalText(),
  /** PEM CA certificate(s) that peers' certificates are verified against; empty = Node's default CAs. */
  'tsdfs.tls.ca.file': optionalText(),
  'tsdfs.log.level': setting(() => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'),
};

export type ConfigKey = keyof typeof settings;
export type Config = { [Key in ConfigKey]: z.output<ReturnType<(typeof settings)[Key]['parser']>> };
export const configKeys = Object.keys(settings) as ConfigKey[];

/** Every key at its default. */
export function defaultConfig(): Config {
  const config: Record<string, unknown> = {};
  for (const key of configKeys) config[key] = settings[key].defaultValue;
  return config as Config;
}

/** The schema of one key's value (a new one each call: callers parse once). */
export function configValueSchema(key: ConfigKey): z.ZodType {
  return settings[key].parser();
}

/** Relations between keys, checked when the config loads (STYLE.md, rule 6). */
export function checkConfigRelations(config: Config): string[] {
  const problems: string[] = [];
  if (config['dfs.blocksize'] % config['dfs.bytes-per-checksum'] !== 0) {
    problems.push(`dfs.blocksize (${config['dfs.blocksize']}) must be a multiple of dfs.bytes-per-checksum (${config['dfs.bytes-per-checksum']})`);
  }
  if (config['dfs.replication'] < config['dfs.namenode.replication.min']) {
    problems.push('dfs.replication must be at least dfs.namenode.replication.min');
  }
  const heartbeatMs = config['dfs.heartbeat.interval'] * 1000;
  const staleMs = config['dfs.namenode.stale.datanode.interval'];
  if (staleMs < heartbeatMs) {
    problems.push('dfs.namenode.stale.datanode.interval must be at least one heartbeat interval');
  }
  if (staleMs >= deadNodeTimeoutMs(config)) {
    problems.push(`dfs.namenode.stale.datanode.interval (${staleMs} ms) must be shorter than the dead-node timeout (${deadNodeTimeoutMs(config)} ms)`);
  }
  if (config['tsdfs.lease.soft-limit.ms'] > config['dfs.namenode.lease-hard-limit-sec'] * 1000) {
    problems.push('tsdfs.lease.soft-limit.ms must not exceed dfs.namenode.lease-hard-limit-sec');
  }
  if ((config['tsdfs.tls.cert.file'] === '') !== (config['tsdfs.tls.key.file'] === '')) {
    const missing = config['tsdfs.tls.cert.file'] === '' ? 'tsdfs.tls.cert.file' : 'tsdfs.tls.key.file';
    problems.push(`${missing} is not set: tsdfs.tls.cert.file and tsdfs.tls.key.file go together (both for HTTPS, neither for HTTP)`);
  }
  return problems;
}

/** HDFS's rule: dead after 2 × recheck interval + 10 × heartbeat interval. */
export function deadNodeTimeoutMs(config: Config): number {
  return 2 * config['dfs.namenode.heartbeat.recheck-interval'] + 10 * config['dfs.heartbeat.interval'] * 1000;
}

/** The namenode's address from `fs.defaultFS` (`tsdfs://host:port`) as an HTTP(S) base URL. */
export function namenodeUrl(config: Config): string {
  const match = /^[a-z]+:\/\/([^/]+)\/?$/.exec(config['fs.defaultFS']);
  if (!match?.[1]) throw new Error(`bad fs.defaultFS ${config['fs.defaultFS']}`);
  return `${schemeOf(config['fs.defaultFS'], config)}://${match[1]}`;
}

/** The nodes of a cluster speak TLS, all of them, or none does. */
export function serverTlsEnabled(config: Config): boolean {
  return config['tsdfs.tls.cert.file'] !== '' && config['tsdfs.tls.key.file'] !== '';
}

/**
 * How a client (the CLI, DfsClient, a datanode calling the namenode or a peer) talks to a
 * cluster at `address`: an explicit `https://` or `http://` wins; a `tsdfs://` or `hdfs://`
 * address means HTTPS when this config has any TLS key (a CA to verify against, or a
 * certificate of its own, as on the cluster's hosts), plain HTTP otherwise.
 */
export function schemeOf(address: string, config: Config): 'http' | 'https' {
  if (/^https:\/\//i.test(address)) return 'https';
  if (/^http:\/\//i.test(address)) return 'http';
  return serverTlsEnabled(config) || config['tsdfs.tls.ca.file'] !== '' ? 'https' : 'http';
}

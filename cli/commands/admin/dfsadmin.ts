// `dfsadmin -report | -safemode ... | -refreshNodes | -printTopology | -issueToken USER`:
// cluster administration, with HDFS's text layouts and `--json` for scripts.
import { ClusterSecretError, clusterSecretFilePath, readClusterSecret } from '../../../protocol/auth.js';
import { defaultUserTokenDays, issueUserToken, maxUserTokenDays } from '../../../protocol/user-token.js';
import { type ParsedArguments, UsageError, parseCommandArguments } from '../../args.js';
import type { CommandIo, CommandRun } from '../../command.js';
import { type ReportSection, formatReport } from '../../format/report.js';
import { ShellError } from '../../shell/errors.js';
import { formatTopology } from '../../format/topology.js';
import { writeJson, writeLines } from '../../shell/output.js';
import { pauseUnlessStopped } from '../../shell/polling.js';

/** How often `-safemode wait` asks again. */
const safeModePollMs = 1000;
const sectionFlags: Record<string, ReportSection> = { '-live': 'live', '-dead': 'dead', '-decommissioning': 'decommissioning' };
const actions = ['-report', '-safemode', '-refreshNodes', '-printTopology', '-issueToken'] as const;

export const runDfsadmin: CommandRun = async (args, io) => {
  const parsed = parseCommandArguments(args, {
    flags: ['-report', '-refreshNodes', '-printTopology', '--json', ...Object.keys(sectionFlags)],
    valued: ['-safemode', '-issueToken', '-expiry'],
  });
  const chosen = actions.filter((action) => parsed.flags.has(action) || parsed.values.has(action));
  if (chosen.length !== 1) throw new UsageError(chosen.length === 0 ? 'no command given' : `choose one of ${chosen.join(', ')}`);
  if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
  switch (chosen[0]) {
    case '-report': return report(io, parsed);
    case '-safemode': return safeMode(io, parsed.values.get('-safemode') as string);
    case '-refreshNodes': return refreshNodes(io, parsed.flags.has('--json'));
    case '-printTopology': return printTopology(io, parsed.flags.has('--json'));
    case '-issueToken': return issueToken(io, parsed.values.get('-issueToken') as string, parsed.values.get('-expiry'));
    default: throw new UsageError(`unknown action ${String(chosen[0])}`);
  }
};

async function report(io: CommandIo, parsed: ParsedArguments): Promise<void> {
  const requested = Object.entries(sectionFlags).filter(([flag]) => parsed.flags.has(flag)).map(([, section]) => section);
  const type = requested.length === 1 ? (requested[0] as ReportSection) : 'all';
  const client = await io.client();
  const result = await client.rpc('datanodeReport', { type });
  if (parsed.flags.has('--json')) return writeJson(io.stdout, result);
  const sections: ReportSection[] = requested.length > 0 ? requested : ['live', 'dead', 'decommissioning'];
  writeLines(io.stdout, formatReport(result, sections, Date.now()));
}

async function safeMode(io: CommandIo, action: string): Promise<void> {
  if (action !== 'get' && action !== 'enter' && action !== 'leave' && action !== 'wait') {
    throw new UsageError(`-safemode expects get, enter, leave or wait, got ${JSON.stringify(action)}`);
  }
  const client = await io.client();
  if (action !== 'wait') {
    const { safeMode: on } = await client.rpc('setSafeMode', { action });
    io.stdout.write(`Safe mode is ${on ? 'ON' : 'OFF'}\n`);
    return;
  }
  while ((await client.rpc('setSafeMode', { action: 'get' })).safeMode) {
    if (!(await pauseUnlessStopped(io, safeModePollMs))) throw new ShellError('interrupted while waiting for safe mode to end');
  }
  io.stdout.write('Safe mode is OFF\n');
}

async function refreshNodes(io: CommandIo, json: boolean): Promise<void> {
  const client = await io.client();
  const result = await client.rpc('refreshNodes', {});
  if (json) return writeJson(io.stdout, result);
  for (const change of result.changes) io.stdout.write(`${change.name}: ${change.from} -> ${change.to}\n`);
  io.stdout.write('Refresh nodes successful\n');
}

async function printTopology(io: CommandIo, json: boolean): Promise<void> {
  const client = await io.client();
  const topology = await client.rpc('printTopology', {});
  if (json) return writeJson(io.stdout, topology);
  writeLines(io.stdout, formatTopology(topology));
}

/** Local only: signs with the cluster secret, so it needs no namenode and no token itself. */
function issueToken(io: CommandIo, user: string, expiry: string | undefined): void {
  if (!/^[^\s:/\0]{1,256}$/.test(user)) throw new UsageError(`-issueToken expects a user name, got ${JSON.stringify(user)}`);
  const days = expiry === undefined ? defaultUserTokenDays : Number(expiry);
  if (!Number.isFinite(days) || days <= 0 || days > maxUserTokenDays) {
    throw new UsageError(`-expiry expects a number of days in (0, ${maxUserTokenDays}], got ${JSON.stringify(expiry)}`);
  }
  const file = clusterSecretFilePath(io.config['tsdfs.cluster.secret.file'], io.config['dfs.namenode.name.dir']);
  let secret: Buffer;
  try {
    secret = readClusterSecret(file);
  } catch (error) {
    if (error instanceof ClusterSecretError) throw new ShellError(error.message);
    throw error;
  }
  io.stdout.write(`${issueUserToken(secret, user, Date.now(), days)}\n`);
}

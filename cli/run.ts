// The runner behind `tsdfs`: generic options, config, dispatch to one command, and the
// exit code (0 ok, 1 failure with one `<cmd>: <message>` line, 255 usage error).
// Kept apart from main.ts so tests run the whole CLI in-process.
// Start-up cost is paid by every command a script runs: help and usage errors load no zod,
// no config schema and no command code; a command loads the config and its own module only.
import type { Readable, Writable } from 'node:stream';
import type { Config } from '../config/index.js';
import { ConfigError } from '../config/define.js';
import { UsageError, extractGenericOptions, type GenericOptions } from './args.js';
import type { Command, CommandIo } from './command.js';
import { commands, findCommand } from './commands/index.js';
import { commandHelp, generalHelp, usageLine } from './help.js';
import type { ShellClient } from './shell/client.js';

export interface CliEnvironment {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stderrIsTerminal: boolean;
  /** Defaults to the real DfsClient; tests pass a fake. */
  createClient?: (config: Config, env: NodeJS.ProcessEnv) => Promise<ShellClient>;
  /** Defaults to waiting for SIGINT/SIGTERM/SIGHUP. */
  shutdownRequested?: () => Promise<string>;
}

export const exitUsage = 255;
const helpWords = new Set(['help', '-h', '--help', '-help']);

interface Dispatch {
  command: Command;
  invokedAs: string;
  args: string[];
}

export async function runCli(argv: readonly string[], environment: CliEnvironment): Promise<number> {
  let generic: GenericOptions;
  let rest: string[];
  try {
    ({ generic, rest } = extractGenericOptions(argv));
  } catch (error) {
    environment.stderr.write(`tsdfs: ${(error as Error).message}\nRun "tsdfs help" for usage.\n`);
    return exitUsage;
  }
  const [first, ...others] = rest;
  if (first === undefined || helpWords.has(first)) return printHelp(environment, others[0]);
  // HDFS's `hdfs dfs -help ls` and `-usage ls`.
  if ((first === 'dfs' || first === 'fs') && (helpWords.has(others[0] ?? '') || others[0] === '-usage')) return printHelp(environment, others[1]);
  const dispatch = chooseCommand(first, others);
  if (typeof dispatch === 'string') {
    environment.stderr.write(`${dispatch}\nRun "tsdfs help" for the list of commands.\n`);
    return exitUsage;
  }
  if (dispatch.args.some((arg) => arg === '--help' || arg === '-help')) return printHelp(environment, dispatch.command.name);
  return runCommand(dispatch, generic, environment);
}

function printHelp(environment: CliEnvironment, topic: string | undefined): number {
  const subject = topic === 'dfs' || topic === 'fs' ? undefined : topic;
  const command = subject === undefined ? undefined : findCommand(subject.replace(/^-/, ''));
  if (subject !== undefined && command === undefined) {
    environment.stderr.write(`tsdfs: no help for unknown command '${subject}'\n`);
    return exitUsage;
  }
  environment.stdout.write(command ? commandHelp(command) : generalHelp(commands));
  return 0;
}

/** `tsdfs ls …`, `tsdfs dfs -ls …` (also `fs`), or an error message for an unknown name. */
function chooseCommand(first: string, others: string[]): Dispatch | string {
  if (first === 'dfs' || first === 'fs') {
    const [shellName, ...args] = others;
    if (shellName === undefined) return `tsdfs ${first}: missing command, e.g. tsdfs ${first} -ls /`;
    const command = findCommand(shellName.replace(/^-/, ''));
    if (!command || command.kind !== 'shell') return `${shellName}: Unknown command`;
    return { command, invokedAs: shellName.replace(/^-/, ''), args };
  }
  const name = first.replace(/^-(?=[a-zA-Z])/, '');
  const command = findCommand(name);
  if (!command || (name !== first && command.kind !== 'shell')) return `tsdfs: unknown command '${first}'`;
  return { command, invokedAs: name, args: others };
}

async function runCommand(dispatch: Dispatch, generic: GenericOptions, environment: CliEnvironment): Promise<number> {
  const { command, invokedAs } = dispatch;
  let client: Promise<ShellClient> | undefined;
  let config: Config;
  try {
    const { loadConfig } = await import('../config/load.js');
    config = loadConfig({ configFile: generic.configFile, overrides: generic.defines, env: environment.env, cwd: environment.cwd });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    environment.stderr.write(`${invokedAs}: ${error.message}\n`);
    return 1;
  }
  const io: CommandIo = {
    stdin: environment.stdin,
    stdout: environment.stdout,
    stderr: environment.stderr,
    stderrIsTerminal: environment.stderrIsTerminal,
    env: environment.env,
    cwd: environment.cwd,
    config,
    generic,
    invokedAs,
    client: () => (client ??= (environment.createClient ?? createDfsClient)(config, environment.env)),
    shutdownRequested: environment.shutdownRequested ?? processShutdownRequested,
  };
  try {
    const run = await command.load();
    return (await run(dispatch.args, io)) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      environment.stderr.write(`${invokedAs}: ${error.message}\n${usageLine(command, invokedAs)}\n`);
      return exitUsage;
    }
    const { reportFailure } = await import('./shell/paths.js');
    reportFailure(io, error);
    return 1;
  } finally {
    if (client) await closeQuietly(client);
  }
}

/** The real client, its module (and client-lib) loaded on first use. */
async function createDfsClient(config: Config, env: NodeJS.ProcessEnv): Promise<ShellClient> {
  return (await import('./shell/client.js')).createDfsClient(config, env);
}

async function closeQuietly(client: Promise<ShellClient>): Promise<void> {
  try {
    await (await client).close();
  } catch {
    // Closing is best effort: the command's outcome is already decided.
  }
}

let shutdownSignal: Promise<string> | undefined;

/** Resolves on the first SIGINT/SIGTERM/SIGHUP; a second one gets the default action. */
function processShutdownRequested(): Promise<string> {
  shutdownSignal ??= new Promise((resolve) => {
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    const onSignal = (signal: NodeJS.Signals): void => {
      for (const other of signals) process.off(other, onSignal);
      resolve(signal);
    };
    for (const signal of signals) process.on(signal, onSignal);
  });
  return shutdownSignal;
}

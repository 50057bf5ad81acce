// What every `tsdfs` command is (STYLE.md rule 12): a name, its help, and `run(args, io)`
// writing only to the streams in `io`, so tests drive commands in-process. The name and help
// live in the command table; `run` in the command's own file, imported when it runs.
import type { Readable, Writable } from 'node:stream';
import type { Config } from '../config/index.js';
import type { GenericOptions } from './args.js';
import type { ShellClient } from './shell/client.js';

export interface CommandIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Whether stderr is a terminal: progress bars are drawn only then. */
  stderrIsTerminal: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  config: Config;
  /** The generic options as given, so `cluster` can hand them to its children. */
  generic: GenericOptions;
  /** The name the command was called by (`copyToLocal`, `get`), prefixing error lines. */
  invokedAs: string;
  /** The filesystem client, made on first use and closed by the runner. */
  client(): Promise<ShellClient>;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); servers wait on it. */
  shutdownRequested(): Promise<string>;
}

/** Where a command shows up: shell commands are also `tsdfs dfs -<name>`. */
export type CommandKind = 'shell' | 'admin' | 'server';

/** Runs a command; returns the exit code (0 when nothing is returned). Throws to fail with exit 1. */
export type CommandRun = (args: string[], io: CommandIo) => Promise<number | void>;

/** What `tsdfs help` and the dispatcher know of a command without loading its code. */
export interface CommandSpec {
  name: string;
  /** Other names, e.g. `copyToLocal` for `get`. */
  aliases?: readonly string[];
  kind: CommandKind;
  /** The arguments part of the usage line: `[-f] <localsrc> ... <dst>`. */
  usage: string;
  /** One or more lines describing the command. */
  help: string;
}

/**
 * A command of the table (commands/index.ts): its spec, and its code loaded only when it
 * runs, so `tsdfs ls` never loads the servers, the writer or another command's helpers.
 */
export interface Command extends CommandSpec {
  load(): Promise<CommandRun>;
}

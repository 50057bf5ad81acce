// `tsdfs help`, `tsdfs help <cmd>`, `tsdfs <cmd> --help` and usage lines.
import type { CommandSpec } from './command.js';

export const genericOptionsHelp = `Generic options (anywhere on the line):
  --config FILE      read settings from FILE instead of tsdfs-site.json
  -D key=value       set a config key (repeatable), e.g. -D dfs.replication=2
  -fs URI            the namenode to use, short for -D fs.defaultFS=URI`;

export function usageLine(command: CommandSpec, invokedAs = command.name): string {
  return `Usage: tsdfs ${invokedAs}${command.usage ? ` ${command.usage}` : ''}`;
}

export function commandHelp(command: CommandSpec): string {
  const aliases = command.aliases?.length ? `\nAlso: ${command.aliases.join(', ')}` : '';
  const shell = command.kind === 'shell' ? `\nAlso as: tsdfs dfs -${command.name}` : '';
  return `${usageLine(command)}\n${command.help}${aliases}${shell}\n\n${genericOptionsHelp}\n`;
}

const sectionTitles = { shell: 'File shell (also as tsdfs dfs -<command>):', admin: 'Administration:', server: 'Servers:' } as const;

export function generalHelp(commands: readonly CommandSpec[]): string {
  const width = Math.max(...commands.map((command) => command.name.length)) + 2;
  const sections = (Object.keys(sectionTitles) as (keyof typeof sectionTitles)[]).map((kind) => {
    const lines = commands
      .filter((command) => command.kind === kind)
      .map((command) => `  ${command.name.padEnd(width)}${(command.help.split('\n')[0] ?? '').trim()}`);
    return `${sectionTitles[kind]}\n${lines.join('\n')}`;
  });
  return `Usage: tsdfs <command> [options] [generic options]

tsdfs is an HDFS-like distributed file system. Paths are absolute, relative to
/user/<you>, or tsdfs://host:port/path.

${sections.join('\n\n')}

${genericOptionsHelp}

Exit codes: 0 success, 1 failure, 255 usage error. TSDFS_DEBUG=1 prints stack traces.
Run "tsdfs help <command>" for a command's options. Start a local cluster with "npm start".
`;
}

// `chown [-R] OWNER[:GROUP] <path> ...` and `chgrp [-R] GROUP <path> ...` (superuser only
// for the owner, as in HDFS: the namenode decides).
import { UsageError, expectPositionals, parseCommandArguments } from '../../args.js';
import type { CommandIo, CommandRun } from '../../command.js';
import { forEachArgument, requireStatus, shellPath, walkTree } from '../../shell/paths.js';

const namePattern = /^[^\s:/]+$/;

export function parseOwnerSpec(spec: string): { owner?: string; group?: string } {
  const [owner, group, ...extra] = spec.split(':');
  const result = { ...(owner ? { owner } : {}), ...(group ? { group } : {}) };
  const valid = extra.length === 0 && (result.owner ?? result.group) !== undefined && [result.owner, result.group].every((name) => name === undefined || namePattern.test(name));
  if (!valid) throw new UsageError(`'${spec}' does not match expected pattern for [owner][:group].`);
  return result;
}

async function changeOwnership(io: CommandIo, args: string[], toSpec: (text: string) => { owner?: string; group?: string }): Promise<number> {
  const parsed = parseCommandArguments(args, { flags: ['-R'] });
  const positionals = expectPositionals(parsed, 2);
  const { owner, group } = toSpec(positionals[0] as string);
  const client = await io.client();
  return forEachArgument(io, positionals.slice(1), async (typed) => {
    const root = shellPath(client, typed);
    const rootStatus = await requireStatus(client, root);
    if (!parsed.flags.has('-R')) {
      await client.chown(root.absolute, owner, group);
      return;
    }
    for await (const entry of walkTree(client, root, rootStatus)) await client.chown(entry.path.absolute, owner, group);
  });
}

export const runChown: CommandRun = (args, io) => changeOwnership(io, args, parseOwnerSpec);

export const runChgrp: CommandRun = (args, io) => changeOwnership(io, args, (group) => parseOwnerSpec(`:${group}`));

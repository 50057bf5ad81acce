// `chmod [-R] <MODE> <path> ...`: octal (755, 1777) or symbolic (u+x, go-w, a=rX, +t).
import { UsageError, expectPositionals, parseCommandArguments } from '../../args.js';
import type { CommandRun } from '../../command.js';
import { applyChmodMode, octalString } from '../../format/permission.js';
import { forEachArgument, requireStatus, shellPath, walkTree } from '../../shell/paths.js';

export const runChmod: CommandRun = async (args, io) => {
  const parsed = parseCommandArguments(args, { flags: ['-R'] });
  const positionals = expectPositionals(parsed, 2);
  const mode = positionals[0] as string;
  if (applyChmodMode(mode, 0o644, false) === undefined) throw new UsageError(`chmod : mode '${mode}' does not match the expected pattern.`);
  const client = await io.client();
  return forEachArgument(io, positionals.slice(1), async (typed) => {
    const root = shellPath(client, typed);
    const rootStatus = await requireStatus(client, root);
    const entries = parsed.flags.has('-R') ? walkTree(client, root, rootStatus) : single(root, rootStatus);
    for await (const { path, status } of entries) {
      const current = Number.parseInt(status.permission, 8);
      const next = applyChmodMode(mode, current, status.type === 'directory') as number;
      if (next !== current) await client.chmod(path.absolute, octalString(next));
    }
  });
};

async function* single<T, S>(path: T, status: S): AsyncGenerator<{ path: T; status: S }> {
  yield { path, status };
}

// `ls [-R] [-h] [-d] [--json] [<path> ...]`: HDFS's listing layout, or DESIGN.md's JSON.
import { parseCommandArguments } from '../../args.js';
import type { CommandIo, CommandRun } from '../../command.js';
import { type ListingEntry, formatListing, statusJson } from '../../format/listing.js';
import type { ShellClient } from '../../shell/client.js';
import { writeJson, writeLines } from '../../shell/output.js';
import { type ShellPath, childPath, entryName, forEachArgument, requireStatus, shellPath, walkTree } from '../../shell/paths.js';

interface ListOptions {
  recursive: boolean;
  human: boolean;
  directoryItself: boolean;
}

export const runLs: CommandRun = async (args, io) => {
  const parsed = parseCommandArguments(args, { flags: ['-R', '-r', '-h', '-d', '--json'] });
  const options: ListOptions = {
    recursive: parsed.flags.has('-R') || parsed.flags.has('-r'),
    human: parsed.flags.has('-h'),
    directoryItself: parsed.flags.has('-d'),
  };
  const client = await io.client();
  const paths = parsed.positionals.length > 0 ? parsed.positionals : ['.'];
  if (parsed.flags.has('--json')) return listAsJson(io, client, paths, options);
  return forEachArgument(io, paths, async (typed) => {
    const path = shellPath(client, typed);
    const status = await requireStatus(client, path);
    if (status.type === 'file' || options.directoryItself) writeLines(io.stdout, formatListing([{ status, shown: path.shown }], options));
    else await listDirectory(io, client, path, options);
  });
};

async function childrenOf(client: ShellClient, directory: ShellPath): Promise<ListingEntry[]> {
  const entries: ListingEntry[] = [];
  for await (const status of client.list(directory.absolute)) {
    entries.push({ status, shown: childPath(directory, entryName(status)).shown });
  }
  return entries;
}

/** One directory's entries as one batch (columns sized together), subtrees after each. */
async function listDirectory(io: CommandIo, client: ShellClient, directory: ShellPath, options: ListOptions): Promise<void> {
  const entries = await childrenOf(client, directory);
  if (!options.recursive && entries.length > 0) io.stdout.write(`Found ${entries.length} items\n`);
  const lines = formatListing(entries, options);
  for (const [index, entry] of entries.entries()) {
    io.stdout.write(`${lines[index]}\n`);
    if (options.recursive && entry.status.type === 'directory') {
      await listDirectory(io, client, childPath(directory, entryName(entry.status)), options);
    }
  }
}

async function listAsJson(io: CommandIo, client: ShellClient, paths: string[], options: ListOptions): Promise<number> {
  const statuses: Record<string, unknown>[] = [];
  const exitCode = await forEachArgument(io, paths, async (typed) => {
    const path = shellPath(client, typed);
    const status = await requireStatus(client, path);
    if (status.type === 'file' || options.directoryItself) {
      statuses.push(statusJson(status, path.absolute));
    } else if (options.recursive) {
      for await (const entry of walkTree(client, path, status)) {
        if (entry.path !== path) statuses.push(statusJson(entry.status, entry.path.absolute));
      }
    } else {
      for await (const child of client.list(path.absolute)) statuses.push(statusJson(child, childPath(path, entryName(child)).absolute));
    }
  });
  writeJson(io.stdout, statuses);
  return exitCode;
}

// A user's groups as HDFS's default mapping sees them: the namenode host's OS groups (the
// primary group from /etc/passwd plus the supplementary ones from /etc/group). HDFS spawns
// `id -Gn user`; reading the two files once and caching them for a short while costs no
// process per request. Users unknown to the OS have no groups. HDFS's
// `hadoop.user.group.static.mapping.overrides` (`alice=staff,dev;bob=;`) takes precedence.
import { readFileSync } from 'node:fs';

/** How long the parsed OS files are trusted (HDFS caches groups for 300 s; shorter here). */
export const groupCacheRefreshMs = 60_000;

export type GroupLookup = (user: string) => readonly string[];

/** `alice=staff,dev;bob=;` → alice: [staff, dev], bob: []. Blank entries are ignored. */
export function parseStaticGroupMapping(text: string): Map<string, string[]> {
  const mapping = new Map<string, string[]>();
  for (const entry of text.split(';')) {
    const separator = entry.indexOf('=');
    if (separator <= 0) continue;
    const user = entry.slice(0, separator).trim();
    const groups = entry
      .slice(separator + 1)
      .split(',')
      .map((group) => group.trim())
      .filter((group) => group !== '');
    if (user !== '') mapping.set(user, groups);
  }
  return mapping;
}

/** Parses passwd + group files into user → groups (primary first, no duplicates). */
export function parseOsGroups(passwdText: string, groupText: string): Map<string, string[]> {
  const groupNameById = new Map<string, string>();
  const members = new Map<string, string[]>();
  for (const line of groupText.split('\n')) {
    const [name, , gid, memberList] = line.trim().split(':');
    if (!name || gid === undefined || line.startsWith('#')) continue;
    groupNameById.set(gid, name);
    for (const member of (memberList ?? '').split(',')) {
      const user = member.trim();
      if (user === '') continue;
      members.set(user, [...(members.get(user) ?? []), name]);
    }
  }
  const result = new Map<string, string[]>();
  for (const line of passwdText.split('\n')) {
    const [user, , , gid] = line.trim().split(':');
    if (!user || gid === undefined || line.startsWith('#')) continue;
    const primary = groupNameById.get(gid);
    result.set(user, unique([...(primary ? [primary] : []), ...(members.get(user) ?? [])]));
  }
  // Members of a group who have no passwd line (LDAP and the like) still get their groups.
  for (const [user, groups] of members) if (!result.has(user)) result.set(user, unique(groups));
  return result;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

export interface OsGroupOptions {
  staticMapping?: string;
  readFile?: (path: string) => string;
  clock?: () => number;
  refreshMs?: number;
}

/** The lookup the namenode uses: static overrides, then the cached OS files. */
export function osGroupLookup(options: OsGroupOptions = {}): GroupLookup {
  const overrides = parseStaticGroupMapping(options.staticMapping ?? '');
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const clock = options.clock ?? Date.now;
  const refreshMs = options.refreshMs ?? groupCacheRefreshMs;
  let cache: Map<string, string[]> = new Map();
  let loadedAt = Number.NEGATIVE_INFINITY;
  const load = (): void => {
    const now = clock();
    if (now - loadedAt < refreshMs) return;
    loadedAt = now;
    try {
      cache = parseOsGroups(readSafely(readFile, '/etc/passwd'), readSafely(readFile, '/etc/group'));
    } catch {
      cache = new Map();
    }
  };
  return (user) => {
    const fixed = overrides.get(user);
    if (fixed !== undefined) return fixed;
    load();
    return cache.get(user) ?? [];
  };
}

function readSafely(readFile: (path: string) => string, path: string): string {
  try {
    return readFile(path);
  } catch {
    return '';
  }
}

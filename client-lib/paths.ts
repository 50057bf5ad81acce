// Turns what a user types into the namespace path the namenode expects: full URIs lose
// their scheme and authority, relative paths land under the user's home directory.
import { normalizePath } from '../protocol/paths.js';

const uriPattern = /^(?:tsdfs|hdfs|https?):\/\/[^/]*(\/.*)?$/;

/** HDFS's home directory convention. */
export function homeDirectoryOf(user: string): string {
  return `/user/${user}`;
}

/**
 * `tsdfs://h:p/x` → `/x`; `x` → `<home>/x`; then validated by `normalizePath`. In a relative
 * path `.` and `..` are resolved as a shell would, so `tsdfs ls ..` works; absolute paths
 * must already be clean, as the namenode will check them the same way.
 */
export function resolveDfsPath(path: string, home: string): string {
  const uri = uriPattern.exec(path);
  if (uri) return normalizePath(uri[1] ?? '/');
  if (path.startsWith('/')) return normalizePath(path);
  return normalizePath(joinRelative(home, path));
}

function joinRelative(base: string, relative: string): string {
  const components = base === '/' ? [] : base.slice(1).split('/');
  for (const component of relative.split('/')) {
    if (component === '' || component === '.') continue;
    if (component === '..') components.pop();
    else components.push(component);
  }
  return `/${components.join('/')}`;
}

/** `tsdfs://host:port`, `hdfs://…`, `http://…` or `https://…` → `<scheme>://host:port`. */
export function namenodeHttpBase(address: string, scheme: 'http' | 'https' = 'http'): string | null {
  const match = /^(?:tsdfs|hdfs|https?):\/\/([^\s/]+:\d{1,5})\/?$/.exec(address.trim());
  return match?.[1] ? `${scheme}://${match[1]}` : null;
}

// The `dfs.hosts.exclude` list (pure parsing and matching): one datanode per line, as
// `host:port` or a bare host (name or IP), `#` comments; a listed datanode is decommissioned.
import type { DatanodeDescriptor } from './datanode-manager.js';

export interface ExcludeList {
  /** `host:port` entries and bare hosts, as written. */
  readonly entries: ReadonlySet<string>;
}

export const emptyExcludeList: ExcludeList = { entries: new Set() };

export function parseExcludeList(text: string): ExcludeList {
  const entries = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    for (const word of line.replace(/#.*/, '').trim().split(/[\s,]+/)) if (word !== '') entries.add(word.toLowerCase());
  }
  return { entries };
}

function plainAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

export function isExcluded(list: ExcludeList, node: Pick<DatanodeDescriptor, 'hostname' | 'ipAddress' | 'dataPort'>): boolean {
  if (list.entries.size === 0) return false;
  const hosts = [node.hostname.toLowerCase(), plainAddress(node.ipAddress).toLowerCase()].filter((host) => host !== '');
  return hosts.some((host) => list.entries.has(host) || list.entries.has(`${host}:${node.dataPort}`));
}

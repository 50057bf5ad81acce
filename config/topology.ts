// The rack topology table (`net.topology.table.file.name`): lines `host-or-ip /rack`.
import { readFileSync } from 'node:fs';

export const defaultRack = '/default-rack';

export type RackTable = ReadonlyMap<string, string>;

export function parseRackTable(text: string, source = 'topology table'): Map<string, string> {
  const table = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, index) => {
    const content = line.replace(/#.*/, '').trim();
    if (content === '') return;
    const [host, rack, ...rest] = content.split(/\s+/);
    if (!host || !rack || rest.length > 0 || !rack.startsWith('/')) {
      throw new Error(`${source} line ${index + 1}: expected "host-or-ip /rack", got ${JSON.stringify(line)}`);
    }
    table.set(host, rack);
  });
  return table;
}

export function loadRackTable(file: string): Map<string, string> {
  if (file === '') return new Map();
  return parseRackTable(readFileSync(file, 'utf8'), file);
}

/** Rack of a datanode: by `host:port`, then host name, then IP, then the default rack. */
export function rackOf(table: RackTable, name: string, hostname: string, ip = ''): string {
  return table.get(name) ?? table.get(hostname) ?? (ip ? table.get(ip) : undefined) ?? defaultRack;
}

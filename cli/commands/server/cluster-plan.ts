// What `tsdfs cluster` starts, worked out without I/O: each child's arguments. The user's
// generic options go first and the launcher's own -D settings last, so a directory,
// port or address the launcher must control always wins.
import { isAbsolute, join, resolve } from 'node:path';
import type { Config } from '../../../config/index.js';
import { clusterSecretFilePath } from '../../../protocol/auth.js';
import { type GenericOptions, genericOptionsToArgs } from '../../args.js';

/** Loopback only: a mini-cluster is for one machine. */
export const clusterHost = '127.0.0.1';

export interface ClusterLayout {
  dir: string;
  nameDir: string;
  logDir: string;
  datanodeCount: number;
  /** The namenode's port; 0 lets it pick one (read back from its "listening on" line). */
  namenodePort: number;
  /** The cluster secret the namenode reads (configured, or in the name dir) and every datanode is given. */
  clusterSecretFile: string;
}

export function planClusterLayout(config: Config, generic: GenericOptions, dir: string, datanodeCount: number): ClusterLayout {
  const nameDir = join(dir, 'name');
  const clusterSecretFile = clusterSecretFilePath(config['tsdfs.cluster.secret.file'], nameDir);
  return { dir, nameDir, logDir: join(dir, 'logs'), datanodeCount, namenodePort: namenodePortOf(config, generic), clusterSecretFile };
}

/** From `-D dfs.namenode.http-address` when given, else from fs.defaultFS (default 9870). */
export function namenodePortOf(config: Config, generic: GenericOptions): number {
  const explicit = generic.defines['dfs.namenode.http-address'];
  const address = explicit ?? config['fs.defaultFS'].replace(/^[a-z]+:\/\//, '').replace(/\/$/, '');
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

function defines(settings: Record<string, string>): string[] {
  return Object.entries(settings).flatMap(([key, value]) => ['-D', `${key}=${value}`]);
}

/** The user's options, with --config made absolute for children started elsewhere. */
function inheritedArgs(generic: GenericOptions, cwd: string): string[] {
  const configFile = generic.configFile === undefined || isAbsolute(generic.configFile) ? generic.configFile : resolve(cwd, generic.configFile);
  return genericOptionsToArgs({ configFile, defines: generic.defines });
}

function namenodeSettings(layout: ClusterLayout): Record<string, string> {
  return {
    'dfs.namenode.name.dir': layout.nameDir,
    'dfs.namenode.http-address': `${clusterHost}:${layout.namenodePort}`,
    'fs.defaultFS': `tsdfs://${clusterHost}:${layout.namenodePort}`,
  };
}

export function formatArgs(layout: ClusterLayout, generic: GenericOptions, cwd: string): string[] {
  return ['namenode', '-format', ...inheritedArgs(generic, cwd), ...defines(namenodeSettings(layout))];
}

export function namenodeArgs(layout: ClusterLayout, generic: GenericOptions, cwd: string): string[] {
  return ['namenode', ...inheritedArgs(generic, cwd), ...defines(namenodeSettings(layout))];
}

/** Datanode `index` (1-based) of a cluster whose namenode listens on `namenodeAddress`. */
export function datanodeArgs(layout: ClusterLayout, generic: GenericOptions, cwd: string, index: number, namenodeAddress: string): string[] {
  return [
    'datanode',
    ...inheritedArgs(generic, cwd),
    ...defines({
      'dfs.datanode.data.dir': join(layout.dir, `dn${index}`),
      'dfs.datanode.address': `${clusterHost}:0`,
      'dfs.datanode.hostname': clusterHost,
      // The secret `namenode -format` wrote; on a real cluster it is copied to each datanode host.
      'tsdfs.cluster.secret.file': layout.clusterSecretFile,
      'fs.defaultFS': `tsdfs://${namenodeAddress}`,
    }),
  ];
}

/** `HOST:PORT` as the namenode announced it, with a wildcard host made reachable. */
export function reachableAddress(announced: string): string {
  const port = announced.slice(announced.lastIndexOf(':') + 1);
  return `${clusterHost}:${port}`;
}

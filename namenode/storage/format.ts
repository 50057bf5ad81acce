// `tsdfs namenode -format`: a new cluster id, namespace id, root directory and cluster
// secret in the name dir. Refuses to wipe an existing namespace unless forced.
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import type { Config } from '../../config/index.js';
import { namenodeLayoutVersion } from '../../protocol/version.js';
import { NamenodeStore, namespaceDirOf } from './namenode-store.js';
import { type FormatRecord, metaKeys, newDirectoryRecord, rootInodeId } from './records.js';

export interface FormatOptions {
  force?: boolean;
  /** Clock for the format record and root times; tests pass a fixed one. */
  now?: number;
}

/** The OS user running the namenode owns `/`, as in HDFS. */
export function processUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}

export function clusterSecretFileOf(config: Config): string {
  const configured = config['tsdfs.cluster.secret.file'];
  return configured !== '' ? configured : join(config['dfs.namenode.name.dir'], 'cluster.secret');
}

export async function formatNamenode(config: Config, options: FormatOptions = {}): Promise<FormatRecord> {
  const nameDir = config['dfs.namenode.name.dir'];
  refuseIfFormatted(nameDir, options.force === true);
  rmSync(namespaceDirOf(nameDir), { recursive: true, force: true });
  mkdirSync(nameDir, { recursive: true });
  const now = options.now ?? Date.now();
  const format: FormatRecord = {
    clusterId: `CID-${randomUUID()}`,
    namespaceId: String(randomBytes(4).readUInt32BE(0) & 0x7fffffff),
    layoutVersion: namenodeLayoutVersion,
    createdAt: now,
  };
  const store = NamenodeStore.create(nameDir);
  try {
    await store.write(() => writeFreshNamespace(store, config, format, now));
  } finally {
    await store.close();
  }
  writeClusterSecret(clusterSecretFileOf(config), options.force === true);
  return format;
}

function refuseIfFormatted(nameDir: string, force: boolean): void {
  if (force || !existsSync(namespaceDirOf(nameDir))) return;
  const store = NamenodeStore.create(nameDir);
  const formatted = store.meta.get(metaKeys.format) !== undefined;
  void store.close();
  if (formatted) throw new Error(`namenode is already formatted: ${nameDir} (format again with -force to erase it)`);
}

function writeFreshNamespace(store: NamenodeStore, config: Config, format: FormatRecord, now: number): void {
  const root = newDirectoryRecord({ id: rootInodeId, parentId: 0, name: '', owner: processUserName(), group: config['dfs.permissions.superusergroup'], now });
  store.inodes.put(root.id, root);
  store.meta.put(metaKeys.format, format);
  store.meta.put(metaKeys.nextInodeId, rootInodeId + 1);
  store.meta.put(metaKeys.nextBlockId, 1);
  // HDFS starts generation stamps at 1000; any positive start works.
  store.meta.put(metaKeys.nextGenStamp, 1000);
  store.meta.put(metaKeys.fileCount, 0);
  store.meta.put(metaKeys.directoryCount, 1);
}

/** 32 random bytes, hex, readable by the owner only. A secret already there is kept unless forced. */
function writeClusterSecret(file: string, force: boolean): void {
  if (existsSync(file) && !force) return;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

// Composition root of a datanode: builds the block store, metrics, data server and the
// namenode link from the config, listens, and prints the one "listening" line on stdout.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { pino, type Logger } from 'pino';
import { type Config, ConfigError, namenodeUrl, readServerTlsFiles, readTrustedCa, schemeOf } from '../config/index.js';
import { ClusterSecretError, clusterSecretFilePath, readClusterSecret } from '../protocol/auth.js';
import { datanodeLinkPath } from '../protocol/datanode-namenode.js';
import { createCommandHandler } from './command-handler.js';
import { tuneHeapForStreaming } from '../protocol/heap-tuning.js';
import { DatanodeMetrics } from './metrics.js';
import { NamenodeLink } from './namenode-link.js';
import { startIntegrityServices } from './scanner/integrity-services.js';
import { BlockStore } from './storage/block-store.js';
import { blockTokenChecker } from './transfer/block-access.js';
import { allowAllBlockAccess, type DataServerContext } from './transfer/data-server-context.js';
import { createDataServer } from './transfer/data-server.js';
import { splitHostPort } from './transfer/pipeline-connection.js';
import { TransferSlots } from './transfer/transfer-slots.js';

export interface StartDatanodeOptions {
  /** The namenode refused this datanode; default: log and exit with code 1. */
  onFatal?: (message: string) => void;
  /** The namenode sent `shutdown`; default: close and exit with code 0. */
  onShutdown?: (reason: string) => void;
  /** False runs the data server alone, without a namenode (tests). Default true. */
  connectToNamenode?: boolean;
  log?: Logger;
  /** Where the "listening" line goes; default stdout. */
  announce?: (line: string) => void;
  /** Tests pass the secret; otherwise it is read from tsdfs.cluster.secret.file. */
  clusterSecret?: Buffer;
}

export interface RunningDatanode {
  /** The advertised `host:port` of the data server. */
  address: string;
  uuid: string;
  store: BlockStore;
  close(): Promise<void>;
}

export async function startDatanode(config: Config, options: StartDatanodeOptions = {}): Promise<RunningDatanode> {
  tuneHeapForStreaming();
  const log = options.log ?? pino({ level: config['tsdfs.log.level'] }, pino.destination(2));
  const connectToNamenode = options.connectToNamenode !== false;
  const tokensEnabled = config['dfs.block.access.token.enable'];
  // Read before anything opens: without the secret this datanode can neither join nor check tokens.
  const clusterSecret = options.clusterSecret ?? (connectToNamenode || tokensEnabled ? readSecret(config) : null);
  // TLS files too: a datanode that cannot serve or verify what its cluster speaks must not start.
  const tls = readServerTlsFiles(config);
  const namenodeUsesTls = schemeOf(config['fs.defaultFS'], config) === 'https';
  if (connectToNamenode && namenodeUsesTls !== (tls !== null)) throw new ConfigError(mixedTlsMessage(namenodeUsesTls));
  const trustedCa = tls !== null || namenodeUsesTls ? readTrustedCa(config) : undefined;
  const store = await BlockStore.open({
    dataDirs: config['dfs.datanode.data.dir'].split(',').map((dir) => dir.trim()).filter((dir) => dir !== ''),
    reservedBytes: config['dfs.datanode.du.reserved'],
    blockSizeBytes: config['dfs.blocksize'],
    log,
  });
  const slots = new TransferSlots();
  const metrics = new DatanodeMetrics({ activeTransfers: () => slots.activeCount, replicas: () => store.replicaCount, dfsUsedBytes: () => store.dfsUsed });
  let link: NamenodeLink | null = null;
  const context: DataServerContext = {
    store,
    metrics,
    log,
    slots,
    reportBadBlock: (blockId, genStamp) => link?.reportBadBlock(blockId, genStamp),
    checkBlockAccess: tokensEnabled && clusterSecret !== null ? blockTokenChecker(clusterSecret) : allowAllBlockAccess,
    status: () => ({ namenodeConnected: link?.isRegistered ?? false }),
    // Peers serve what this datanode serves: the whole cluster speaks TLS or none of it does.
    // Plain HTTP keeps pipeline sockets alive between blocks: a small file's pipeline skips a connect per hop.
    peerAgent: tls !== null ? new https.Agent({ keepAlive: false, ...(trustedCa ? { ca: trustedCa } : {}) }) : new http.Agent({ keepAlive: true }),
  };
  const integrity = startIntegrityServices({ store, log, registry: metrics.registry, scanPeriodHours: config['dfs.datanode.scan.period.hours'], bytesPerSecondPerVolume: config['dfs.block.scanner.volume.bytes.per.second'], reportBadBlock: context.reportBadBlock });
  const server = createDataServer(context, tls);
  const port = await listen(server, config['dfs.datanode.address']);
  const hostname = config['dfs.datanode.hostname'] || os.hostname();
  const address = `${hostname}:${port}`;

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= Promise.all([integrity.stop(), closeAll(server, link)]).then(() => context.peerAgent?.destroy());
    return closing;
  };
  if (connectToNamenode && clusterSecret !== null) {
    link = new NamenodeLink({
      url: `${namenodeUrl(config).replace(/^http/, 'ws')}${datanodeLinkPath}`,
      ...(trustedCa ? { trustedCa } : {}),
      clusterSecret,
      store,
      log,
      hostname,
      dataPort: port,
      heartbeatIntervalMs: config['dfs.heartbeat.interval'] * 1000,
      blockReportIntervalMs: config['dfs.blockreport.intervalMsec'],
      activeTransfers: () => slots.activeCount,
      onCommand: createCommandHandler({ context, link: () => link, log, onShutdown: options.onShutdown ?? (() => void close().then(() => process.exit(0))) }),
      onRefused: options.onFatal ?? ((message) => exitFatally(log, message)),
    });
    link.start();
  }
  log.info({ address, tls: tls !== null, uuid: store.datanodeUuid, volumes: store.volumes.map((volume) => volume.root) }, 'datanode started');
  (options.announce ?? ((line) => process.stdout.write(`${line}\n`)))(`tsdfs datanode listening on ${address} uuid=${store.datanodeUuid}`);
  return { address, uuid: store.datanodeUuid, store, close };
}

/** Clients reach every datanode in the namenode's scheme, so a datanode must serve what the namenode does. */
function mixedTlsMessage(namenodeUsesTls: boolean): string {
  return namenodeUsesTls
    ? 'the namenode is reached over HTTPS but this datanode has no tsdfs.tls.cert.file and tsdfs.tls.key.file: every node of a TLS cluster serves HTTPS'
    : 'this datanode serves HTTPS (tsdfs.tls.cert.file) but reaches the namenode over plain http:// (fs.defaultFS): every node of a cluster speaks TLS, or none does';
}

function readSecret(config: Config): Buffer {
  const file = clusterSecretFilePath(config['tsdfs.cluster.secret.file'], config['dfs.namenode.name.dir']);
  try {
    return readClusterSecret(file);
  } catch (error) {
    if (error instanceof ClusterSecretError) throw new ClusterSecretError(`datanode cannot start: ${error.message}`);
    throw error;
  }
}

function listen(server: ReturnType<typeof createDataServer>, hostPort: string): Promise<number> {
  const [host, port] = splitHostPort(hostPort);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

async function closeAll(server: ReturnType<typeof createDataServer>, link: NamenodeLink | null): Promise<void> {
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await Promise.all([serverClosed, link?.close()]);
}

function exitFatally(log: Logger, message: string): void {
  log.fatal({ reason: message }, 'datanode cannot join the cluster');
  process.stderr.write(`tsdfs datanode: ${message}\n`);
  process.exit(1);
}

// The namenode's composition root: opens the store, wires the services, serves RPC,
// metrics and the datanode link on one HTTP server, and runs the lease and liveness
// monitors. The CLI calls `formatNamenode` and `startNamenode`; signals are its business.
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { type Config, loadRackTable, readServerTlsFiles, type ServerTlsFiles } from '../config/index.js';
import { clusterSecretFilePath, readClusterSecret } from '../protocol/auth.js';
import { createHttpsOnlyServer } from '../protocol/https-only.js';
import { softwareVersion } from '../protocol/version.js';
import { withBlockTokens } from './blocks/block-tokens.js';
import { type DatanodeLink, attachDatanodeLink } from './datanodes/datanode-link-server.js';
import { createNamenodeApp } from './http/namenode-app.js';
import { createNamenodeMetrics } from './http/namenode-metrics.js';
import { namenodeAuthOf } from './http/request-auth.js';
import { recoverExpiredLeases } from './namespace/lease-recovery.js';
import { leaseLimitsOf } from './namespace/namespace-context.js';
import { type NamenodeServices, createNamenodeServices } from './namenode-services.js';
import { refreshNodes, runRedundancyTick } from './replication/redundancy-shell.js';
import { createRpcHandlers } from './rpc/rpc-handlers.js';
import { NamenodeStore } from './storage/namenode-store.js';

export { formatNamenode, type FormatOptions } from './storage/format.js';
export type { FormatRecord } from './storage/records.js';

/** HDFS's lease monitor period: how often abandoned files past the hard limit are looked for. */
export const leaseMonitorIntervalMs = 2000;
/** Longer than common client idle timeouts, so keep-alive connections are closed by the client. */
export const keepAliveTimeoutMs = 65_000;

export interface StartNamenodeOptions {
  log?: Logger;
}

export interface RunningNamenode {
  /** host:port actually bound (127.0.0.1 when bound to every interface). */
  address: string;
  close(): Promise<void>;
}

export async function startNamenode(config: Config, options: StartNamenodeOptions = {}): Promise<RunningNamenode> {
  const log = options.log ?? pino({ level: config['tsdfs.log.level'] }, pino.destination(2));
  // Read before opening the store: without it no datanode could join.
  const clusterSecret = readClusterSecret(clusterSecretFilePath(config['tsdfs.cluster.secret.file'], config['dfs.namenode.name.dir']));
  const tls = readServerTlsFiles(config);
  const store = NamenodeStore.open(config['dfs.namenode.name.dir']);
  try {
    return await serve(config, store, clusterSecret, tls, log);
  } catch (error) {
    await store.close();
    throw error;
  }
}

async function serve(config: Config, store: NamenodeStore, clusterSecret: Buffer, tls: ServerTlsFiles | null, log: Logger): Promise<RunningNamenode> {
  const services = createNamenodeServices(store, config, { clusterSecret, rackTable: loadRackTable(config['net.topology.table.file.name']) });
  // The exclude list applies from the start; admin states from LMDB say how far each node got.
  await refreshNodes(services);
  const startedAt = Date.now();
  const metrics = createNamenodeMetrics(new Registry(), services);
  const app = createNamenodeApp({ handlers: withBlockTokens(createRpcHandlers(services), services.blockTokens), metrics, status: () => statusOf(services, startedAt), log, auth: namenodeAuthOf(config['tsdfs.auth'], () => clusterSecret) });
  // With TLS every route (RPC, /status, /metrics) and the datanode link (WSS) is HTTPS only.
  const server: Server = tls ? createHttpsOnlyServer({ ...tls, keepAlive: true }, app, 'namenode') : createServer({ keepAlive: true }, app);
  server.keepAliveTimeout = keepAliveTimeoutMs;
  let onTransfersConfirmed = (): void => {};
  const link = attachDatanodeLink(server, services, log, { onTransfersConfirmed: () => onTransfersConfirmed() });
  const address = await listen(server, config['dfs.namenode.http-address']);
  const monitors = startMonitors(services, log, link);
  onTransfersConfirmed = monitors.requestTick;
  process.stdout.write(`tsdfs namenode listening on ${address}\n`);
  log.info({ address, tls: tls !== null, clusterId: services.format.clusterId, blocks: services.blockManager.blockMap.size }, 'namenode started');
  return {
    address,
    close: async () => {
      await monitors.stop();
      await link.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      log.info('namenode stopped');
    },
  };
}

function listen(server: Server, hostPort: string): Promise<string> {
  const separator = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, separator);
  const port = Number(hostPort.slice(separator + 1));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const bound = server.address() as AddressInfo;
      const shownHost = bound.address === '0.0.0.0' || bound.address === '::' ? '127.0.0.1' : bound.address;
      resolve(`${shownHost}:${bound.port}`);
    });
  });
}

/**
 * The lease monitor and the redundancy tick: timers here, decisions in the pure cores. The
 * tick also runs as soon as scheduled transfers are confirmed (their streams are free), and
 * the transfers it decides are pushed to their sources at once: otherwise each round of
 * re-replication waited up to a tick plus a heartbeat interval (measured: 1 GiB after a
 * datanode died took 3 rounds, most of the time idle).
 */
function startMonitors(services: NamenodeServices, log: Logger, link: DatanodeLink): { requestTick(): void; stop(): Promise<void> } {
  const limits = leaseLimitsOf(services.config);
  let leaseRun: Promise<void> = Promise.resolve();
  let leaseRunning = false;
  const leaseTimer = setInterval(() => {
    if (leaseRunning) return;
    leaseRunning = true;
    leaseRun = recoverExpiredLeases(services.context, limits.hardLimitMs, limits.softLimitMs)
      .then((closed) => {
        if (closed.length > 0) log.info({ fileIds: closed }, 'closed files whose writers passed the lease hard limit');
      })
      .catch((error: unknown) => log.error({ err: error }, 'lease recovery failed'))
      .finally(() => {
        leaseRunning = false;
      });
  }, Math.min(leaseMonitorIntervalMs, limits.hardLimitMs / 2));
  // Liveness, safe mode and replication: one tick every dfs.namenode.redundancy.interval.seconds.
  let tickRun: Promise<unknown> = Promise.resolve();
  let tickRunning = false;
  let tickRequested = false;
  let stopped = false;
  const runTick = (): void => {
    if (tickRunning || stopped) return;
    tickRunning = true;
    tickRun = runRedundancyTick(services, log)
      .then((decisions) => {
        for (const source of new Set(decisions.transfers.map((transfer) => transfer.source))) link.pushCommands(source);
      })
      .catch((error: unknown) => log.error({ err: error }, 'redundancy tick failed'))
      .finally(() => {
        tickRunning = false;
        if (tickRequested) requestTick();
      });
  };
  // Coalesced: the reports of one moment make one extra tick.
  const requestTick = (): void => {
    if (stopped) return;
    if (tickRunning) {
      tickRequested = true;
      return;
    }
    tickRequested = false;
    setImmediate(runTick);
  };
  const redundancyTimer = setInterval(runTick, services.config['dfs.namenode.redundancy.interval.seconds'] * 1000);
  leaseTimer.unref();
  redundancyTimer.unref();
  return {
    requestTick,
    stop: async () => {
      stopped = true;
      clearInterval(leaseTimer);
      clearInterval(redundancyTimer);
      await Promise.all([leaseRun, tickRun]);
    },
  };
}

function statusOf(services: NamenodeServices, startedAt: number): Record<string, unknown> {
  const now = services.clock();
  const datanodes = services.datanodes.countByLiveness(now);
  return {
    clusterId: services.format.clusterId,
    namespaceId: services.format.namespaceId,
    softwareVersion,
    safeMode: services.safeMode.isOn,
    liveDatanodes: datanodes.live,
    staleDatanodes: datanodes.stale,
    deadDatanodes: datanodes.dead,
    blocks: services.blockManager.blockMap.size,
    files: services.context.store.counter('fileCount'),
    directories: services.context.store.counter('directoryCount'),
    filesUnderConstruction: services.leases.openFiles,
    startedAt,
    uptimeMs: now - startedAt,
  };
}

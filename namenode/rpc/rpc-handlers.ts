// One handler per RPC method of protocol/client-namenode.ts; the mapped type makes the
// compiler insist on every method. Handlers get parsed requests and the caller, and
// return the response or throw a DfsError; HTTP is someone else's business.
import type { DatanodeReport, FsStats, RpcMethod, RpcParsedRequest, RpcResponse, Topology } from '../../protocol/client-namenode.js';
import { datanodeName } from '../datanodes/datanode-manager.js';
import { refreshNodes } from '../replication/redundancy-shell.js';
import { getBlockLocations } from '../namespace/block-locations.js';
import { runFsck } from '../namespace/fsck.js';
import type { Caller } from '../namespace/namespace-context.js';
import { FsAction } from '../namespace/permission-checker.js';
import { normalizePath } from '../../protocol/paths.js';
import type { NamenodeServices } from '../namenode-services.js';

export type RpcHandler<M extends RpcMethod> = (request: RpcParsedRequest<M>, caller: Caller) => Promise<RpcResponse<M>> | RpcResponse<M>;
export type RpcHandlers = { [M in RpcMethod]: RpcHandler<M> };

export function createRpcHandlers(services: NamenodeServices): RpcHandlers {
  const { namespace, fileWrites, context, safeMode } = services;
  const { permissions } = context;
  return {
    mkdirs: (request, caller) => namespace.mkdirs(request.path, request.permission, request.createParent, caller),
    getFileInfo: (request, caller) => namespace.getFileInfo(request.path, caller),
    listing: (request, caller) => namespace.listing(request.path, request.startAfter, caller),
    create: (request, caller) => fileWrites.create(request, caller),
    addBlock: (request, caller) => fileWrites.addBlock(request, caller),
    abandonBlock: (request, caller) => fileWrites.abandonBlock(request, caller),
    complete: (request, caller) => fileWrites.complete(request, caller),
    getBlockLocations: (request, caller) => getBlockLocations(context, request.path, request.offset, request.length, caller),
    delete: (request, caller) => namespace.delete(request.path, request.recursive, caller),
    rename: (request, caller) => namespace.rename(request.src, request.dst, caller),
    setReplication: (request, caller) => namespace.setReplication(request.path, request.replication, caller),
    setPermission: (request, caller) => namespace.setPermission(request.path, request.permission, caller),
    setOwner: (request, caller) => namespace.setOwner(request.path, request.owner, request.group, caller),
    renewLease: (request) => {
      services.leases.renew(request.clientName, services.clock());
      return {};
    },
    recoverLease: (request, caller) => fileWrites.recoverLease(request.path, caller),
    reportBadBlocks: (request) => {
      for (const { block, datanodeUuid } of request.blocks) {
        const node = services.datanodes.get(datanodeUuid);
        if (node) services.blockManager.markCorrupt(node, block.id, block.genStamp);
      }
      return {};
    },
    updateBlockForPipeline: (request) => fileWrites.updateBlockForPipeline(request),
    updatePipeline: (request) => fileWrites.updatePipeline(request),
    getContentSummary: (request, caller) => namespace.getContentSummary(request.path, caller),
    getStats: () => fsStats(services),
    // Cluster administration is for superusers, as HDFS's dfsadmin; anyone may ask about safe mode.
    datanodeReport: (request, caller) => {
      permissions.requireSuperuser(caller, 'datanodeReport');
      return datanodeReport(services, request.type);
    },
    setSafeMode: (request, caller) => {
      if (request.action !== 'get') permissions.requireSuperuser(caller, `setSafeMode ${request.action}`);
      if (request.action === 'enter') safeMode.enter();
      if (request.action === 'leave') safeMode.leave();
      return { safeMode: safeMode.isOn };
    },
    refreshNodes: (_request, caller) => {
      permissions.requireSuperuser(caller, 'refreshNodes');
      return refreshNodes(services);
    },
    printTopology: (_request, caller) => {
      permissions.requireSuperuser(caller, 'printTopology');
      return topologyOf(services);
    },
    fsck: (request, caller) => {
      // As getContentSummary: READ_EXECUTE on every directory walked; superusers skip the check.
      permissions.check(caller, normalizePath(request.path), { subAccess: FsAction.READ_EXECUTE });
      return runFsck(context, namespace, services.datanodes, request.path, request.files);
    },
    getServerDefaults: () => ({
      blockSize: services.config['dfs.blocksize'],
      bytesPerChecksum: services.config['dfs.bytes-per-checksum'],
      replication: services.config['dfs.replication'],
      checksumType: 'CRC32C' as const,
      clusterId: services.format.clusterId,
    }),
  };
}

/** Capacity figures count datanodes that are not dead, as HDFS's `df` does. */
function storageTotals(services: NamenodeServices, now: number): Pick<FsStats, 'capacity' | 'dfsUsed' | 'remaining' | 'nonDfsUsed'> {
  const totals = { capacity: 0, dfsUsed: 0, remaining: 0, nonDfsUsed: 0 };
  for (const node of services.datanodes.all()) {
    if (services.datanodes.liveness(node, now) === 'dead') continue;
    totals.capacity += node.capacity;
    totals.dfsUsed += node.dfsUsed;
    totals.remaining += node.remaining;
    totals.nonDfsUsed += node.nonDfsUsed;
  }
  return totals;
}

export function fsStats(services: NamenodeServices): FsStats {
  const now = services.clock();
  const health = services.blockManager.health(now);
  const counts = services.datanodes.countByLiveness(now);
  const store = services.context.store;
  return {
    ...storageTotals(services, now),
    totalFiles: store.counter('fileCount'),
    totalDirectories: store.counter('directoryCount'),
    totalBlocks: services.blockManager.blockMap.size,
    underReplicatedBlocks: health.underReplicated,
    corruptBlocks: health.corrupt,
    missingBlocks: health.missing,
    liveDatanodes: counts.live + counts.stale,
    deadDatanodes: counts.dead,
    safeMode: services.safeMode.isOn,
  };
}

function topologyOf(services: NamenodeServices): Topology {
  const now = services.clock();
  const byRack = new Map<string, Topology['racks'][number]['nodes']>();
  for (const node of services.datanodes.all()) {
    let nodes = byRack.get(node.rack);
    if (nodes === undefined) byRack.set(node.rack, (nodes = []));
    nodes.push({ name: datanodeName(node), hostname: node.hostname, uuid: node.uuid, state: services.datanodes.liveness(node, now), adminState: node.adminState });
  }
  const racks = [...byRack.entries()].sort(([a], [b]) => a.localeCompare(b));
  return { racks: racks.map(([rack, nodes]) => ({ rack, nodes: nodes.sort((a, b) => a.name.localeCompare(b.name)) })) };
}

function datanodeReport(services: NamenodeServices, type: 'all' | 'live' | 'dead' | 'decommissioning'): DatanodeReport {
  const now = services.clock();
  const health = services.blockManager.health(now);
  const entries = services.datanodes
    .all()
    .map((node) => services.datanodes.reportEntry(node, services.blockManager.blockMap.replicaCountOn(node.index), now));
  const wanted = (kind: 'live' | 'dead' | 'decommissioning') => type === 'all' || type === kind;
  return {
    safeMode: services.safeMode.isOn,
    ...storageTotals(services, now),
    underReplicatedBlocks: health.underReplicated,
    corruptBlocks: health.corrupt,
    missingBlocks: health.missing,
    live: wanted('live') ? entries.filter((entry) => entry.state !== 'dead') : [],
    dead: wanted('dead') ? entries.filter((entry) => entry.state === 'dead') : [],
    decommissioning: wanted('decommissioning') ? entries.filter((entry) => entry.adminState === 'Decommission in progress') : [],
  };
}

// One handler per RPC method of protocol/client-namenode.ts; the mapped type makes the
// compiler insist on every method. Handlers get parsed requests and the caller, and
// return the response or throw a DfsError; HTTP is someone else's business.
import type { DatanodeReport, FsStats, RpcMethod, RpcParsedRequest, RpcResponse, Topology } from '../../protocol/client-namenode.js';
import { datanodeName } from '../datanodes/datanode-manager.js';
import { refreshNodes } from '../replication/redundancy-shell.js';
import { getBlockLocations } from '../namespace/block-locations.js';
import { runFsck } from '../namespace/fsck.js';
import type { Caller } from '../namespace/namespace-context.js';
import type { NamenodeServices } from '../namenode-services.js';

export type RpcHandler<M extends RpcMethod> = (request: RpcParsedRequest<M>, caller: Caller) => Promise<RpcResponse<M>> | RpcResponse<M>;
export type RpcHandlers = { [M in RpcMethod]: RpcHandler<M> };

export function createRpcHandlers(services: NamenodeServices): RpcHandlers {
  const { namespace, fileWrites, context, safeMode } = services;
  return {
    mkdirs: (request, caller) => namespace.mkdirs(request.path, request.permission, request.createParent, caller),
    getFileInfo: (request) => namespace.getFileInfo(request.path),
    listing: (request) => namespace.listing(request.path, request.startAfter),
    create: (request, caller) => fileWrites.create(request, caller),
    addBlock: (request, caller) => fileWrites.addBlock(request, caller),
    abandonBlock: (request) => fileWrites.abandonBlock(request),
    complete: (request) => fileWrites.complete(request),
    getBlockLocations: (request, caller) => getBlockLocations(context, request.path, request.offset, request.length, caller.host),
    delete: (request) => namespace.delete(request.path, request.recursive),
    rename: (request) => namespace.rename(request.src, request.dst),
    setReplication: (request) => namespace.setReplication(request.path, request.replication),
    setPermission: (request) => namespace.setPermission(request.path, request.permission),
    setOwner: (request) => namespace.setOwner(request.path, request.owner, request.group),
    renewLease: (request) => {
      services.leases.renew(request.clientName, services.clock());
      return {};
    },
    recoverLease: (request) => fileWrites.recoverLease(request.path),
    reportBadBlocks: (request) => {
      for (const { block, datanodeUuid } of request.blocks) {
        const node = services.datanodes.get(datanodeUuid);
        if (node) services.blockManager.markCorrupt(node, block.id, block.genStamp);
      }
      return {};
    },
    updateBlockForPipeline: (request) => fileWrites.updateBlockForPipeline(request),
    updatePipeline: (request) => fileWrites.updatePipeline(request),
    getContentSummary: (request) => namespace.getContentSummary(request.path),
    getStats: () => fsStats(services),
    datanodeReport: (request) => datanodeReport(services, request.type),
    setSafeMode: (request) => {
      if (request.action === 'enter') safeMode.enter();
      if (request.action === 'leave') safeMode.leave();
      return { safeMode: safeMode.isOn };
    },
    refreshNodes: () => refreshNodes(services),
    printTopology: () => topologyOf(services),
    fsck: (request) => runFsck(context, namespace, services.datanodes, request.path, request.files),
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
    .map((node) => services.datanodes.reportEntry(node, services.blockManager.blockMap.blocksOn(node.index).size, now));
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

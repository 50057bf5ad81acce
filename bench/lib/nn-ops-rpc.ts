// nn-ops over the RPC: a real namenode process (the test cluster helper, no datanodes:
// metadata needs none) and 32 DfsClient instances (the client library with its keep-alive
// agent), each a closed loop of one call at a time.
import { DfsClient } from '../../client-lib/index.js';
import { startCluster } from '../../test/helpers/cluster.js';
import { type MetadataOps, type NnOp, type RoundSizes, runRound } from './nn-ops-plan.js';
import { formatRates } from './nn-ops-inproc.js';
import { CpuWindow } from './proc-stats.js';

export const rpcClients = 32;

export interface RpcResult {
  rounds: Array<Record<NnOp, number>>;
  /** Per op, the median over rounds of the namenode's and this (client) process's CPU, % of one core. */
  cpu: Record<NnOp, { namenode: number; clients: number }>;
}

function opsOf(client: DfsClient): MetadataOps {
  const clientName = client.clientName;
  return {
    mkdirs: (path) => client.rpc('mkdirs', { path }),
    createEmpty: async (path) => {
      const { status } = await client.rpc('create', { path, clientName });
      const { complete } = await client.rpc('complete', { path, clientName, fileId: status.fileId });
      if (!complete) throw new Error(`complete of empty ${path} answered false`);
    },
    getFileInfo: async (path) => {
      if ((await client.rpc('getFileInfo', { path })).status === null) throw new Error(`no ${path}`);
    },
    listing: (path) => client.rpc('listing', { path }),
    rename: (src, dst) => client.rpc('rename', { src, dst }),
    delete: (path) => client.rpc('delete', { path }),
  };
}

export async function runRpcRounds(sizes: RoundSizes, repetitions: number, log: (message: string) => void): Promise<RpcResult> {
  const cluster = await startCluster({ datanodes: 0, config: { 'tsdfs.log.level': 'error' } });
  try {
    const workers = Array.from({ length: rpcClients }, () => opsOf(cluster.client()));
    const samples = new Map<NnOp, Array<{ namenode: number; clients: number }>>();
    let namenodeWindow: CpuWindow | undefined;
    let clientStart = process.cpuUsage();
    const hooks = {
      before: () => {
        namenodeWindow = new CpuWindow(cluster.namenode.pid);
        clientStart = process.cpuUsage();
      },
      after: (op: NnOp, seconds: number) => {
        const used = process.cpuUsage(clientStart);
        const clients = (used.user + used.system) / 1e4 / seconds;
        const list = samples.get(op) ?? [];
        list.push({ namenode: namenodeWindow?.percentOfOneCore() ?? 0, clients });
        samples.set(op, list);
      },
    };
    const rounds: Array<Record<NnOp, number>> = [];
    for (let round = 0; round < repetitions; round++) {
      rounds.push(await runRound(workers, `/rpc/r${round}`, sizes, hooks));
      log(`RPC round ${round + 1}/${repetitions}: ${formatRates(rounds[round] as Record<NnOp, number>)}`);
    }
    const cpu = {} as RpcResult['cpu'];
    for (const [op, list] of samples) {
      const middle = [...list].sort((a, b) => a.namenode - b.namenode)[Math.floor(list.length / 2)] as { namenode: number; clients: number };
      cpu[op] = middle;
    }
    return { rounds, cpu };
  } finally {
    await cluster.stop();
  }
}

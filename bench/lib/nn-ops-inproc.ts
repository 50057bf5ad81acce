// nn-ops in-process: the namenode's services built exactly as `startNamenode` builds them
// (formatted name dir, real LMDB, createNamenodeServices), their methods called directly
// by a pool of concurrent workers, as NNThroughputBenchmark drives FSNamesystem.
import { join } from 'node:path';
import { parseConfig } from '../../config/index.js';
import { formatNamenode } from '../../namenode/main.js';
import { createNamenodeServices } from '../../namenode/namenode-services.js';
import type { Caller } from '../../namenode/namespace/namespace-context.js';
import { processUserName } from '../../namenode/storage/format.js';
import { NamenodeStore } from '../../namenode/storage/namenode-store.js';
import { readClusterSecret } from '../../protocol/auth.js';
import { type MetadataOps, type NnOp, type RoundSizes, runRound } from './nn-ops-plan.js';

export interface InprocResult {
  rounds: Array<Record<NnOp, number>>;
  concurrency: number;
}

/** In-process callers wait on LMDB commits like RPC handlers do; this many are in flight, as the RPC variant's clients. */
export const inprocConcurrency = 32;

export async function runInprocRounds(workDir: string, sizes: RoundSizes, repetitions: number, log: (message: string) => void): Promise<InprocResult> {
  const nameDir = join(workDir, 'inproc-name');
  const config = parseConfig({ 'dfs.namenode.name.dir': nameDir, 'dfs.namenode.safemode.extension': '0' });
  await formatNamenode(config);
  const store = NamenodeStore.open(nameDir);
  try {
    const services = createNamenodeServices(store, config, { clusterSecret: readClusterSecret(join(nameDir, 'cluster.secret')) });
    // The OS user runs the namenode, so it is the superuser, as the RPC variant's clients are.
    const caller: Caller = { user: processUserName(), host: '127.0.0.1' };
    const clientName = 'nn-ops-bench-inproc';
    const ops: MetadataOps = {
      mkdirs: (path) => services.namespace.mkdirs(path, undefined, true, caller),
      createEmpty: async (path) => {
        const { status } = await services.fileWrites.create({ path, clientName, overwrite: false, createParent: true, firstBlock: false }, caller);
        const { complete } = await services.fileWrites.complete({ path, clientName, fileId: status.fileId, last: null }, caller);
        if (!complete) throw new Error(`complete of empty ${path} answered false`);
      },
      getFileInfo: (path) => {
        if (services.namespace.getFileInfo(path, caller).status === null) throw new Error(`no ${path}`);
      },
      listing: (path) => services.namespace.listing(path, undefined, caller),
      rename: (src, dst) => services.namespace.rename(src, dst, caller),
      delete: (path) => services.namespace.delete(path, false, caller),
    };
    const workers = Array.from({ length: inprocConcurrency }, () => ops);
    const rounds: Array<Record<NnOp, number>> = [];
    for (let round = 0; round < repetitions; round++) {
      rounds.push(await runRound(workers, `/inproc/r${round}`, sizes));
      log(`in-process round ${round + 1}/${repetitions}: ${formatRates(rounds[round] as Record<NnOp, number>)}`);
    }
    return { rounds, concurrency: inprocConcurrency };
  } finally {
    await store.close();
  }
}

export function formatRates(rates: Record<NnOp, number>): string {
  return Object.entries(rates)
    .map(([op, rate]) => `${op} ${Math.round(rate)}/s`)
    .join(', ');
}

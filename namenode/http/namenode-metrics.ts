// The namenode's Prometheus metrics (base units, `tsdfs_namenode_` prefix). Gauges read
// their value at scrape time, so nothing has to remember to update them.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { NamenodeServices } from '../namenode-services.js';

export interface NamenodeMetrics {
  registry: Registry;
  rpcCalls: Counter<'method' | 'outcome'>;
  rpcDuration: Histogram<'method'>;
}

export function createNamenodeMetrics(registry: Registry, services: NamenodeServices): NamenodeMetrics {
  const rpcCalls = new Counter({ name: 'tsdfs_namenode_rpc_calls_total', help: 'RPC calls by method and outcome (ok or error code)', labelNames: ['method', 'outcome'], registers: [registry] });
  const rpcDuration = new Histogram({
    name: 'tsdfs_namenode_rpc_duration_seconds',
    help: 'RPC handling time, body parse to reply',
    labelNames: ['method'],
    buckets: [0.001, 0.005, 0.02, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'tsdfs_namenode_datanodes',
    help: 'Datanodes by liveness',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const counts = services.datanodes.countByLiveness(services.clock());
      for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
    },
  });
  gaugeOf(registry, 'tsdfs_namenode_blocks', 'Blocks in the block map', () => services.blockManager.blockMap.size);
  gaugeOf(registry, 'tsdfs_namenode_files', 'Files in the namespace', () => services.context.store.counter('fileCount'));
  gaugeOf(registry, 'tsdfs_namenode_directories', 'Directories in the namespace', () => services.context.store.counter('directoryCount'));
  gaugeOf(registry, 'tsdfs_namenode_files_under_construction', 'Files open for writing (leases held)', () => services.leases.openFiles);
  gaugeOf(registry, 'tsdfs_namenode_safe_mode', '1 while the namenode is in safe mode', () => (services.safeMode.isOn ? 1 : 0));
  return { registry, rpcCalls, rpcDuration };
}

function gaugeOf(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

// The block scanner's Prometheus metrics, registered in the datanode's own registry.
import { Counter, Gauge, type Registry } from 'prom-client';

export class ScannerMetrics {
  readonly replicasScanned: Counter;
  readonly badReplicas: Counter;
  readonly bytesScanned: Counter;

  constructor(registry: Registry, overdueReplicas: () => number, bytesPerSecondPerVolume: number) {
    this.replicasScanned = new Counter({ name: 'tsdfs_datanode_scanner_replicas_scanned_total', help: 'Finalized replicas the block scanner read and verified to the end', registers: [registry] });
    this.badReplicas = new Counter({ name: 'tsdfs_datanode_scanner_bad_replicas_total', help: 'Replicas the block scanner found corrupt or missing', registers: [registry] });
    this.bytesScanned = new Counter({ name: 'tsdfs_datanode_scanner_bytes_total', help: 'Block data bytes read by the block scanner', registers: [registry] });
    // The configured throttle, so an operator (and a test) sees what the running datanode took.
    new Gauge({ name: 'tsdfs_datanode_scanner_volume_bytes_per_second', help: 'Bytes a second the block scanner may read per volume (dfs.block.scanner.volume.bytes.per.second)', registers: [registry] }).set(bytesPerSecondPerVolume);
    new Gauge({
      name: 'tsdfs_datanode_scanner_overdue_replicas',
      help: 'Replicas whose verification is overdue (the scanner is behind its period)',
      registers: [registry],
      collect() {
        this.set(overdueReplicas());
      },
    });
  }
}

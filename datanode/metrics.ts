// The datanode's Prometheus metrics, in their own registry so several datanodes can run
// in one process (tests) without clashing. Base units, as STYLE.md asks.
import { Counter, Gauge, Registry } from 'prom-client';

export interface DatanodeGaugeSources {
  activeTransfers(): number;
  replicas(): number;
  dfsUsedBytes(): number;
}

export class DatanodeMetrics {
  readonly registry = new Registry();
  readonly bytesWritten = this.counter('tsdfs_datanode_bytes_written_total', 'Block data bytes written to disk');
  readonly bytesRead = this.counter('tsdfs_datanode_bytes_read_total', 'Block data bytes read and sent');
  readonly blocksWritten = this.counter('tsdfs_datanode_blocks_written_total', 'Replicas received and finalized');
  readonly blocksRead = this.counter('tsdfs_datanode_blocks_read_total', 'Block reads served to the end');
  readonly blocksRemoved = this.counter('tsdfs_datanode_blocks_removed_total', 'Replicas deleted on the namenode\'s order');
  readonly checksumErrors = this.counter('tsdfs_datanode_checksum_errors_total', 'Chunks that failed CRC32C verification');

  constructor(sources: DatanodeGaugeSources) {
    this.gauge('tsdfs_datanode_active_transfers', 'Block reads and writes in progress', sources.activeTransfers);
    this.gauge('tsdfs_datanode_replicas', 'Replicas held, finalized or being written', sources.replicas);
    this.gauge('tsdfs_datanode_dfs_used_bytes', 'Bytes of block and checksum files', sources.dfsUsedBytes);
  }

  private counter(name: string, help: string): Counter {
    return new Counter({ name, help, registers: [this.registry] });
  }

  private gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }
}

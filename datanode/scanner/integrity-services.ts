// Starts the datanode's background integrity work: the block scanner and the periodic
// volume check. Called by the composition root; stops with the datanode.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { BlockStore } from '../storage/block-store.js';
import { BlockScanner } from './block-scanner.js';
import { ScannerMetrics } from './scanner-metrics.js';
import { scanBytesPerSecondPerVolume } from './scan-throttle.js';

/**
 * Between periodic volume checks. A check is a few stats (a write probe one time in
 * `volumeChecksPerWriteProbe`, storage/volume-set.ts), so a volume pulled out with no I/O on it is noticed within
 * seconds; an I/O error on a volume triggers a check at once.
 */
export const volumeCheckIntervalMs = 5_000;

export interface IntegrityServicesOptions {
  store: BlockStore;
  log: Logger;
  registry: Registry;
  scanPeriodHours: number;
  reportBadBlock(blockId: number, genStamp: number): void;
  bytesPerSecondPerVolume?: number;
}

export interface IntegrityServices {
  /** Null when `dfs.datanode.scan.period.hours` is 0 (scanner off). */
  scanner: BlockScanner | null;
  stop(): Promise<void>;
}

export function startIntegrityServices(options: IntegrityServicesOptions): IntegrityServices {
  const { store, log } = options;
  let scanner: BlockScanner | null = null;
  const bytesPerSecondPerVolume = options.bytesPerSecondPerVolume ?? scanBytesPerSecondPerVolume;
  const metrics = new ScannerMetrics(options.registry, () => scanner?.overdueCount() ?? 0, bytesPerSecondPerVolume);
  if (options.scanPeriodHours > 0) {
    scanner = new BlockScanner({
      store,
      log,
      metrics,
      periodMs: options.scanPeriodHours * 3_600_000,
      reportBadBlock: options.reportBadBlock,
      bytesPerSecondPerVolume,
    });
    scanner.start();
  } else {
    log.warn('dfs.datanode.scan.period.hours is 0: the block scanner is off');
  }
  let checking = false;
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    store
      .checkVolumes()
      .catch((error: unknown) => log.error({ err: error }, 'volume check failed'))
      .finally(() => {
        checking = false;
      });
  }, volumeCheckIntervalMs);
  return {
    scanner,
    async stop() {
      clearInterval(timer);
      await scanner?.stop();
    },
  };
}

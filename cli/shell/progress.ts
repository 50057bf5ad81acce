// Progress bars for put/get: drawn on stderr, only when it is a terminal and only for
// files worth watching, so scripts and pipes see clean output.
import { Transform } from 'node:stream';
import type { CommandIo } from '../command.js';
import { humanSize } from '../format/size.js';

/** Files smaller than this finish before a bar would be readable. */
export const progressThresholdBytes = 8 * 1024 * 1024;

export interface ProgressTicker {
  advance(bytes: number): void;
  finish(): void;
}

export interface TransferProgress {
  /** A ticker for one file; a no-op for small files or when stderr is not a terminal. */
  track(name: string, totalBytes: number): ProgressTicker;
  stop(): void;
}

const silentTicker: ProgressTicker = { advance: () => {}, finish: () => {} };
const silentProgress: TransferProgress = { track: () => silentTicker, stop: () => {} };

export async function createTransferProgress(io: CommandIo): Promise<TransferProgress> {
  if (!io.stderrIsTerminal) return silentProgress;
  // Loaded only here: most commands never draw a bar.
  const { default: cliProgress } = await import('cli-progress');
  const bars = new cliProgress.MultiBar(
    {
      stream: io.stderr as NodeJS.WritableStream,
      format: '{name} |{bar}| {percentage}% {done}/{size}',
      hideCursor: true,
      stopOnComplete: false,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    track(name, totalBytes) {
      if (totalBytes < progressThresholdBytes) return silentTicker;
      const bar = bars.create(totalBytes, 0, { name, done: humanSize(0), size: humanSize(totalBytes) });
      let done = 0;
      return {
        advance(bytes) {
          done += bytes;
          bar.update(done, { done: humanSize(done) });
        },
        finish: () => bar.stop(),
      };
    },
    stop: () => bars.stop(),
  };
}

/** A pass-through that tells the ticker how many bytes went by. */
export function countingStream(ticker: ProgressTicker): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      ticker.advance(chunk.length);
      callback(null, chunk);
    },
  });
}

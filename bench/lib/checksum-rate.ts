// What checksums cost, in-process: CRC32C (`@node-rs/crc32`) over 1 MiB chunks against the
// rate of copying the same chunks (memcpy), plus the rates of the product's own per-chunk
// paths (the writer's 512-byte checksums, a datanode's verification) for the notes.
import { randomBytes } from 'node:crypto';
import { crc32c } from '@node-rs/crc32';
import { computeChunkChecksums, findChecksumMismatch } from '../../protocol/checksum.js';
import { entry, mebibyte, median, repeat, timed } from './measure.js';
import type { BenchEntry } from './types.js';

/** Large enough that the chunks do not all sit in the CPU's caches, as data from a socket would not. */
const sourceBytes = 64 * mebibyte;
const chunkBytes = mebibyte;
const bytesPerChecksum = 512;
/** Below this rate CRC32C would cost more than a tenth of a 100 MiB/s data path on every hop. */
const crcTargetMiBps = 1000;

/** Seconds to run `work` over `totalBytes` of `source`, 1 MiB at a time, wrapping around. */
function overChunks(source: Buffer, totalBytes: number, work: (chunk: Buffer, offset: number) => void): Promise<number> {
  return timed(() => {
    for (let done = 0; done < totalBytes; done += chunkBytes) {
      const offset = done % sourceBytes;
      work(source.subarray(offset, offset + chunkBytes), offset);
    }
  });
}

export async function measureChecksumRate(quick: boolean): Promise<BenchEntry> {
  const totalBytes = (quick ? 128 : 1024) * mebibyte;
  const totalMiB = totalBytes / mebibyte;
  const source = randomBytes(sourceBytes);
  const target = Buffer.allocUnsafe(chunkBytes);
  let sink = 0;
  // Interleaved, so both see the same competition for the CPU on a shared machine.
  const crcSamples: number[] = [];
  const copySamples: number[] = [];
  for (let repetition = 0; repetition < 5; repetition++) {
    crcSamples.push(totalMiB / (await overChunks(source, totalBytes, (chunk) => (sink ^= crc32c(chunk)))));
    copySamples.push(totalMiB / (await overChunks(source, totalBytes, (chunk) => chunk.copy(target))));
  }
  const checksums = computeChunkChecksums(source, bytesPerChecksum);
  const checksumsOf = (offset: number): Buffer => checksums.subarray((offset / bytesPerChecksum) * 4, ((offset + chunkBytes) / bytesPerChecksum) * 4);
  const writerRate = median(await repeat(3, async () => totalMiB / (await overChunks(source, totalBytes, (chunk) => computeChunkChecksums(chunk, bytesPerChecksum)))));
  const verifyRate = median(
    await repeat(3, async () => totalMiB / (await overChunks(source, totalBytes, (chunk, offset) => (sink ^= findChecksumMismatch(chunk, checksumsOf(offset), bytesPerChecksum))))),
  );
  if (sink === 0.5) throw new Error('unreachable: keeps the CRCs from being optimised away');
  return entry({
    name: 'crc32c',
    samples: crcSamples,
    unit: 'MiB/s',
    baseline: median(copySamples),
    baselineName: 'memcpy (Buffer.copy) of the same 1 MiB chunks',
    target: `value >= ${crcTargetMiBps} MiB/s`,
    meets: (value) => value >= crcTargetMiBps,
    better: 'higher',
    notes:
      `${totalMiB} MiB in 1 MiB chunks from a 64 MiB buffer, one thread. The product's paths on 1 MiB: ` +
      `writer's per-${bytesPerChecksum}-byte checksums (computeChunkChecksums) ${writerRate.toFixed(0)} MiB/s, ` +
      `a datanode's verification (findChecksumMismatch) ${verifyRate.toFixed(0)} MiB/s.`,
  });
}

// Reading a local file for an upload: every byte up to the real end of file, in fresh
// buffers of at most a packet, whether the file is empty, small, spans packets, or grew or
// shrank after it was stat'ed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { localFileStream } from '../../client-lib/local-file.js';
import { packetDataBytes } from '../../protocol/limits.js';

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function fileWith(data: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tsdfs-local-file-'));
  dirs.push(dir);
  const path = join(dir, 'f');
  await writeFile(path, data);
  return path;
}

async function chunksOf(path: string, expectedBytes: number): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of localFileStream(path, expectedBytes)) chunks.push(chunk as Buffer);
  return chunks;
}

describe('localFileStream', () => {
  it('reads empty, small and multi-packet files whole, in chunks of at most a packet that are never the same buffer', async () => {
    for (const size of [0, 4096, packetDataBytes, 2 * packetDataBytes + 5]) {
      const data = randomBytes(size);
      const chunks = await chunksOf(await fileWith(data), size);
      assert.deepEqual(Buffer.concat(chunks), data, `size ${size}`);
      assert.ok(chunks.every((chunk) => chunk.length > 0 && chunk.length <= packetDataBytes));
      assert.equal(new Set(chunks.map((chunk) => chunk.buffer)).size, chunks.length, 'fresh buffers');
      if (size > 0) assert.equal(chunks[0]?.length, Math.min(size, packetDataBytes), 'the first chunk is a whole packet or the whole file');
    }
  });

  it('reads to the real end when the file grew or shrank after it was stat-ed', async () => {
    const data = randomBytes(300_000);
    assert.deepEqual(Buffer.concat(await chunksOf(await fileWith(data), 1000)), data, 'grew');
    assert.deepEqual(Buffer.concat(await chunksOf(await fileWith(data), 5_000_000)), data, 'shrank');
  });
});

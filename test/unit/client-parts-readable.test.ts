// The byte stream over packet parts: every part in order, the source's error as the stream's
// error, and a consumer that stops early ends the source (so it closes its connection).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { readableFromParts } from '../../client-lib/read/parts-readable.js';

describe('readableFromParts', () => {
  it('delivers every part in order', async () => {
    async function* source(): AsyncGenerator<Buffer[]> {
      for (let packet = 0; packet < 50; packet++) yield [Buffer.from(`${packet}a,`), Buffer.alloc(0), Buffer.from(`${packet}b,`)];
    }
    const chunks: Buffer[] = [];
    for await (const chunk of readableFromParts(source())) chunks.push(chunk as Buffer);
    const expected = Array.from({ length: 50 }, (_, packet) => `${packet}a,${packet}b,`).join('');
    assert.equal(Buffer.concat(chunks).toString(), expected);
  });

  it("fails with the source's error", async () => {
    async function* source(): AsyncGenerator<Buffer[]> {
      yield [Buffer.from('x')];
      throw new Error('replica gone');
    }
    await assert.rejects(pipeline(readableFromParts(source()), new Writable({ write: (_chunk, _encoding, done) => done() })), /replica gone/);
  });

  it('ends the source when the consumer stops early', async () => {
    let cleanedUp = false;
    async function* source(): AsyncGenerator<Buffer[]> {
      try {
        for (;;) yield [Buffer.alloc(64 * 1024)];
      } finally {
        cleanedUp = true;
      }
    }
    for await (const _chunk of readableFromParts(source())) break;
    assert.equal(cleanedUp, true);
  });
});

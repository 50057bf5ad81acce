// The raw block-read client against a real local TCP server that answers with scripted
// bytes: good replies (chunked and content-length, connection kept), and every kind of bad
// one (malformed heads, oversized heads, missing or conflicting framing, cut bodies, garbage
// chunk framing, bad packets, corrupt data) must be a clear error, never a crash or a byte
// handed on unverified.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import { closeConnectionPool } from '../../client-lib/http1/datanode-connection.js';
import { releaseReadParts } from '../../client-lib/http1/read-slabs.js';
import { ReplicaChecksumError, readReplica } from '../../client-lib/read/replica-reader.js';
import { computeChunkChecksums } from '../../protocol/checksum.js';
import { encodePacket } from '../../protocol/data-transfer.js';
import { DfsError } from '../../protocol/errors.js';

const bytesPerChecksum = 512;
const data = randomBytes(5000);
const agent = new http.Agent({ keepAlive: true });

/** The read reply body: two packets covering `data`. */
function packetBytes(content = data): Buffer {
  const first = content.subarray(0, 4096);
  const second = content.subarray(4096);
  return Buffer.concat([
    ...encodePacket({ seq: 0, offset: 0, dataLength: first.length, last: false, data: first, checksums: computeChunkChecksums(first, bytesPerChecksum) }),
    ...encodePacket({ seq: 1, offset: 4096, dataLength: second.length, last: true, data: second, checksums: computeChunkChecksums(second, bytesPerChecksum) }),
  ]);
}

const goodHeaders = `x-tsdfs-bytes-per-checksum: ${bytesPerChecksum}\r\nx-tsdfs-start-offset: 0\r\n`;

function lengthReply(body: Buffer, extraHeaders = ''): Buffer {
  return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\n${goodHeaders}content-length: ${body.length}\r\n${extraHeaders}\r\n`), body]);
}

function chunkedReply(body: Buffer): Buffer {
  const half = Math.floor(body.length / 2);
  const chunk = (part: Buffer): Buffer => Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]);
  return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\n${goodHeaders}transfer-encoding: chunked\r\n\r\n`), chunk(body.subarray(0, half)), chunk(body.subarray(half)), Buffer.from('0\r\n\r\n')]);
}

/** What the server does with each request on a connection: bytes to send, then close or keep open. */
type Script = (requestIndex: number) => { bytes: Buffer; close?: boolean; slowly?: boolean };
let script: Script = () => ({ bytes: lengthReply(packetBytes()) });
let connections = 0;
const server = net.createServer((socket) => {
  connections++;
  let requests = 0;
  let pending = '';
  socket.on('error', () => {});
  socket.on('data', (chunk) => {
    pending += chunk.toString('latin1');
    while (pending.includes('\r\n\r\n')) {
      pending = pending.slice(pending.indexOf('\r\n\r\n') + 4);
      const { bytes, close, slowly } = script(requests++);
      if (slowly) {
        // One byte at a time: every parser state meets a split.
        let at = 0;
        const drip = (): void => {
          if (at < bytes.length) socket.write(bytes.subarray(at, ++at), drip);
          else if (close) socket.end();
        };
        drip();
      } else {
        socket.write(bytes);
        if (close) socket.end();
      }
    }
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const name = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;

after(async () => {
  closeConnectionPool(agent);
  await new Promise((resolve) => server.close(resolve));
});

async function read(start = 0, end = data.length): Promise<Buffer> {
  const location = { uuid: 'dn-0', name, hostname: '127.0.0.1', rack: '/default-rack' };
  const parts: Buffer[] = [];
  for await (const packet of readReplica({ agent, location, block: { id: 7, genStamp: 1001, length: data.length }, token: 'tok', start, end, idleTimeoutMs: 2000 })) {
    parts.push(...packet);
  }
  return Buffer.concat(parts);
}

describe('raw block read: good replies', () => {
  test('a content-length reply is read whole and the connection is kept for the next read', async () => {
    script = () => ({ bytes: lengthReply(packetBytes()) });
    const before = connections;
    assert.deepEqual(await read(), data);
    assert.deepEqual(await read(100, 4500), data.subarray(100, 4500));
    assert.equal(connections - before, 1);
  });

  test('a chunked reply, even one byte at a time, is read whole', async () => {
    script = () => ({ bytes: chunkedReply(packetBytes()), slowly: true });
    assert.deepEqual(await read(), data);
  });

  test('a kept connection the datanode closed after its reply is replaced without failing the read', async () => {
    script = () => ({ bytes: lengthReply(packetBytes()), close: true });
    assert.deepEqual(await read(), data);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(await read(), data);
  });

  test('a refusal is the DfsError of its RemoteException', async () => {
    const body = Buffer.from(JSON.stringify({ RemoteException: { exception: 'AccessControlException', message: 'token expired', code: 'AccessDenied' } }));
    script = () => ({ bytes: Buffer.concat([Buffer.from(`HTTP/1.1 403 Forbidden\r\ncontent-length: ${body.length}\r\n\r\n`), body]) });
    await assert.rejects(read(), (error: unknown) => error instanceof DfsError && error.code === 'AccessDenied' && /token expired/.test(error.message));
  });
});

describe('raw block read: slab reuse never overwrites bytes still held', () => {
  const big = randomBytes(12 * 1024 * 1024 + 777);
  /** `big` as 1 MiB packets, the last one short. */
  function bigBody(): Buffer {
    const buffers: Buffer[] = [];
    const packet = 1024 * 1024;
    for (let offset = 0, seq = 0; offset < big.length; offset += packet, seq++) {
      const slice = big.subarray(offset, Math.min(offset + packet, big.length));
      const last = offset + packet >= big.length;
      buffers.push(...encodePacket({ seq, offset, dataLength: slice.length, last, data: slice, checksums: computeChunkChecksums(slice, bytesPerChecksum) }));
    }
    return Buffer.concat(buffers);
  }
  const location = { uuid: 'dn-0', name, hostname: '127.0.0.1', rack: '/default-rack' };
  const block = { id: 9, genStamp: 1, length: big.length };

  test('a recycling consumer that releases late still sees every byte as sent', async () => {
    const body = bigBody();
    script = () => ({ bytes: lengthReply(body) });
    const held: Array<{ parts: Buffer[]; offset: number }> = [];
    let offset = 0;
    const check = (entry: { parts: Buffer[]; offset: number }): void => {
      const bytes = Buffer.concat(entry.parts);
      assert.ok(bytes.equals(big.subarray(entry.offset, entry.offset + bytes.length)), `bytes at ${entry.offset} changed before release`);
      releaseReadParts(entry.parts);
    };
    for await (const parts of readReplica({ agent, location, block, token: '', start: 0, end: big.length, recycle: true })) {
      held.push({ parts, offset });
      for (const part of parts) offset += part.length;
      // Release with a lag of a few packets, after a pause, as a slow disk write would.
      if (held.length > 4) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        check(held.shift() as { parts: Buffer[]; offset: number });
      }
    }
    for (const entry of held) check(entry);
    assert.equal(offset, big.length);
  });

  test('a consumer that keeps its buffers keeps them intact across later reads on the same connection', async () => {
    const body = bigBody();
    script = () => ({ bytes: lengthReply(body) });
    const kept: Buffer[] = [];
    for await (const parts of readReplica({ agent, location, block, token: '', start: 0, end: big.length })) kept.push(...parts);
    for await (const parts of readReplica({ agent, location, block, token: '', start: 0, end: big.length, recycle: true })) releaseReadParts(parts);
    assert.ok(Buffer.concat(kept).equals(big));
  });
});

describe('raw block read: bad replies are clear errors', () => {
  const cases: Array<[string, () => Buffer, RegExp]> = [
    ['a malformed status line', () => Buffer.from('HTTP/9 OK\r\n\r\n'), /bad status line/],
    ['garbage instead of HTTP', () => randomBytes(64).fill(0x41, 0, 4), /bad status line|before the end/],
    ['a header line without a colon', () => Buffer.from(`HTTP/1.1 200 OK\r\n${goodHeaders}nonsense\r\ncontent-length: 0\r\n\r\n`), /bad header line/],
    ['a head longer than the limit', () => Buffer.from(`HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`), /longer than/],
    ['a 200 without framing', () => Buffer.from(`HTTP/1.1 200 OK\r\n${goodHeaders}\r\n`), /neither content-length nor chunked/],
    ['a bad content-length', () => Buffer.from(`HTTP/1.1 200 OK\r\n${goodHeaders}content-length: 12abc\r\n\r\n`), /bad content-length/],
    ['conflicting content-lengths', () => Buffer.from(`HTTP/1.1 200 OK\r\n${goodHeaders}content-length: 5\r\ncontent-length: 6\r\n\r\n`), /conflicting content-length/],
    ['both framings', () => Buffer.from(`HTTP/1.1 200 OK\r\n${goodHeaders}content-length: 5\r\ntransfer-encoding: chunked\r\n\r\n`), /both transfer-encoding and content-length/],
    ['an unknown transfer coding', () => Buffer.from(`HTTP/1.1 200 OK\r\n${goodHeaders}transfer-encoding: gzip\r\n\r\n`), /unsupported transfer-encoding/],
    ['a body shorter than its content-length', () => lengthReply(packetBytes()).subarray(0, 3000), /before the end of the reply body/],
    ['a content-length shorter than the packets', () => Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\n${goodHeaders}content-length: 100\r\n\r\n`), packetBytes()]), /content-length|reply ended/],
    ['garbage chunk framing', () => Buffer.from(`HTTP/1.1 200 OK\r\n${goodHeaders}transfer-encoding: chunked\r\n\r\nzz\r\n`), /bad chunk size line/],
    ['chunk data not followed by CRLF', () => Buffer.from(`HTTP/1.1 200 OK\r\n${goodHeaders}transfer-encoding: chunked\r\n\r\n2\r\nabXY`), /not followed by CRLF/],
    ['a bad packet header', () => lengthReply(randomBytes(100)), /magic|packet/i],
    ['bad read headers', () => Buffer.from('HTTP/1.1 200 OK\r\nx-tsdfs-bytes-per-checksum: 0\r\ncontent-length: 0\r\n\r\n'), /bad read reply headers/],
    ['an empty 200 body', () => lengthReply(Buffer.alloc(0)), /reply ended at block offset 0/],
  ];
  for (const [what, reply, expected] of cases) {
    test(what, async () => {
      script = () => ({ bytes: reply(), close: true });
      await assert.rejects(read(), (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, expected);
        return true;
      });
    });
  }

  test('a flipped data byte is a ReplicaChecksumError and no byte of that packet is handed on', async () => {
    const body = packetBytes();
    body.writeUInt8(body.readUInt8(body.length - 10) ^ 0xff, body.length - 10);
    script = () => ({ bytes: lengthReply(body), close: true });
    const location = { uuid: 'dn-0', name, hostname: '127.0.0.1', rack: '/default-rack' };
    const delivered: Buffer[] = [];
    await assert.rejects(async () => {
      for await (const parts of readReplica({ agent, location, block: { id: 7, genStamp: 1, length: data.length }, token: '', start: 0, end: data.length })) delivered.push(...parts);
    }, ReplicaChecksumError);
    assert.deepEqual(Buffer.concat(delivered), data.subarray(0, 4096));
  });

  test('a datanode that goes silent fails the read after the idle timeout', async () => {
    script = () => ({ bytes: Buffer.from(`HTTP/1.1 200 OK\r\n${goodHeaders}content-length: 10000\r\n\r\n`) });
    const location = { uuid: 'dn-0', name, hostname: '127.0.0.1', rack: '/default-rack' };
    const reader = readReplica({ agent, location, block: { id: 7, genStamp: 1, length: data.length }, token: '', start: 0, end: data.length, idleTimeoutMs: 200 });
    await assert.rejects(reader.next(), /no data for 200 ms/);
  });

  test('a refused connection is an error naming the address', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const location = { uuid: 'dn-1', name: `127.0.0.1:${port}`, hostname: '127.0.0.1', rack: '/default-rack' };
    await assert.rejects(readReplica({ agent, location, block: { id: 7, genStamp: 1, length: 10 }, token: '', start: 0, end: 10 }).next(), /ECONNREFUSED/);
  });
});

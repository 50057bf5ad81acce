// What one read costs in round trips: one getBlockLocations (it carries the file's length),
// and the datanode connection is kept for the next read instead of being torn down after
// the last packet. Against a stub namenode and a small fake datanode that counts connections.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import type { ClientContext } from '../../client-lib/client-context.js';
import { readFileRange } from '../../client-lib/read/file-reader.js';
import { computeChunkChecksums } from '../../protocol/checksum.js';
import type { LocatedBlock } from '../../protocol/common.js';
import { bytesPerChecksumHeader, encodePacket, startOffsetHeader } from '../../protocol/data-transfer.js';

const bytesPerChecksum = 512;
const data = randomBytes(3000);
const agent = new http.Agent({ keepAlive: true });
let connections = 0;
const server = http.createServer((request, response) => {
  const offset = Number(new URL(request.url ?? '', 'http://x').searchParams.get('offset'));
  const start = Math.floor(offset / bytesPerChecksum) * bytesPerChecksum;
  response.writeHead(200, { [bytesPerChecksumHeader]: String(bytesPerChecksum), [startOffsetHeader]: String(start) });
  const slice = data.subarray(start);
  for (const buffer of encodePacket({ seq: 0, offset: start, dataLength: slice.length, last: true, data: slice, checksums: computeChunkChecksums(slice, bytesPerChecksum) })) {
    response.write(buffer);
  }
  response.end();
});
server.on('connection', () => connections++);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const name = `127.0.0.1:${(server.address() as AddressInfo).port}`;

after(async () => {
  agent.destroy();
  await new Promise((resolve) => server.close(resolve));
});

function stubContext(calls: string[]): ClientContext {
  const located: LocatedBlock = {
    block: { id: 7, genStamp: 1001, length: data.length },
    offset: 0,
    locations: [{ uuid: 'dn-0', name, hostname: '127.0.0.1', rack: '/default-rack' }],
    corrupt: false,
    token: '',
  };
  const rpc = {
    call: async (method: string) => {
      calls.push(method);
      if (method === 'getBlockLocations') return { fileLength: data.length, underConstruction: false, blocks: [located] };
      throw new Error(`unexpected ${method}`);
    },
  };
  return { rpc, datanodeAgent: agent } as unknown as ClientContext;
}

async function readAll(context: ClientContext, start?: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const packet of readFileRange(context, '/f', { start })) parts.push(...packet);
  return Buffer.concat(parts);
}

test('each read is one namenode call, and reads share one datanode connection', async () => {
  const calls: string[] = [];
  const context = stubContext(calls);
  assert.ok((await readAll(context)).equals(data));
  assert.ok((await readAll(context, 1000)).equals(data.subarray(1000)));
  assert.ok((await readAll(context)).equals(data));
  assert.deepEqual(calls, ['getBlockLocations', 'getBlockLocations', 'getBlockLocations']);
  assert.equal(connections, 1);
});

test('a start past the end reads nothing, after one call', async () => {
  const calls: string[] = [];
  assert.equal((await readAll(stubContext(calls), data.length + 5)).length, 0);
  assert.deepEqual(calls, ['getBlockLocations']);
});

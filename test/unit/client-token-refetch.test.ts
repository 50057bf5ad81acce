// The reader's answer to a datanode refusing its block token: one fresh token from the
// namenode per block, then on to the next replica. Against fake datanodes and a stub
// namenode, so the number of calls is exact: a refused token never loops.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import type { ClientContext } from '../../client-lib/client-context.js';
import { readBlockRange } from '../../client-lib/read/block-reader.js';
import type { LocatedBlock } from '../../protocol/common.js';
import { DfsError } from '../../protocol/errors.js';

const servers: http.Server[] = [];
const agent = new http.Agent({ keepAlive: false });

after(async () => {
  agent.destroy();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A datanode that refuses every token, as it does a forged one; it counts the requests. */
async function refusingDatanode(): Promise<{ name: string; requests: string[] }> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(String(request.headers.authorization));
    const body = new DfsError('AccessDenied', 'block access token has a bad signature (forged or signed with another cluster secret)').toRemoteException();
    response.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { name: `127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function locatedOn(names: string[], token: string): LocatedBlock {
  return {
    block: { id: 7, genStamp: 1001, length: 1000 },
    offset: 0,
    locations: names.map((name, index) => ({ uuid: `dn-${index}`, name, hostname: '127.0.0.1', rack: '/default-rack' })),
    corrupt: false,
    token,
  };
}

/** A context whose namenode answers getBlockLocations with `refetched` and counts the calls. */
function stubContext(refetched: () => LocatedBlock): { context: ClientContext; calls: string[] } {
  const calls: string[] = [];
  const rpc = {
    call: async (method: string) => {
      calls.push(method);
      if (method === 'getBlockLocations') return { fileLength: 1000, underConstruction: false, blocks: [refetched()] };
      return {};
    },
  };
  return { context: { rpc, datanodeAgent: agent } as unknown as ClientContext, calls };
}

async function readAll(context: ClientContext, located: LocatedBlock): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const parts of readBlockRange(context, '/f', { located, start: 0, end: 1000 })) chunks.push(...parts);
  return Buffer.concat(chunks);
}

describe('reading with a refused block token', () => {
  it('a token refused for another reason than expiry (forged) is refetched once, then the read fails with AccessDenied', async () => {
    const a = await refusingDatanode();
    const b = await refusingDatanode();
    let refetches = 0;
    const { context, calls } = stubContext(() => locatedOn([a.name, b.name], `forged-again-${++refetches}`));
    await assert.rejects(readAll(context, locatedOn([a.name, b.name], 'forged')), (error: unknown) => {
      assert.ok(error instanceof DfsError);
      assert.equal(error.code, 'AccessDenied');
      assert.match(error.message, /Could not obtain block blk_7/);
      return true;
    });
    assert.deepEqual(calls, ['getBlockLocations'], 'one fresh token per block read, no more');
    // First replica with the old token, then both replicas with the fresh one: three requests in all.
    assert.deepEqual(a.requests, ['Bearer forged', 'Bearer forged-again-1']);
    assert.deepEqual(b.requests, ['Bearer forged-again-1']);
  });

  it('no refetch when the namenode no longer lists the block: the refusal is the answer', async () => {
    const a = await refusingDatanode();
    const { context, calls } = stubContext(() => ({ ...locatedOn([], 't'), block: { id: 8, genStamp: 1001, length: 1000 } }));
    await assert.rejects(readAll(context, locatedOn([a.name], 'forged')), /Could not obtain block blk_7/);
    assert.deepEqual(calls, ['getBlockLocations']);
    assert.equal(a.requests.length, 1);
  });
});

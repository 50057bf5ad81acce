// DfsClient.writeFileTo with a sink that fails on its own (a local file that cannot be
// opened): its error must come back as the call's rejection. `tsdfs get /f /no/such/dir/f`
// crashed with "Unhandled 'error' event" instead: the sink's open failed while writeFileTo
// was still loading the module that listens to it. That load happens once per process,
// so this file must not load the read path (client-lib/read/parts-sink.js) before the test.
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { DfsClient } from '../../client-lib/dfs-client.js';

/** A namenode that answers getBlockLocations (an empty file) only once `answerWhen` settled. */
let answerWhen: Promise<unknown> = Promise.resolve();
const namenode = http.createServer((request, response) => {
  request.resume();
  void answerWhen.then(() => {
    const body = request.url?.endsWith('/getBlockLocations') ? { fileLength: 0, underConstruction: false, blocks: [] } : {};
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
});
await new Promise<void>((resolve) => namenode.listen(0, '127.0.0.1', resolve));
const client = new DfsClient({ namenode: `http://127.0.0.1:${(namenode.address() as AddressInfo).port}`, user: 'tester' });

after(async () => {
  await client.close();
  await new Promise((resolve) => namenode.close(resolve));
});

describe('writeFileTo into a sink that fails', () => {
  it('a local file that cannot be opened rejects the call with its error, never an unhandled error event', async () => {
    const sink = createWriteStream('/nonexistent-tsdfs-test-dir/f._COPYING_');
    // Only 'close' is listened to ('error' stays unhandled, as in the CLI); the namenode
    // answers once the sink failed, so the failure is there before any byte could be written.
    answerWhen = new Promise<void>((resolve) => sink.on('close', () => resolve()));
    const outcome = await Promise.race([
      client.writeFileTo('/f', sink, { reuseBuffers: true }).then(
        () => 'resolved',
        (error: NodeJS.ErrnoException) => error.code,
      ),
      new Promise((resolve) => setTimeout(() => resolve('timed out'), 5_000).unref()),
    ]);
    assert.equal(outcome, 'ENOENT');
  });
});

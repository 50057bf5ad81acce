// The namenode RPC client's own HTTP/1.1 framing and connections: replies split at any
// byte, chunked bodies, limits, connections the server closes, against a raw TCP server.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, it } from 'node:test';
import { HttpReplyParser, ReplyFramingError, maxReplyHeadBytes } from '../../client-lib/namenode/http-reply-parser.js';
import { NamenodeRpc } from '../../client-lib/namenode/rpc-client.js';
import { DfsError } from '../../protocol/errors.js';

/** Feeds `text` one byte at a time; the reply and the byte after which it completed. */
function parseBytewise(text: string, maxBody = 1024): { status: number; body: string; keepAlive: boolean; at: number } {
  const parser = new HttpReplyParser(maxBody);
  const bytes = Buffer.from(text, 'latin1');
  for (let index = 0; index < bytes.length; index++) {
    const reply = parser.push(bytes.subarray(index, index + 1));
    if (reply !== undefined) return { status: reply.status, body: reply.body.toString('utf8'), keepAlive: reply.keepAlive, at: index + 1 };
  }
  const reply = parser.end();
  return { status: reply.status, body: reply.body.toString('utf8'), keepAlive: reply.keepAlive, at: bytes.length };
}

describe('HttpReplyParser', () => {
  it('frames a Content-Length reply split at every byte, and keeps the connection', () => {
    const text = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}';
    assert.deepEqual(parseBytewise(text), { status: 200, body: '{"ok":true}', keepAlive: true, at: text.length });
  });

  it('decodes chunked bodies with extensions and trailers', () => {
    const text = 'HTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\n\r\n4;x=y\r\n{"a"\r\n3\r\n:1}\r\n0\r\nTrailer: t\r\n\r\n';
    assert.deepEqual(parseBytewise(text), { status: 404, body: '{"a":1}', keepAlive: true, at: text.length });
  });

  it('reads an error reply to the close when there is no length, refuses an unframed 200, and honours Connection: close and HTTP/1.0', () => {
    assert.deepEqual(parseBytewise('HTTP/1.1 500 Oops\r\n\r\nall of it'), { status: 500, body: 'all of it', keepAlive: false, at: 30 });
    assert.throws(() => parseBytewise('HTTP/1.1 200 OK\r\n\r\nall of it'), /neither content-length nor chunked/);
    assert.equal(parseBytewise('HTTP/1.1 400 Bad\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}').keepAlive, false);
    assert.equal(parseBytewise('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}').keepAlive, false);
  });

  it('skips 1xx replies', () => {
    assert.equal(parseBytewise('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n').status, 200);
  });

  it('refuses bodies and heads over their limits, bad framing and truncated replies', () => {
    assert.throws(() => parseBytewise('HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n'), /larger than 1024 bytes/);
    assert.throws(() => parseBytewise(`HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n800\r\n${'a'.repeat(1100)}`), /larger than 1024 bytes/);
    assert.throws(() => new HttpReplyParser(10).push(Buffer.alloc(maxReplyHeadBytes + 1, 0x61)), ReplyFramingError);
    assert.throws(() => parseBytewise('SSH-2.0-OpenSSH\r\n\r\n'), /bad status line/);
    assert.throws(() => parseBytewise('HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n'), /bad content-length/);
    assert.throws(() => parseBytewise('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n'), /bad chunk size line/);
    assert.throws(() => parseBytewise('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab'), /closed before the reply ended/);
  });

  it('does not keep a connection that sent bytes past the reply', () => {
    const parser = new HttpReplyParser(100);
    const reply = parser.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP'));
    assert.equal(reply?.keepAlive, false);
  });
});

/** A TCP server answering each request with `answer(requestNumber, socket)`. */
async function rawServer(answer: (index: number, socket: net.Socket) => void): Promise<{ url: string; close(): Promise<void>; connections: () => number }> {
  let requests = 0;
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('data', (chunk) => {
      if (chunk.includes('\r\n\r\n')) answer(requests++, socket);
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: async () => {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

const okReply = (body: string): string => `HTTP/1.1 200 OK\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('NamenodeRpc connections', () => {
  it('reuses one keep-alive connection for sequential calls', async () => {
    const server = await rawServer((_index, socket) => socket.write(okReply('{"complete":true}')));
    const rpc = new NamenodeRpc({ baseUrl: server.url, user: 'alice', token: undefined });
    try {
      for (let call = 0; call < 5; call++) assert.deepEqual(await rpc.call('complete', { path: '/f', clientName: 'c', fileId: 1 }), { complete: true });
      assert.equal(server.connections(), 1);
    } finally {
      rpc.close();
      await server.close();
    }
  });

  it('sends a call again on a new connection when the server closed the idle one', async () => {
    // The first connection answers once, then resets on the next request as a server that timed it out would.
    const server = await rawServer((index, socket) => (index === 1 ? socket.resetAndDestroy() : socket.write(okReply('{"complete":true}'))));
    const rpc = new NamenodeRpc({ baseUrl: server.url, user: 'alice', token: undefined });
    try {
      await rpc.call('complete', { path: '/f', clientName: 'c', fileId: 1 });
      assert.deepEqual(await rpc.call('complete', { path: '/f', clientName: 'c', fileId: 1 }), { complete: true });
      assert.equal(server.connections(), 2);
    } finally {
      rpc.close();
      await server.close();
    }
  });

  it('rebuilds RemoteExceptions, and words broken and refused connections', async () => {
    const remote = JSON.stringify({ RemoteException: { exception: 'FileNotFoundException', message: 'no /f' } });
    const server = await rawServer((index, socket) => {
      if (index === 0) socket.write(`HTTP/1.1 404 Not Found\r\ncontent-length: ${remote.length}\r\n\r\n${remote}`);
      else socket.end('HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\n{"comp');
    });
    const rpc = new NamenodeRpc({ baseUrl: server.url, user: 'alice', token: undefined });
    try {
      await assert.rejects(rpc.call('complete', { path: '/f', clientName: 'c', fileId: 1 }), (error: unknown) => error instanceof DfsError && error.code === 'FileNotFound');
      await assert.rejects(rpc.call('complete', { path: '/f', clientName: 'c', fileId: 1 }), /broke off the complete reply: connection closed before the reply ended/);
    } finally {
      rpc.close();
      await server.close();
    }
    const refused = new NamenodeRpc({ baseUrl: server.url, user: 'alice', token: undefined });
    await assert.rejects(refused.call('complete', { path: '/f', clientName: 'c', fileId: 1 }), /cannot reach namenode http:\/\/127\.0\.0\.1:\d+ \(complete\): connect ECONNREFUSED/);
  });

  it('refuses a user name that cannot go in a header, sending nothing', async () => {
    const rpc = new NamenodeRpc({ baseUrl: 'http://127.0.0.1:1', user: 'eve\r\nx-tsdfs-user: root', token: undefined });
    await assert.rejects(rpc.call('complete', { path: '/f', clientName: 'c', fileId: 1 }), /user name holds a character/);
  });
});

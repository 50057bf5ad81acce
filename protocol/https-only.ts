// HTTPS-only serving, shared by the namenode and the datanodes (which may share only
// protocol/ and config/). A plain-HTTP client reaching a TLS port would otherwise see only
// a dropped connection; here each new connection's first byte is looked at: a TLS
// handshake goes on to the HTTPS server, anything else gets a plain-text 400
// RemoteException saying that this port speaks HTTPS and what to set.
import type { RequestListener } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { DfsError } from './errors.js';

/** The first byte of every TLS connection: a handshake record. */
export const tlsHandshakeRecordType = 0x16;
/** A connection silent this long before its first byte is dropped (no slot held forever). */
export const firstByteTimeoutMs = 30_000;

/** The message a plain-HTTP client gets from a TLS port of `role` ("namenode", "datanode"). */
export function plainHttpRefusalMessage(role: string): string {
  return `this ${role} serves HTTPS only (tsdfs.tls.cert.file is set on it): connect with TLS — set tsdfs.tls.ca.file to the cluster's CA, or use https://HOST:PORT`;
}

/**
 * An https.Server that answers plain HTTP with a clear 400 instead of a reset. It listens,
 * closes and tracks connections as any https.Server does; only who gets a new socket first
 * changes (Node's TLS handling replays the byte we looked at, see `unshift`).
 */
export function createHttpsOnlyServer(options: https.ServerOptions, listener: RequestListener, role: string): https.Server {
  const server = https.createServer(options, listener);
  const tlsConnectionListeners = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    const onEarlyError = (): void => {
      socket.destroy();
    };
    socket.on('error', onEarlyError);
    socket.setTimeout(firstByteTimeoutMs, () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(chunk);
      if (chunk[0] === tlsHandshakeRecordType) {
        socket.off('error', onEarlyError);
        for (const tlsListener of tlsConnectionListeners) tlsListener.call(server, socket);
        return;
      }
      refusePlainHttp(socket, role);
    });
  });
  return server;
}

function refusePlainHttp(socket: Socket, role: string): void {
  const body = JSON.stringify(new DfsError('InvalidRequest', plainHttpRefusalMessage(role)).toRemoteException());
  socket.end(
    'HTTP/1.1 400 Bad Request\r\n' +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
  // Read and drop whatever else the client sent, so the socket can close.
  socket.resume();
}

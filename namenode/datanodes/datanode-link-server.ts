// The datanode link's socket side: the WebSocket server on `/datanode`, one message at a
// time per socket in order, replies sent back, a re-registered datanode's old socket closed.
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import { datanodeLinkPath } from '../../protocol/datanode-namenode.js';
import { maxDatanodeMessageBytes } from '../../protocol/limits.js';
import type { NamenodeServices } from '../namenode-services.js';
import { scanBlockReportFrame } from './block-report-scanner.js';
import type { DatanodeDescriptor } from './datanode-manager.js';
import { DatanodeLinkHandlers, type LinkReply, type LinkSession, newLinkSession, parseDatanodeFrame } from './datanode-link.js';

export interface DatanodeLink {
  server: WebSocketServer;
  /**
   * Sends `node` its queued commands now, in a heartbeat reply of its own (the datanode takes
   * commands from any reply), so replication work does not wait up to a heartbeat interval.
   */
  pushCommands(node: DatanodeDescriptor): void;
  close(): Promise<void>;
}

export interface DatanodeLinkOptions {
  /** A datanode reported replicas that complete scheduled transfers. */
  onTransfersConfirmed?: () => void;
}

/** Serves the link on `server` at `/datanode`. */
export function attachDatanodeLink(server: Server, services: NamenodeServices, log: Logger, options: DatanodeLinkOptions = {}): DatanodeLink {
  const handlers = new DatanodeLinkHandlers(services, options.onTransfersConfirmed);
  const wss = new WebSocketServer({ server, path: datanodeLinkPath, maxPayload: maxDatanodeMessageBytes });
  const socketByUuid = new Map<string, WebSocket>();
  wss.on('connection', (socket, request) => {
    const session = newLinkSession(request.socket.remoteAddress ?? '');
    socket.on('error', (error) => log.warn({ err: error, datanode: session.datanodeUuid }, 'datanode link error'));
    // One message at a time per socket, in order. Most are handled at once; a block-report
    // chunk yields to the event loop while it is applied, and only then is the socket paused,
    // so later frames wait in the kernel's buffers, not in the heap.
    const waiting: Array<Buffer | null> = [];
    let draining = false;
    const answer = (reply: LinkReply): void => {
      if (reply.message?.type === 'registered') replaceOlderSocket(socketByUuid, session, socket);
      if (reply.warning !== undefined) log.warn({ remoteAddress: session.ipAddress }, reply.warning);
      send(socket, reply);
    };
    const failed = (error: unknown): void => {
      log.error({ err: error, datanode: session.datanodeUuid }, 'datanode message handler failed');
      send(socket, { message: { type: 'error', message: 'internal error handling the message', reregister: false } });
    };
    const drain = async (): Promise<void> => {
      draining = true;
      let paused = false;
      while (waiting.length > 0) {
        const frame = waiting.shift() as Buffer | null;
        try {
          const reply = handleFrame(handlers, session, frame);
          if (reply instanceof Promise) {
            if (!paused) socket.pause();
            paused = true;
            answer(await reply);
          } else {
            answer(reply);
          }
        } catch (error) {
          failed(error);
        }
      }
      draining = false;
      if (paused) socket.resume();
    };
    socket.on('message', (data, isBinary) => {
      // Frames stay bytes until handled: a report chunk is read from them without becoming a string.
      waiting.push(isBinary ? null : frameBytes(data));
      if (!draining) void drain();
    });
    send(socket, { message: { type: 'challenge', nonce: session.nonce } });
    socket.on('close', () => {
      // Liveness comes from heartbeats, never from the socket: only forget the binding.
      if (session.datanodeUuid !== undefined && socketByUuid.get(session.datanodeUuid) === socket) socketByUuid.delete(session.datanodeUuid);
    });
  });
  wss.on('error', (error) => log.error({ err: error }, 'datanode link server error'));
  return {
    server: wss,
    pushCommands: (node) => {
      const socket = socketByUuid.get(node.uuid);
      if (socket === undefined || node.lastLiveness === 'dead') return;
      const commands = services.datanodes.drainCommands(node, !services.safeMode.isOn);
      if (commands.length > 0) send(socket, { message: { type: 'heartbeatReply', seq: 0, commands } });
    },
    close: () => closeLink(wss),
  };
}

/** One frame; null stands for a binary one. A promise only for a block report (applied in slices). */
function handleFrame(handlers: DatanodeLinkHandlers, session: LinkSession, frame: Buffer | null): LinkReply | Promise<LinkReply> {
  if (frame === null) return { message: { type: 'error', message: 'binary frames are not part of the protocol', reregister: false } };
  const report = scanBlockReportFrame(frame);
  if (report !== undefined) return handlers.handleInSlices(session, report);
  const parsed = parseDatanodeFrame(frame.toString('utf8'));
  if ('reply' in parsed) return parsed.reply;
  return parsed.message.type === 'blockReport' ? handlers.handleInSlices(session, parsed.message) : handlers.handle(session, parsed.message);
}

/** A datanode that registers again on a new socket replaces its old one. */
function replaceOlderSocket(socketByUuid: Map<string, WebSocket>, session: LinkSession, socket: WebSocket): void {
  if (session.datanodeUuid === undefined) return;
  const previous = socketByUuid.get(session.datanodeUuid);
  if (previous === socket) return;
  socketByUuid.set(session.datanodeUuid, socket);
  previous?.close(1000, 'replaced by a newer registration');
}

function frameBytes(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

function send(socket: WebSocket, reply: LinkReply): void {
  if (reply.message !== undefined && socket.readyState === socket.OPEN) socket.send(JSON.stringify(reply.message));
  if (reply.close) socket.close(1008, 'registration refused');
}

function closeLink(wss: WebSocketServer): Promise<void> {
  for (const client of wss.clients) client.terminate();
  return new Promise((resolve) => wss.close(() => resolve()));
}

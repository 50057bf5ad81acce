// Fuzz frames for the namenode's datanode link (`/datanode` WebSocket): mutated datanode
// messages and raw garbage, before the HMAC handshake (anyone on the network can send
// those) and after it (only frames the schema refuses: an authenticated datanode is
// trusted, so a valid report from it is no attack).
import { WebSocket } from 'ws';
import { DatanodeMessage, NamenodeMessage } from '../../../protocol/datanode-namenode.js';
import { maxDatanodeMessageBytes } from '../../../protocol/limits.js';
import { signedRegister } from '../link-handshake.js';
import type { Tally } from './http-driver.js';
import { mutateObject, serialize } from './mutations.js';
import type { Random } from './random.js';

const storage = { capacity: 0, dfsUsed: 0, nonDfsUsed: 0, remaining: 0, volumes: [] };

function templates(random: Random): Array<Record<string, never>> {
  const nonce = 'A'.repeat(43);
  return [
    { type: 'register', datanodeUuid: `fuzz-${random.text(6)}`, clusterId: '', softwareVersion: '0.1.0', hostname: '127.0.0.1', dataPort: 1, storage, clientNonce: nonce, proof: nonce },
    { type: 'heartbeat', seq: 1, capacity: 0, dfsUsed: 0, nonDfsUsed: 0, remaining: 0, activeTransfers: 0, failedVolumes: 0 },
    { type: 'blockReport', reportId: 1, chunk: 0, last: true, replicas: [[random.int(1, 1e6), 1, 0]] },
    { type: 'incrementalBlockReport', received: [[random.int(1, 1e6), 1, 10]], deleted: [] },
    { type: 'reportBadBlocks', blocks: [[random.int(1, 1e6), 1]] },
  ] as unknown as Array<Record<string, never>>;
}

function nextFrame(random: Random, authenticated: boolean): string | Buffer {
  for (;;) {
    if (random.chance(0.05)) return random.bytes(random.int(0, 500)); // binary frame
    if (random.chance(0.005)) return Buffer.alloc(maxDatanodeMessageBytes + 1, 0x20); // over the frame limit
    const mutated = mutateObject(random, random.pick(templates(random)), ['/']);
    const text = serialize(random, mutated, 1024);
    if (!authenticated) return text;
    const parsed = typeof text === 'string' ? safeParse(text) : { success: false as const };
    if (!parsed.success || parsed.data.type === 'register') return text;
  }
}

function safeParse(text: string): ReturnType<typeof DatanodeMessage.safeParse> {
  try {
    return DatanodeMessage.safeParse(JSON.parse(text));
  } catch {
    return DatanodeMessage.safeParse(undefined);
  }
}

export interface LinkFuzzOptions {
  address: string;
  secret: Buffer;
  random: Random;
  frames: number;
  deadline: number;
  tally: Tally;
}

/** One connection: (optionally) a real handshake, then up to `perConnection` fuzz frames. */
async function fuzzConnection(options: LinkFuzzOptions, authenticated: boolean, perConnection: number): Promise<number> {
  const target = authenticated ? 'datanode link (after handshake)' : 'datanode link (before handshake)';
  const socket = new WebSocket(`ws://${options.address}/datanode`, { maxPayload: 16 * 1024 * 1024 });
  socket.on('error', () => {}); // a frame over the limit may surface as EPIPE
  const replies: unknown[] = [];
  let closeCode = 0;
  const closed = new Promise<void>((resolve) => socket.on('close', (code) => { closeCode = code; resolve(); }));
  socket.on('message', (data) => replies.push(safeJson(String(data))));
  const waitFor = async (count: number): Promise<boolean> => {
    const until = Date.now() + 5000;
    while (replies.length < count && closeCode === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 5));
    return replies.length >= count || closeCode !== 0;
  };
  if (!(await waitFor(1))) options.tally.fail(target, 'connect', 'no challenge within 5 s');
  const challenge = NamenodeMessage.safeParse(replies[0]);
  if (!challenge.success || challenge.data.type !== 'challenge') {
    options.tally.fail(target, 'connect', `expected a challenge, got ${JSON.stringify(replies[0])}`);
    socket.terminate();
    return 0;
  }
  let expected = 1;
  if (authenticated) {
    const registration = { type: 'register' as const, datanodeUuid: 'fuzz-datanode', clusterId: '', softwareVersion: '0.1.0', hostname: '127.0.0.1', dataPort: 1, storage };
    socket.send(JSON.stringify(signedRegister(options.secret, challenge.data.nonce, registration)));
    expected++;
    await waitFor(expected);
    if (NamenodeMessage.safeParse(replies[1]).data?.type !== 'registered') options.tally.fail(target, 'register', `not registered: ${JSON.stringify(replies[1])}`);
  }
  let sent = 0;
  for (; sent < perConnection && closeCode === 0 && Date.now() < options.deadline; sent++) {
    const frame = nextFrame(options.random, authenticated);
    socket.send(frame);
    expected++;
    if (!(await waitFor(expected))) options.tally.fail(target, describe(frame), 'no reply within 5 s');
    const reply = NamenodeMessage.safeParse(replies[expected - 1]);
    const type = closeCode !== 0 && replies.length < expected ? `closed ${closeCode}` : reply.success ? reply.data.type : 'malformed reply';
    options.tally.count(target, type);
    if (!['error', 'registrationRefused', 'closed 1008', 'closed 1009'].includes(type)) options.tally.fail(target, describe(frame), `answered ${type}: ${JSON.stringify(replies[expected - 1])}`);
    if (reply.success && reply.data.type === 'error' && /internal/.test(reply.data.message)) options.tally.fail(target, describe(frame), `the handler failed: ${reply.data.message}`);
  }
  socket.close();
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
  socket.terminate();
  return sent;
}

/** Alternates unauthenticated and authenticated connections until `frames` are sent or time is up. */
export async function fuzzDatanodeLink(options: LinkFuzzOptions): Promise<void> {
  let sent = 0;
  for (let n = 0; sent < options.frames && Date.now() < options.deadline; n++) {
    sent += await fuzzConnection(options, n % 2 === 1, options.random.int(5, 40));
  }
}

function describe(frame: string | Buffer): string {
  return typeof frame === 'string' ? frame.slice(0, 120) : `<binary ${frame.length} bytes>`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

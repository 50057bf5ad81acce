// Fuzz cases for the datanode's data server: `GET`/`PUT /blocks/<id>` with hostile ids,
// queries, tokens (forged, expired, for another block or access) and headers, and PUT
// bodies that are garbage or packet streams broken in one way or another.
import { computeChunkChecksums } from '../../../protocol/checksum.js';
import { encodePacketHeader, packetHeaderBytes, targetsHeader } from '../../../protocol/data-transfer.js';
import type { FuzzCase } from './http-driver.js';
import type { Random } from './random.js';
import { encodeRequestTarget } from './rpc-fuzz.js';

export interface DatanodeFuzzContext {
  /** A block of a protected file: it may be read, never changed. */
  protectedBlock: { id: number; genStamp: number; length: number };
  /** The fuzzer's own block, with the write token the namenode gave it. */
  ownBlock: { id: number; genStamp: number };
  /** The real read token of the protected block and write token of the fuzzer's block. */
  readToken: string;
  writeToken: string;
  /** Tokens that grant nothing here: forged, expired, mismatched. */
  tokens: string[];
  /** `uuid@host:port` of real and bogus pipeline targets. */
  targets: string[];
}

const hostileIds = ['0', '-1', '01', '1.5', '1e3', '0x10', 'abc', '', '..', '..%2f..%2fetc%2fpasswd', '%2e%2e', '9007199254740993', '99999999999999999', '18446744073709551616', '1%00', '1/..', '%31', '+1', ' 1', '١'];

function blockId(random: Random, context: DatanodeFuzzContext, put: boolean): string {
  if (put && random.chance(0.5)) return String(context.ownBlock.id);
  switch (random.int(0, 5)) {
    case 0: return String(context.protectedBlock.id);
    case 1: return String(context.ownBlock.id);
    case 2: return random.pick(hostileIds);
    case 3: return String(random.int(1, 2 ** 31));
    case 4: return `${context.ownBlock.id}${random.pick(['/', '/x', '/../1', '?', '#', ';x', '%2f..'])}`;
    default: return String(context.protectedBlock.id + random.int(-3, 3));
  }
}

function queryNumber(random: Random, near: number): string {
  return random.pick([String(near), String(near + 1), '0', '-1', '1e3', '0x10', 'abc', '', '18446744073709551616', String(2 ** 53), '1.5', ' 1', '%00']);
}

function query(random: Random, context: DatanodeFuzzContext, put: boolean): string {
  const params: string[] = [];
  const genStamp = random.chance(0.5) ? context.protectedBlock.genStamp : context.ownBlock.genStamp;
  if (random.chance(0.9)) params.push(`genStamp=${queryNumber(random, genStamp)}`);
  if (random.chance(0.5)) params.push(`offset=${queryNumber(random, random.int(0, context.protectedBlock.length))}`);
  if (!put && random.chance(0.5)) params.push(`length=${queryNumber(random, random.int(0, 1000))}`);
  if (put) {
    if (random.chance(0.9)) params.push(`bytesPerChecksum=${random.pick(['512', '16', '15', '1048576', '1048577', '0', '513', 'x'])}`);
    if (random.chance(0.5)) params.push(`stage=${random.pick(['write', 'recover', 'transfer', 'WRITE', '', 'x'])}`);
    if (random.chance(0.3)) params.push(`oldGenStamp=${queryNumber(random, genStamp)}`);
    if (random.chance(0.2)) params.push(`clientName=${random.pick(['fuzz', 'x'.repeat(300), '%00'])}`);
  }
  if (random.chance(0.1)) params.push(random.pick(['genStamp=1&genStamp=2', 'x=1', '&&', '=', 'offset', '%ff=%fe']));
  return params.join('&');
}

/** A query that is right but for at most one parameter, so bodies reach the packet decoder. */
function nearlyValidQuery(random: Random, context: DatanodeFuzzContext, put: boolean): string {
  const block = put ? context.ownBlock : context.protectedBlock;
  const params = new URLSearchParams(put ? { genStamp: String(block.genStamp), bytesPerChecksum: '512' } : { genStamp: String(block.genStamp), offset: String(random.int(0, 70_000)), length: String(random.int(0, 70_000)) });
  if (put && random.chance(0.3)) {
    params.set('stage', 'recover');
    params.set('oldGenStamp', String(block.genStamp - random.int(0, 1)));
    params.set('genStamp', String(block.genStamp + random.int(0, 1)));
    params.set('offset', String(random.pick([0, 512, 1000, 70_000])));
  }
  if (random.chance(0.5)) {
    const keys = [...params.keys()];
    params.set(random.pick(keys), queryNumber(random, random.int(0, 100)));
  }
  return params.toString();
}

/** A PUT body: random bytes, or packets with one thing wrong (or, rarely, nothing wrong). */
function putBody(random: Random): Buffer {
  if (random.chance(0.2)) return random.bytes(random.pick([0, 1, 23, 24, 25, 1000, 70_000]));
  const parts: Buffer[] = [];
  let offset = 0;
  for (let seq = 0, count = random.int(1, 4); seq < count; seq++) {
    const dataLength = random.pick([0, 1, 511, 512, 513, 4096, random.int(0, 3000)]);
    const data = random.bytes(dataLength);
    const checksums = random.chance(0.7) ? computeChunkChecksums(data, 512) : random.bytes(Math.ceil(dataLength / 512) * 4);
    const header = encodePacketHeader({ seq: random.chance(0.9) ? seq : random.int(0, 2 ** 32 - 1), offset: random.chance(0.8) ? offset : random.int(0, 2 ** 40), dataLength, last: seq === count - 1 && random.chance(0.7) });
    if (random.chance(0.1)) header.writeUInt32BE(random.pick([0, 0xffffffff, 16 * 1024 * 1024 + 1]), 16); // announced length
    if (random.chance(0.05)) header.writeUInt8(random.pick([2, 255]), 20); // unknown flags
    if (random.chance(0.05)) header.writeUInt32BE(0xdeadbeef, 0); // bad magic
    parts.push(header, checksums, data);
    offset += dataLength;
  }
  const body = Buffer.concat(parts);
  // Cut short somewhere, sometimes inside the header.
  return random.chance(0.15) ? body.subarray(0, random.int(0, Math.max(0, body.length - 1))) : random.chance(0.05) ? body.subarray(0, packetHeaderBytes - 1) : body;
}

function headers(random: Random, context: DatanodeFuzzContext, put: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  const real = put ? context.writeToken : context.readToken;
  if (random.chance(0.85)) out.authorization = random.chance(0.5) ? `Bearer ${real}` : random.chance(0.8) ? `Bearer ${random.pick([...context.tokens, context.readToken, context.writeToken])}` : random.pick(['Bearer', 'Bearer  ', 'Basic x', `Bearer ${'A'.repeat(5000)}`, 'bearer a.b', 'Bearer a b']);
  if (put && random.chance(0.5)) {
    const targets = Array.from({ length: random.pick([0, 1, 2, 17]) }, () => random.pick(context.targets));
    out[targetsHeader] = random.chance(0.8) ? targets.join(',') : random.pick(['x', '@', ',', 'a@b', 'a@127.0.0.1:99999', `${'a'.repeat(65)}@127.0.0.1:1`]);
  }
  if (random.chance(0.05)) out['transfer-encoding'] = 'chunked';
  if (random.chance(0.05)) out.expect = '100-continue';
  if (random.chance(0.05)) out['content-type'] = random.pick(['application/json', 'text/plain']);
  return out;
}

/** The next data-server fuzz case. */
export function nextDatanodeCase(context: DatanodeFuzzContext, random: Random): FuzzCase {
  const roll = random.next();
  const verb = roll < 0.45 ? 'GET' : roll < 0.93 ? 'PUT' : random.pick(['POST', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);
  const put = verb === 'PUT';
  // Half the cases aim at the right block with the right token, so they get past the gate.
  const aimed = (verb === 'GET' || put) && random.chance(0.5);
  const id = aimed ? String(put ? context.ownBlock.id : context.protectedBlock.id) : blockId(random, context, put);
  let path = `/blocks/${id}?${aimed ? nearlyValidQuery(random, context, put) : query(random, context, put)}`;
  if (random.chance(0.04)) path = random.pick(['/blocks', '/blocks/', '/metrics', '/status', '/', '/nope', '/blocks/../metrics', '//blocks/1', '/%ff', '/blocks/%']);
  const body = put ? putBody(random) : verb === 'POST' || verb === 'PATCH' ? random.bytes(random.int(0, 100)) : undefined;
  const h = headers(random, context, put);
  if (aimed) h.authorization = `Bearer ${put ? context.writeToken : context.readToken}`;
  if (h['transfer-encoding'] !== undefined && body === undefined) delete h['transfer-encoding'];
  const c: FuzzCase = { what: `${verb} ${path.slice(0, 120)} [${Object.keys(h).join(',')}] ${body === undefined ? '' : `${body.length} bytes`}`, method: verb, path: encodeRequestTarget(path), headers: h };
  if (body !== undefined) c.body = body;
  return c;
}

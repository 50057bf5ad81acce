// The reader's packet splitter and parts verification: packets come out whole and in order
// however the byte stream is cut, and a flipped byte in any part is found and named.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { PacketSplitter } from '../../client-lib/read/packet-splitter.js';
import { computeChunkChecksums, findChecksumMismatchInParts } from '../../protocol/checksum.js';
import { encodePacket, encodePacketHeader, PacketFormatError } from '../../protocol/data-transfer.js';
import { maxPacketDataBytes } from '../../protocol/limits.js';

const bytesPerChecksum = 512;

function packetsOf(data: Buffer, packetBytes: number): Buffer {
  const encoded: Buffer[] = [];
  let seq = 0;
  for (let offset = 0; offset < data.length || seq === 0; offset += packetBytes) {
    const slice = data.subarray(offset, Math.min(offset + packetBytes, data.length));
    const last = offset + packetBytes >= data.length;
    encoded.push(...encodePacket({ seq: seq++, offset, dataLength: slice.length, last, data: slice, checksums: computeChunkChecksums(slice, bytesPerChecksum) }));
  }
  return Buffer.concat(encoded);
}

function cut(stream: Buffer, sizes: () => number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let at = 0; at < stream.length; ) {
    const size = Math.max(1, sizes());
    pieces.push(stream.subarray(at, at + size));
    at += size;
  }
  return pieces;
}

describe('PacketSplitter', () => {
  const data = randomBytes(10_000 + 300);
  const stream = packetsOf(data, 2048);
  const cuts: Array<[string, () => number]> = [
    ['one byte at a time', () => 1],
    ['random pieces', () => Math.floor(Math.random() * 3000)],
    ['the whole stream at once', () => stream.length],
    ['pieces of the header size', () => 24],
  ];
  for (const [name, sizes] of cuts) {
    it(`yields every packet whole and verified, cut ${name}`, () => {
      const splitter = new PacketSplitter(bytesPerChecksum);
      const packets = cut(stream, sizes).flatMap((piece) => splitter.push(piece));
      assert.deepEqual(packets.map((packet) => packet.offset), [0, 2048, 4096, 6144, 8192, 10240]);
      assert.equal(packets.at(-1)?.last, true);
      for (const packet of packets) assert.equal(findChecksumMismatchInParts(packet.parts, packet.checksums, bytesPerChecksum), -1);
      assert.ok(Buffer.concat(packets.flatMap((packet) => packet.parts)).equals(data));
    });
  }

  it('yields an empty last packet', () => {
    const packets = new PacketSplitter(bytesPerChecksum).push(packetsOf(Buffer.alloc(0), 2048));
    assert.equal(packets.length, 1);
    assert.equal(packets[0]?.dataLength, 0);
    assert.equal(packets[0]?.last, true);
  });

  it('refuses a header announcing more than the protocol allows, before buffering it', () => {
    const header = encodePacketHeader({ seq: 0, offset: 0, dataLength: maxPacketDataBytes + 1, last: true });
    assert.throws(() => new PacketSplitter(bytesPerChecksum).push(header), PacketFormatError);
  });
});

describe('findChecksumMismatchInParts', () => {
  const data = randomBytes(8 * bytesPerChecksum + 100);
  const checksums = computeChunkChecksums(data, bytesPerChecksum);
  const parts = (buffer: Buffer) => [buffer.subarray(0, 700), buffer.subarray(700, 3000), buffer.subarray(3000)];

  it('names the first bad chunk whichever part holds the flipped byte', () => {
    for (const position of [0, 511, 512, 699, 700, 2999, 3000, data.length - 1]) {
      const damaged = Buffer.from(data);
      damaged[position] = (damaged[position] as number) ^ 0x01;
      assert.equal(findChecksumMismatchInParts(parts(damaged), checksums, bytesPerChecksum), Math.floor(position / bytesPerChecksum), `byte ${position}`);
    }
  });

  it('reports missing checksums as a mismatch at the first chunk without one', () => {
    assert.equal(findChecksumMismatchInParts(parts(data), checksums.subarray(0, 8), bytesPerChecksum), 2);
  });

  it('accepts intact data in any number of parts', () => {
    assert.equal(findChecksumMismatchInParts(parts(data), checksums, bytesPerChecksum), -1);
    assert.equal(findChecksumMismatchInParts([], Buffer.alloc(0), bytesPerChecksum), -1);
  });
});

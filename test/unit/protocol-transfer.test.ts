// The data-transfer wire format: checksums per chunk, packets and acks survive any split
// of the byte stream, and malformed headers are refused before anything is allocated.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { computeChunkChecksums, findChecksumMismatch } from '../../protocol/checksum.js';
import {
  AckDecoder,
  AckStatus,
  PacketDecoder,
  PacketFormatError,
  encodeAck,
  encodePacket,
  encodePacketHeader,
  formatTargets,
  parseBlockId,
  parseTargets,
} from '../../protocol/data-transfer.js';

test('CRC32C chunk checksums find the first bad chunk and accept a short last chunk', () => {
  const data = randomBytes(512 * 3 + 100);
  const sums = computeChunkChecksums(data, 512);
  assert.equal(sums.length, 4 * 4);
  assert.equal(findChecksumMismatch(data, sums, 512), -1);
  const bad = Buffer.from(data);
  bad[512 * 2 + 7] = (bad[512 * 2 + 7] ?? 0) ^ 1;
  assert.equal(findChecksumMismatch(bad, sums, 512), 2);
  assert.equal(findChecksumMismatch(data, sums.subarray(0, 8), 512), 2, 'missing checksums count as a mismatch');
  // Known CRC32C value of "123456789" is 0xE3069283.
  assert.equal(computeChunkChecksums(Buffer.from('123456789'), 512).readUInt32BE(0), 0xe3069283);
});

test('packets decode identically however the stream is split', () => {
  const packets = [0, 1, 2].map((seq) => {
    const data = randomBytes(seq === 2 ? 700 : 1024);
    return { seq, offset: seq * 1024, dataLength: data.length, last: seq === 2, data, checksums: computeChunkChecksums(data, 512) };
  });
  const wire = Buffer.concat(packets.flatMap((p) => encodePacket(p)));
  for (const step of [1, 7, 24, 1000, wire.length]) {
    const decoder = new PacketDecoder(512);
    const out = [];
    for (let i = 0; i < wire.length; i += step) out.push(...decoder.push(wire.subarray(i, i + step)));
    assert.equal(out.length, 3, `step ${step}`);
    out.forEach((packet, index) => {
      const expected = packets[index]!;
      assert.equal(packet.seq, expected.seq);
      assert.equal(packet.offset, expected.offset);
      assert.equal(packet.last, expected.last);
      assert.deepEqual(packet.data, expected.data);
      assert.deepEqual(packet.checksums, expected.checksums);
    });
    assert.equal(decoder.bufferedBytes, 0);
  }
});

test('a header with a bad magic, unknown flags or a huge length is refused', () => {
  const header = encodePacketHeader({ seq: 1, offset: 0, dataLength: 10, last: false });
  const badMagic = Buffer.from(header);
  badMagic.writeUInt32BE(0xdeadbeef, 0);
  assert.throws(() => new PacketDecoder(512).push(badMagic), PacketFormatError);
  const huge = Buffer.from(header);
  huge.writeUInt32BE(0xffffffff, 16);
  assert.throws(() => new PacketDecoder(512).push(huge), /too large/);
  const flags = Buffer.from(header);
  flags.writeUInt8(0x80, 20);
  assert.throws(() => new PacketDecoder(512).push(flags), /flags/);
});

test('acks round-trip byte by byte', () => {
  const wire = Buffer.concat([
    encodeAck({ seq: 5, statuses: [AckStatus.success, AckStatus.success] }),
    encodeAck({ seq: 6, statuses: [AckStatus.success, AckStatus.error, AckStatus.checksumError] }),
  ]);
  const decoder = new AckDecoder();
  const acks = [];
  for (const byte of wire) acks.push(...decoder.push(Buffer.from([byte])));
  assert.deepEqual(acks, [
    { seq: 5, statuses: [0, 0] },
    { seq: 6, statuses: [0, 1, 2] },
  ]);
});

test('block ids and pipeline targets are parsed strictly; path tricks never yield an id', () => {
  assert.equal(parseBlockId('/blocks/1073741825'), 1073741825);
  for (const bad of ['/blocks/0', '/blocks/-1', '/blocks/abc', '/blocks/../etc/passwd', '/blocks/1/../2', '/blocks/01', '/blocks/99999999999999999']) {
    assert.equal(parseBlockId(bad), null, bad);
  }
  const targets = [{ uuid: 'a-1', name: '127.0.0.1:9866' }, { uuid: 'b-2', name: 'pi4.local:50010' }];
  assert.deepEqual(parseTargets(formatTargets(targets)), targets);
  assert.deepEqual(parseTargets(''), []);
  assert.equal(parseTargets('no-at-sign'), null);
  assert.equal(parseTargets('x@host:1/evil'), null);
  // Ports out of range are a malformed header (400), not a set-up failure (the fuzz test's 500).
  assert.equal(parseTargets('x@127.0.0.1:99999'), null);
  assert.equal(parseTargets('x@127.0.0.1:0'), null);
  assert.deepEqual(parseTargets('x@127.0.0.1:65535'), [{ uuid: 'x', name: '127.0.0.1:65535' }]);
});

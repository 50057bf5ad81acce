// Cutting a block into packets: chunk-aligned sizes, contiguous offsets, seq numbers, the
// last flag only on the block's last packet, and checksums that verify.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findChecksumMismatch } from '../../protocol/checksum.js';
import type { Packet } from '../../protocol/data-transfer.js';
import { packetDataBytes } from '../../protocol/limits.js';
import { BlockPacketizer, packetBytesFor } from '../../client-lib/write/packetizer.js';

function bytes(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** Feeds `data` in `writeSize` pieces; returns the packets and how much the block took. */
function packetize(packetizer: BlockPacketizer, data: Buffer, writeSize: number, finish: boolean): { packets: Packet[]; consumed: number } {
  const packets: Packet[] = [];
  let consumed = 0;
  while (consumed < data.length && !packetizer.isEnded) {
    const piece = data.subarray(consumed, Math.min(consumed + writeSize, data.length));
    const result = packetizer.append(piece);
    consumed += result.consumed;
    if (result.packet) packets.push(result.packet);
    if (result.consumed < piece.length && !result.packet && !packetizer.isEnded) assert.fail('packetizer stalled');
  }
  if (finish && !packetizer.isEnded) packets.push(packetizer.finish());
  return { packets, consumed };
}

function assertWellFormed(packets: Packet[], bytesPerChecksum: number, packetBytes: number): void {
  let offset = 0;
  packets.forEach((packet, index) => {
    const isLast = index === packets.length - 1;
    assert.equal(packet.seq, index);
    assert.equal(packet.offset, offset);
    assert.equal(packet.dataLength, packet.data.length);
    assert.equal(packet.last, isLast);
    if (!isLast) assert.equal(packet.dataLength, packetBytes);
    assert.equal(findChecksumMismatch(packet.data, packet.checksums, bytesPerChecksum), -1);
    offset += packet.dataLength;
  });
}

describe('packetBytesFor', () => {
  it('fills the protocol packet size with whole chunks', () => {
    assert.equal(packetBytesFor(512), packetDataBytes);
    assert.equal(packetBytesFor(1000), Math.floor(packetDataBytes / 1000) * 1000);
    assert.equal(packetBytesFor(2 * packetDataBytes), 2 * packetDataBytes);
  });
});

describe('BlockPacketizer', () => {
  it('cuts a partial block into full packets and a short last one', () => {
    const data = bytes(3 * 65536 + 700);
    const packetizer = new BlockPacketizer(1024 * 1024, 512, 65536);
    const { packets, consumed } = packetize(packetizer, data, 10_000, true);
    assert.equal(consumed, data.length);
    assert.equal(packets.length, 4);
    assertWellFormed(packets, 512, 65536);
    assert.deepEqual(Buffer.concat(packets.map((p) => p.data)), data);
  });

  it('data ending on a packet boundary: the full packet held back goes as the last one, no empty packet', () => {
    const packetizer = new BlockPacketizer(1024 * 1024, 512, 65536);
    const { packets } = packetize(packetizer, bytes(2 * 65536), 65536, true);
    assert.deepEqual(packets.map((p) => [p.dataLength, p.last]), [[65536, false], [65536, true]]);
    assertWellFormed(packets, 512, 65536);
    const empty = new BlockPacketizer(1024 * 1024, 512, 65536);
    assert.deepEqual([empty.finish()].map((p) => [p.dataLength, p.last]), [[0, true]], 'an empty block still ends with a packet');
  });

  it('flags the packet that fills the block as last and takes no more', () => {
    const blockSize = 65536 * 2 + 1024;
    const packetizer = new BlockPacketizer(blockSize, 512, 65536);
    const data = bytes(blockSize + 5000);
    const { packets, consumed } = packetize(packetizer, data, 7777, false);
    assert.equal(consumed, blockSize);
    assert.equal(packetizer.isEnded, true);
    assert.equal(packetizer.remaining, 0);
    assert.deepEqual(packets.map((p) => p.dataLength), [65536, 65536, 1024]);
    assertWellFormed(packets, 512, 65536);
    assert.throws(() => packetizer.append(Buffer.alloc(1)));
  });

  it('keeps odd chunk sizes aligned', () => {
    const packetizer = new BlockPacketizer(1_000_000, 1000);
    const { packets } = packetize(packetizer, bytes(200_000), 4096, true);
    assertWellFormed(packets, 1000, 65000);
    for (const packet of packets.slice(0, -1)) assert.equal(packet.offset % 1000, 0);
  });

  it('with adoptChunks, a chunk that starts a packet is referenced, not copied; mixed sizes still packetize exactly', () => {
    const packetizer = new BlockPacketizer(1024 * 1024, 512, 65536, true);
    const whole = bytes(65536, 3);
    assert.equal(packetizer.append(whole).packet, null, 'a full packet waits for what comes next');
    const small = bytes(4096, 5);
    const held = packetizer.append(small);
    assert.equal(held.consumed, 0);
    assert.ok(held.packet?.data.buffer === whole.buffer && !held.packet.last, 'the packet is the chunk itself, not the last');
    assert.equal(packetizer.append(small).packet, null);
    assert.ok(packetizer.finish().data.buffer === small.buffer, "a small file's only chunk is sent as it is");

    for (const writeSize of [100, 65536, 70_000, 200_000]) {
      const data = bytes(3 * 65536 + 700, writeSize);
      const adopting = new BlockPacketizer(1024 * 1024, 512, 65536, true);
      const { packets, consumed } = packetize(adopting, data, writeSize, true);
      assert.equal(consumed, data.length);
      assertWellFormed(packets, 512, 65536);
      assert.deepEqual(Buffer.concat(packets.map((p) => p.data)), data, `write size ${writeSize}`);
    }
  });

  it('grows its packet buffer for small writes and still cuts whole packets', () => {
    const packetizer = new BlockPacketizer(4 * 1024 * 1024, 512);
    const data = bytes(packetDataBytes * 2 + 12_345, 9);
    const { packets } = packetize(packetizer, data, 3000, true);
    assertWellFormed(packets, 512, packetDataBytes);
    assert.deepEqual(Buffer.concat(packets.map((p) => p.data)), data);
  });

  it('copies input, so callers may reuse their buffers', () => {
    const packetizer = new BlockPacketizer(1024 * 1024, 512, 65536);
    const input = bytes(100);
    packetizer.append(input);
    input.fill(0);
    const last = packetizer.finish();
    assert.deepEqual(last.data, bytes(100));
  });
});

// Inodes as stored in LMDB: positional rows round-trip every field, records written in the
// first layout (msgpack maps) still read, and an unknown row layout is refused loudly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Packr } from 'msgpackr';
import { decodeInode, encodeInode } from '../../namenode/storage/inode-codec.js';
import type { InodeRecord } from '../../namenode/storage/records.js';

const file: InodeRecord = {
  id: 2 ** 40 + 7,
  parentId: 1,
  name: 'dåta-ファイル.txt',
  type: 'file',
  owner: 'alice',
  group: 'supergroup',
  mode: 0o1644,
  mtime: 1_763_750_000_123,
  atime: 1_763_750_000_456,
  replication: 3,
  blockSize: 134_217_728,
  length: 2 ** 50,
  state: 'underConstruction',
  blockIds: [1073741825, 1073741826, 2 ** 45],
  childrenNum: 0,
};
const directory: InodeRecord = { ...file, id: 9, name: '', type: 'directory', state: 'complete', replication: 0, blockSize: 0, length: 0, blockIds: [], childrenNum: 123_456 };

describe('inode codec', () => {
  it('round-trips files and directories, field for field', () => {
    assert.deepEqual(decodeInode(encodeInode(file)), file);
    assert.deepEqual(decodeInode(encodeInode(directory)), directory);
  });

  it('is much smaller than the map layout', () => {
    const map = new Packr({ useRecords: false }).pack(file);
    assert.ok(encodeInode(file).length < map.length / 2, `${encodeInode(file).length} vs ${map.length} bytes`);
  });

  it('reads records stored as msgpack maps by earlier versions', () => {
    assert.deepEqual(decodeInode(new Packr({ useRecords: false }).pack(file)), file);
  });

  it('honours the end lmdb passes (a shared buffer holding more bytes)', () => {
    const bytes = encodeInode(directory);
    const shared = Buffer.concat([bytes, Buffer.from([0xc1, 0xc1, 0xc1])]);
    assert.deepEqual(decodeInode(shared, bytes.length), directory);
  });

  it('refuses a row of another layout', () => {
    const packr = new Packr({ useRecords: false });
    assert.throws(() => decodeInode(packr.pack([2, 1, 2])), /unknown inode row layout/);
  });
});

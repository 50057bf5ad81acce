// Read range arithmetic: which block bytes serve a file range, and packet trimming.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LocatedBlock } from '../../protocol/common.js';
import { clampRange, planBlockRanges, trimToRange } from '../../client-lib/read/read-plan.js';

function located(id: number, offset: number, length: number): LocatedBlock {
  return { block: { id, genStamp: 1, length }, offset, locations: [], corrupt: false, token: '' };
}

const blocks = [located(1, 0, 100), located(2, 100, 100), located(3, 200, 50)];

describe('planBlockRanges', () => {
  it('covers a range spanning blocks with block-relative offsets', () => {
    const ranges = planBlockRanges(blocks, 50, 220);
    assert.deepEqual(
      ranges.map((r) => [r.located.block.id, r.start, r.end]),
      [
        [1, 50, 100],
        [2, 0, 100],
        [3, 0, 20],
      ],
    );
  });

  it('skips blocks outside the range and handles exact boundaries', () => {
    assert.deepEqual(planBlockRanges(blocks, 100, 200).map((r) => [r.located.block.id, r.start, r.end]), [[2, 0, 100]]);
    assert.deepEqual(planBlockRanges(blocks, 250, 250), []);
  });
});

describe('clampRange', () => {
  it('defaults to the whole file and clamps past the end', () => {
    assert.deepEqual(clampRange(250), { start: 0, end: 250 });
    assert.deepEqual(clampRange(250, 10, 1000), { start: 10, end: 250 });
    assert.deepEqual(clampRange(250, 300), { start: 250, end: 250 });
  });

  it('refuses negative or fractional offsets', () => {
    assert.throws(() => clampRange(10, -1));
    assert.throws(() => clampRange(10, 0, 1.5));
  });
});

describe('trimToRange', () => {
  const data = Buffer.from('0123456789');
  it('keeps only the wanted bytes of a packet', () => {
    assert.equal(trimToRange(data, 100, 103, 106).toString(), '345');
    assert.equal(trimToRange(data, 100, 0, 1000).toString(), '0123456789');
    assert.equal(trimToRange(data, 100, 108, 1000).toString(), '89');
  });

  it('is empty for a packet outside the range', () => {
    assert.equal(trimToRange(data, 100, 110, 120).length, 0);
    assert.equal(trimToRange(data, 100, 0, 100).length, 0);
  });
});

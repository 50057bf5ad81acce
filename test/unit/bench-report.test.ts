// The benchmark runner's bookkeeping: merging a partial (`--only`) run into the results
// file, reading targets, and rendering the table and chart the README embeds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatNumber, markdownTable, svgChart, targetFactor } from '../../bench/lib/report.js';
import { mergeEntries } from '../../bench/lib/results-file.js';
import type { BenchEntry } from '../../bench/lib/types.js';

function entry(name: string, value: number, fields: Partial<BenchEntry> = {}): BenchEntry {
  return { name, value, unit: 'MiB/s', baseline: null, baselineName: null, ratio: null, target: 'value >= 100 MiB/s', met: value >= 100, min: value, max: value, repetitions: 3, ...fields };
}

test('a partial run replaces figures of the same name in place and appends new ones', () => {
  const earlier = [entry('seq-write-rep1', 90), entry('seq-read', 200), entry('small-files-put', 6)];
  const now = [entry('seq-read', 300), entry('seq-read-cat', 310)];
  const merged = mergeEntries(earlier, now, new Set(['seq-io']));
  assert.deepEqual(merged.map((e) => [e.name, e.value]), [['seq-write-rep1', 90], ['seq-read', 300], ['small-files-put', 6], ['seq-read-cat', 310]]);
});

test('a workload that failed before and ran cleanly now loses its failure entry; others keep theirs', () => {
  const failed = (name: string): BenchEntry => entry(name, Number.NaN, { notes: 'FAILED: cluster did not start' });
  const merged = mergeEntries([failed('seq-io'), failed('rereplication'), entry('nn-heartbeats-1000dn', 4)], [entry('seq-read', 300)], new Set(['seq-io']));
  assert.deepEqual(merged.map((e) => e.name), ['rereplication', 'nn-heartbeats-1000dn', 'seq-read']);
});

test('targetFactor reads the target text: 1 means just met, higher is better, null when there is nothing to compare', () => {
  assert.equal(targetFactor(entry('a', 50, { ratio: 0.4, target: 'ratio >= 0.8' })), 0.5);
  assert.equal(targetFactor(entry('b', 0.5, { unit: 's', target: 'value < 1 s' })), 2);
  assert.equal(targetFactor(entry('c', 45_000, { unit: 'ops/s', target: 'value >= 30000 ops/s' })), 1.5);
  assert.equal(targetFactor(entry('d', 128, { unit: 'MiB', target: 'value ≤ 64 MiB' })), 0.5);
  assert.equal(targetFactor(entry('e', 1, { target: 'ratio >= 0.8' })), null, 'a ratio target without a ratio');
  assert.equal(targetFactor(entry('f', 1, { target: 'informational' })), null);
  assert.equal(targetFactor(entry('g', 0, { unit: 's', target: 'value <= 1 s' })), null, 'no division by zero');
});

test('the Markdown table escapes pipes, marks misses and shows failures instead of NaN', () => {
  const table = markdownTable([
    entry('seq-write-rep3', 115, { baseline: 342, baselineName: 'dd | 3', ratio: 0.336, target: 'ratio >= 0.8', met: false, min: 112, max: 136 }),
    entry('rereplication', Number.NaN, { notes: 'FAILED: timed out', met: false }),
    entry('nn-ops-mkdirs-inproc', 12_051.4, { unit: 'ops/s', target: 'value >= 30000 ops/s', met: false, min: 11_060, max: 14_474 }),
  ]);
  const lines = table.trimEnd().split('\n');
  assert.equal(lines.length, 5);
  assert.equal(lines[2], '| seq-write-rep3 | 115 MiB/s | 342 MiB/s (dd \\| 3) | 0.34 | ratio >= 0.8 | ✗ | 112–136 |');
  assert.match(lines[3] as string, /^\| rereplication \| failed \|.*FAILED: timed out \|$/);
  assert.match(lines[4] as string, /\| 12,051 ops\/s \|.*\| 11,060–14,474 \|$/);
  assert.doesNotMatch(table, /NaN/);
});

test('numbers keep three significant figures or whole thousands', () => {
  assert.deepEqual([0.0123, 1.234, 12.34, 123.4, 12_345.6].map(formatNumber), ['0.012', '1.23', '12.3', '123', '12,346']);
  assert.equal(formatNumber(Number.POSITIVE_INFINITY), 'Infinity');
});

test('the SVG chart has one bar per comparable figure, escapes names and stays well formed', () => {
  const svg = svgChart(
    [
      entry('seq-read', 272, { ratio: 0.19, target: 'ratio >= 0.8', met: false }),
      entry('nn-heartbeats-1000dn', 4.1, { unit: '% of one core', target: 'value <= 10 %', met: true }),
      entry('odd <name> & co', 1, { target: 'informational' }),
    ],
    'tsdfs benchmark · abc',
  );
  assert.match(svg, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg /);
  assert.match(svg, /<\/svg>\n$/);
  const bars = svg.match(/<rect x="190"/g) ?? [];
  assert.equal(bars.length, 2, 'no bar for a figure without a numeric target');
  assert.match(svg, /fill="#d0453a"/, 'a miss is red');
  assert.match(svg, /fill="#3a9a4a"/, 'a met target is green');
  assert.match(svg, /odd &lt;name&gt; &amp; co/);
  assert.doesNotMatch(svg, /<name>/);
});

// The results as people read them: a Markdown table (for the README and the terminal) and
// a hand-written SVG bar chart of each figure against its target. No library: the chart is
// a few rectangles and labels.
import type { BenchEntry } from './types.js';

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function markdownTable(entries: readonly BenchEntry[]): string {
  const rows = [
    '| name | value | baseline | ratio | target | met | min–max |',
    '|---|---:|---|---:|---|:-:|---|',
  ];
  for (const e of entries) {
    const failed = e.notes?.startsWith('FAILED') ?? false;
    const baseline = e.baseline === null ? '—' : `${formatNumber(e.baseline)} ${e.unit} (${e.baselineName ?? ''})`;
    rows.push(
      `| ${cell(e.name)} | ${failed ? 'failed' : `${formatNumber(e.value)} ${e.unit}`} | ${cell(baseline)} | ${e.ratio === null ? '—' : e.ratio.toFixed(2)} | ${cell(e.target)} | ${e.met ? '✓' : '✗'} | ${failed ? cell(e.notes ?? '') : `${formatNumber(e.min)}–${formatNumber(e.max)}`} |`,
    );
  }
  return `${rows.join('\n')}\n`;
}

/**
 * How far an entry is from its target, as a factor where 1 means just met and higher is
 * better, read from the target text (`ratio >= 0.8`, `value <= 1 s`, `value >= 30000 ops/s`).
 * Null when the target has no number to compare with.
 */
export function targetFactor(e: BenchEntry): number | null {
  const match = /^\s*(ratio|value)\s*(>=|<=|<|>|≥|≤)\s*([\d.,_]+)/.exec(e.target);
  if (!match) return null;
  const threshold = Number((match[3] as string).replace(/[,_]/g, ''));
  const actual = match[1] === 'ratio' ? e.ratio : e.value;
  if (actual === null || !(threshold > 0) || !Number.isFinite(actual)) return null;
  const atLeast = match[2] === '>=' || match[2] === '>' || match[2] === '≥';
  if (atLeast) return actual / threshold;
  return actual > 0 ? threshold / actual : null;
}

const chartMax = 2;
const rowHeight = 22;
const labelWidth = 190;
const barWidth = 480;
const valueWidth = 230;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Horizontal bars of `targetFactor` (0 to 2, clipped), a line at 1 = target met; green met, red missed. */
export function svgChart(entries: readonly BenchEntry[], title: string): string {
  const top = 50;
  const height = top + entries.length * rowHeight + 30;
  const width = labelWidth + barWidth + valueWidth;
  const x = (factor: number): number => labelWidth + (Math.min(factor, chartMax) / chartMax) * barWidth;
  const parts: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="10" y="38" fill="#555">bar = figure ÷ target (higher is better; clipped at ${chartMax}×); the line at 1.0 is the target</text>`,
  ];
  entries.forEach((e, index) => {
    const y = top + index * rowHeight;
    const factor = targetFactor(e);
    parts.push(`<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeXml(e.name)}</text>`);
    if (factor !== null) {
      parts.push(`<rect x="${labelWidth}" y="${y + 3}" width="${Math.max(1, x(factor) - labelWidth).toFixed(1)}" height="${rowHeight - 6}" fill="${e.met ? '#3a9a4a' : '#d0453a'}"/>`);
    }
    const failed = e.notes?.startsWith('FAILED') ?? false;
    const label = failed ? 'failed' : `${formatNumber(e.value)} ${e.unit}${factor === null ? '' : ` (${factor.toFixed(2)}× target)`}`;
    parts.push(`<text x="${labelWidth + barWidth + 8}" y="${y + 15}" fill="${e.met ? '#222' : '#b00'}">${escapeXml(label)}</text>`);
  });
  const oneX = x(1);
  const bottom = top + entries.length * rowHeight;
  parts.push(`<line x1="${oneX}" y1="${top - 4}" x2="${oneX}" y2="${bottom + 4}" stroke="#000" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${oneX}" y="${bottom + 18}" text-anchor="middle">1.0 = target</text>`);
  parts.push(`<line x1="${labelWidth}" y1="${top - 4}" x2="${labelWidth}" y2="${bottom + 4}" stroke="#888"/>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

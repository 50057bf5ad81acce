// Report chunks read from the frame's bytes: what the scanner takes, the full parser (JSON.parse
// and the schema) takes too, with the same envelope and replicas; what the datanodes send is
// taken; anything else is left to the full parser. Checked on hand-made cases and on many
// random mutations of a real chunk.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ScannedBlockReport, scanBlockReportFrame } from '../../namenode/datanodes/block-report-scanner.js';
import { parseDatanodeFrame } from '../../namenode/datanodes/datanode-link.js';
import type { ReportedReplica } from '../../protocol/datanode-namenode.js';
import { maxReplicasPerBlockReportMessage } from '../../protocol/limits.js';

function drain(report: ScannedBlockReport): ReportedReplica[] {
  const replicas: ReportedReplica[] = [];
  for (let i = 0; i < report.replicas.count; i++) replicas.push([...report.replicas.next()] as ReportedReplica);
  return replicas;
}

/** The scanner never takes what the full parser refuses, nor reads it differently. */
function assertAgrees(text: string): ScannedBlockReport | undefined {
  const scanned = scanBlockReportFrame(Buffer.from(text, 'utf8'));
  if (scanned === undefined) return undefined;
  const parsed = parseDatanodeFrame(text);
  assert.ok('message' in parsed && parsed.message.type === 'blockReport', `scanner took what the parser refuses: ${text.slice(0, 200)}`);
  const { replicas, ...envelope } = parsed.message;
  assert.deepEqual({ type: scanned.type, reportId: scanned.reportId, chunk: scanned.chunk, last: scanned.last }, envelope, text.slice(0, 200));
  assert.deepEqual(drain(scanned), replicas, text.slice(0, 200));
  return scanned;
}

const chunk = (replicas: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ type: 'blockReport', reportId: 7, chunk: 2, last: false, ...extra, replicas });

test('what a datanode sends is read from the bytes, replicas in order', () => {
  const replicas: ReportedReplica[] = [[1, 1000, 0], [Number.MAX_SAFE_INTEGER, 1, 134217728], [42, 1001, 5]];
  const scanned = assertAgrees(chunk(replicas));
  assert.ok(scanned);
  assert.equal(scanned.replicas.count, 3);
  assert.ok(assertAgrees(chunk([])), 'an empty chunk');
  assert.ok(assertAgrees(' {\n "replicas" : [ [1 , 2 ,3] ,[4,5,6] ] , "last":true,"type":"blockReport","reportId":1,"chunk":0}\t'), 'any order, whitespace');
  assert.ok(assertAgrees(chunk([[1, 2, 3]], { note: 'a "replicas": [[9,9,9]] string', nested: { replicas: [[8, 8, 8]] } })), 'the key inside other values is not the key');
});

test('what the scanner leaves to the full parser: odd numbers, escapes, repeats, bad values', () => {
  const left = [
    chunk([[1, 2, 3]]).replace('[1,2,3]', '[1e0,2,3]'),
    chunk([[1, 2, 3]]).replace('[1,2,3]', '[1.0,2,3]'),
    chunk([[1, 2, 3]]).replace('"replicas"', '"replic\\u0061s"'),
    `${chunk([[1, 2, 3]]).slice(0, -1)},"replicas":[]}`,
    chunk([[0, 2, 3]]),
    chunk([[1, 0, 3]]),
    chunk([[1, 2, -3]]),
    chunk([[1, 2]]),
    chunk([[1, 2, 3, 4]]),
    chunk([[2 ** 53, 2, 3]]),
    chunk([[1, 2, 3]]).replace('[1,2,3]', '[01,2,3]'),
    chunk([['1', 2, 3]]),
    chunk([[1, 2, 3]], { reportId: -1 }),
    chunk([[1, 2, 3]], { type: 'heartbeat' }),
    chunk(Array.from({ length: maxReplicasPerBlockReportMessage + 1 }, (_, i) => [i + 1, 1, 1])),
    `${chunk([[1, 2, 3]])}x`,
    chunk([[1, 2, 3]]).slice(0, -2),
    '[]',
    '',
  ];
  for (const text of left) assert.equal(assertAgrees(text), undefined, text.slice(0, 120));
});

test('random mutations of a chunk: whatever the scanner takes, the parser takes the same way', () => {
  const base = chunk([[11, 1001, 1048576], [12, 1001, 0], [13, 1002, 77]], { extra: { s: 'x\\"y', n: [1, { a: null }] } });
  const alphabet = '[]{},:"\\ 0123456789-.eE+truefalsnul\n';
  let state = 12345;
  const random = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  let taken = 0;
  for (let round = 0; round < 20_000; round++) {
    let text = base;
    for (let edits = 1 + random(3); edits > 0; edits--) {
      const at = random(text.length + 1);
      const char = alphabet[random(alphabet.length)] as string;
      const kind = random(3);
      text = kind === 0 ? text.slice(0, at) + char + text.slice(at) : kind === 1 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + char + text.slice(at + 1);
    }
    if (assertAgrees(text) !== undefined) taken++;
  }
  assert.ok(taken > 100, `enough mutants were taken by the scanner to mean something (${taken})`);
});

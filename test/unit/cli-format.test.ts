// What the CLI prints, from fixed objects: `ls` lines, human sizes, permission strings,
// `stat` formats, count/du/df, `dfsadmin -report` and `fsck` in HDFS's layouts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatFsck } from '../../cli/format/fsck.js';
import { formatListing, formatStat, statusJson } from '../../cli/format/listing.js';
import { applyChmodMode, modeString, octalString, permissionLetters } from '../../cli/format/permission.js';
import { formatReport } from '../../cli/format/report.js';
import { byteDescription, humanSize } from '../../cli/format/size.js';
import { formatCountHeader, formatCountLine, formatDiskFree, formatDiskUsage } from '../../cli/format/summary.js';
import { parseOwnerSpec } from '../../cli/commands/fs/chown.js';
import type { DatanodeReport, DatanodeReportEntry, FsckReport } from '../../protocol/client-namenode.js';
import type { FileStatus } from '../../protocol/common.js';

/** Built from local-time parts so the expected `ls` time holds in any time zone. */
const modified = new Date(2026, 10, 21, 15, 13, 5).getTime();

function fileStatus(overrides: Partial<FileStatus> = {}): FileStatus {
  return {
    path: '/user/alice/f',
    type: 'file',
    length: 1048576,
    replication: 3,
    blockSize: 134217728,
    owner: 'alice',
    group: 'supergroup',
    permission: '644',
    modificationTime: modified,
    accessTime: modified,
    fileId: 16386,
    childrenNum: 0,
    underConstruction: false,
    ...overrides,
  };
}

const directory = (path: string, overrides: Partial<FileStatus> = {}): FileStatus =>
  fileStatus({ path, type: 'directory', length: 0, replication: 0, blockSize: 0, permission: '755', ...overrides });

test('ls lines use HDFS columns: replication width 3, size width 10, owner and group padded', () => {
  const lines = formatListing(
    [
      { status: fileStatus(), shown: '/user/alice/f' },
      { status: directory('/user/alice/docs', { owner: 'bob' }), shown: '/user/alice/docs' },
    ],
    { human: false },
  );
  assert.deepEqual(lines, [
    '-rw-r--r--   3 alice supergroup    1048576 2026-11-21 15:13 /user/alice/f',
    'drwxr-xr-x   - bob   supergroup          0 2026-11-21 15:13 /user/alice/docs',
  ]);
});

test('ls -h shows human sizes in the same columns; wide values widen the column', () => {
  const [human] = formatListing([{ status: fileStatus({ length: 1536 }), shown: 'f' }], { human: true });
  assert.equal(human, '-rw-r--r--   3 alice supergroup      1.5 K 2026-11-21 15:13 f');
  const [wide] = formatListing([{ status: fileStatus({ length: 123456789012, replication: 1000 }), shown: 'f' }], { human: false });
  assert.equal(wide, '-rw-r--r-- 1000 alice supergroup 123456789012 2026-11-21 15:13 f');
});

test('human sizes follow Hadoop: exact multiples without decimals, one decimal otherwise', () => {
  assert.equal(humanSize(0), '0');
  assert.equal(humanSize(1023), '1023');
  assert.equal(humanSize(1024), '1 K');
  assert.equal(humanSize(1536), '1.5 K');
  assert.equal(humanSize(1048576), '1 M');
  assert.equal(humanSize(1048577), '1.0 M');
  assert.equal(humanSize(134217728), '128 M');
  assert.equal(humanSize(1048575), '1.0 M', 'rounding up to 1024 K moves to the next prefix');
  assert.equal(humanSize(3 * 1024 ** 4 + 1), '3.0 T');
  assert.equal(byteDescription(0), '0 B');
  assert.equal(byteDescription(1000000), '976.56 KB');
  assert.equal(byteDescription(5 * 1024 ** 3), '5 GB');
});

test('permission strings, with the sticky bit as t or T', () => {
  assert.equal(permissionLetters('755'), 'rwxr-xr-x');
  assert.equal(permissionLetters('644'), 'rw-r--r--');
  assert.equal(permissionLetters('000'), '---------');
  assert.equal(permissionLetters('1777'), 'rwxrwxrwt');
  assert.equal(permissionLetters('1776'), 'rwxrwxrwT');
  assert.equal(modeString('directory', '1777'), 'drwxrwxrwt');
  assert.equal(modeString('file', '600'), '-rw-------');
  assert.equal(octalString(0o100644), '644', 'file type bits of a local mode are dropped');
  assert.equal(octalString(0o1777), '1777');
  assert.equal(octalString(0o7), '007');
});

test('chmod modes: octal and symbolic clauses', () => {
  assert.equal(applyChmodMode('750', 0o644, false), 0o750);
  assert.equal(applyChmodMode('u+x', 0o644, false), 0o744);
  assert.equal(applyChmodMode('go-w', 0o666, false), 0o644);
  assert.equal(applyChmodMode('a=r', 0o755, false), 0o444);
  assert.equal(applyChmodMode('+x', 0o644, false), 0o755);
  assert.equal(applyChmodMode('u=rwx,g=rx,o=', 0o000, true), 0o750);
  assert.equal(applyChmodMode('a+X', 0o644, true), 0o755, 'X sets execute on directories');
  assert.equal(applyChmodMode('a+X', 0o644, false), 0o644, 'but not on plain files without any x');
  assert.equal(applyChmodMode('+t', 0o777, true), 0o1777);
  assert.equal(applyChmodMode('u+q', 0o644, false), undefined);
  assert.equal(applyChmodMode('999', 0o644, false), undefined);
});

test('chown specs: OWNER, OWNER:GROUP, :GROUP', () => {
  assert.deepEqual(parseOwnerSpec('bob'), { owner: 'bob' });
  assert.deepEqual(parseOwnerSpec('bob:staff'), { owner: 'bob', group: 'staff' });
  assert.deepEqual(parseOwnerSpec(':staff'), { group: 'staff' });
  assert.throws(() => parseOwnerSpec(':'));
  assert.throws(() => parseOwnerSpec('a:b:c'));
});

test('stat formats; default %y is UTC to the second', () => {
  const status = fileStatus({ modificationTime: Date.UTC(2026, 10, 21, 15, 13, 5) });
  assert.equal(formatStat('%y', status, 'f'), '2026-11-21 15:13:05');
  assert.equal(formatStat('%n %b %r %o %F %u:%g %a %A', status, 'f'), 'f 1048576 3 134217728 regular file alice:supergroup 644 rw-r--r--');
  assert.equal(formatStat('%F', directory('/d'), 'd'), 'directory');
  assert.equal(formatStat('100%% %Z', status, 'f'), '100% %Z');
});

test('ls --json / stat --json carry DESIGN.md fields with the absolute path', () => {
  const json = statusJson(fileStatus({ path: 'f' }), '/user/alice/f');
  for (const key of ['path', 'type', 'length', 'replication', 'blockSize', 'owner', 'group', 'permission', 'modificationTime', 'accessTime']) {
    assert.ok(key in json, key);
  }
  assert.equal(json.path, '/user/alice/f');
  assert.equal(json.permission, '644');
});

test('count, du and df layouts', () => {
  const summary = { length: 3000, fileCount: 2, directoryCount: 2, spaceConsumed: 9000, quota: -1, spaceQuota: -1 };
  assert.equal(formatCountLine(summary, '/tree', { quotas: false, human: false }), '           2            2               3000 /tree');
  assert.equal(
    formatCountLine({ ...summary, quota: 10 }, '/tree', { quotas: true, human: false }),
    '          10               6            none             inf            2            2               3000 /tree',
  );
  assert.match(formatCountHeader(false), /^ +DIR_COUNT +FILE_COUNT +CONTENT_SIZE PATHNAME$/);
  assert.deepEqual(formatDiskUsage([{ length: 3000, spaceConsumed: 9000, path: '/tree' }, { length: 5, spaceConsumed: 15, path: '/t2' }], false), [
    '3000  9000  /tree',
    '5     15    /t2',
  ]);
  assert.deepEqual(formatDiskFree('tsdfs://127.0.0.1:9870', { capacity: 4 * 1024 ** 3, dfsUsed: 1024 ** 3, remaining: 3 * 1024 ** 3 }, true), [
    'Filesystem              Size  Used  Available  Use%',
    'tsdfs://127.0.0.1:9870   4 G   1 G        3 G   25%',
  ]);
});

function datanode(overrides: Partial<DatanodeReportEntry> = {}): DatanodeReportEntry {
  return {
    uuid: 'dn-1',
    name: '127.0.0.1:40001',
    hostname: '127.0.0.1',
    rack: '/default-rack',
    adminState: 'Normal',
    capacity: 1000000,
    dfsUsed: 100000,
    nonDfsUsed: 100000,
    remaining: 800000,
    blocks: 7,
    lastContactMs: 2_000,
    lastBlockReportTime: Date.UTC(2026, 10, 21, 15, 0, 0),
    activeTransfers: 0,
    failedVolumes: 0,
    softwareVersion: '0.1.0',
    state: 'live',
    ...overrides,
  };
}

test('dfsadmin -report in HDFS layout', () => {
  const report: DatanodeReport = {
    safeMode: false,
    capacity: 1000000,
    dfsUsed: 100000,
    nonDfsUsed: 100000,
    remaining: 800000,
    underReplicatedBlocks: 1,
    corruptBlocks: 0,
    missingBlocks: 0,
    live: [datanode()],
    dead: [datanode({ uuid: 'dn-2', name: '127.0.0.1:40002', state: 'dead' })],
    decommissioning: [],
  };
  const text = formatReport(report, ['live', 'dead'], Date.UTC(2026, 10, 21, 15, 14)).join('\n');
  assert.match(text, /^Configured Capacity: 1000000 \(976\.56 KB\)$/m);
  assert.match(text, /^Present Capacity: 900000 \(878\.91 KB\)$/m);
  assert.match(text, /^DFS Remaining: 800000 \(781\.25 KB\)$/m);
  assert.match(text, /^DFS Used: 100000 \(97\.66 KB\)$/m);
  assert.match(text, /^DFS Used%: 11\.11%$/m);
  assert.match(text, /^Under replicated blocks: 1$/m);
  assert.match(text, /^Blocks with corrupt replicas: 0$/m);
  assert.match(text, /^Missing blocks: 0$/m);
  assert.match(text, /^-{20,}$/m);
  assert.match(text, /^Live datanodes \(1\):\n\nName: 127\.0\.0\.1:40001 \(127\.0\.0\.1\)\nHostname: 127\.0\.0\.1\nRack: \/default-rack\nDecommission Status : Normal$/m);
  assert.match(text, /^Non DFS Used: 100000 \(97\.66 KB\)$/m);
  assert.match(text, /^DFS Used%: 10\.00%$/m);
  assert.match(text, /^DFS Remaining%: 80\.00%$/m);
  assert.match(text, /^Num of Blocks: 7$/m);
  assert.match(text, /^Last contact: \w{3} \w{3} \d\d \d\d:\d\d:\d\d \S+ 2026$/m);
  assert.match(text, /^Dead datanodes \(1\):\n\nName: 127\.0\.0\.1:40002/m);
  assert.doesNotMatch(text, /Safe mode is ON/);
  assert.match(formatReport({ ...report, safeMode: true }, [], 0)[0] as string, /^Safe mode is ON$/);
});

function fsckReport(overrides: Partial<FsckReport> = {}): FsckReport {
  return {
    path: '/',
    status: 'HEALTHY',
    totalFiles: 1,
    totalDirs: 2,
    totalSize: 1048576,
    totalBlocks: 1,
    minimallyReplicatedBlocks: 1,
    underReplicatedBlocks: 0,
    overReplicatedBlocks: 0,
    misReplicatedBlocks: 0,
    missingBlocks: 0,
    corruptBlocks: 0,
    defaultReplication: 3,
    averageBlockReplication: 3,
    datanodes: 3,
    racks: 1,
    files: [
      {
        path: '/f',
        length: 1048576,
        replication: 3,
        underConstruction: false,
        blocks: [
          {
            id: 1073741825,
            genStamp: 1001,
            length: 1048576,
            replicas: [1, 2, 3].map((n) => ({ uuid: `uuid-${n}`, name: `127.0.0.1:4000${n}`, rack: '/default-rack', state: 'live' as const })),
          },
        ],
      },
    ],
    ...overrides,
  };
}

test('fsck totals and verdict in HDFS layout', () => {
  const text = formatFsck(fsckReport(), { files: false, blocks: false, locations: false }).join('\n');
  assert.doesNotMatch(text, /bytes, replicated/, 'no per-file lines without -files');
  for (const line of [
    'Status: HEALTHY',
    ' Total size:\t1048576 B',
    ' Total dirs:\t2',
    ' Total files:\t1',
    ' Total blocks (validated):\t1 (avg. block size 1048576 B)',
    ' Minimally replicated blocks:\t1 (100.0 %)',
    ' Over-replicated blocks:\t0 (0.0 %)',
    ' Under-replicated blocks:\t0 (0.0 %)',
    ' Mis-replicated blocks:\t\t0 (0.0 %)',
    ' Default replication factor:\t3',
    ' Average block replication:\t3.0',
    ' Missing blocks:\t\t0',
    ' Corrupt blocks:\t\t0',
    ' Number of data-nodes:\t\t3',
    ' Number of racks:\t\t1',
    "The filesystem under path '/' is HEALTHY",
  ]) {
    assert.ok(text.split('\n').includes(line), `has line ${JSON.stringify(line)}`);
  }
});

test('fsck -files -blocks -locations prints per-file and per-block lines', () => {
  const lines = formatFsck(fsckReport(), { files: true, blocks: true, locations: true });
  assert.equal(lines[0], '/f 1048576 bytes, replicated: replication=3, 1 block(s):  OK');
  assert.equal(
    lines[1],
    '0. blk_1073741825_1001 len=1048576 Live_repl=3  [DatanodeInfoWithStorage[127.0.0.1:40001,uuid-1,DISK], DatanodeInfoWithStorage[127.0.0.1:40002,uuid-2,DISK], DatanodeInfoWithStorage[127.0.0.1:40003,uuid-3,DISK]]',
  );
  const blocksOnly = formatFsck(fsckReport(), { files: true, blocks: true, locations: false });
  assert.equal(blocksOnly[1], '0. blk_1073741825_1001 len=1048576 Live_repl=3');
});

test('fsck of a missing block says CORRUPT', () => {
  const base = fsckReport();
  const file = base.files[0]!;
  const missing = fsckReport({
    status: 'CORRUPT',
    missingBlocks: 1,
    files: [{ ...file, blocks: [{ ...file.blocks[0]!, replicas: [] }] }],
  });
  const lines = formatFsck(missing, { files: true, blocks: true, locations: false });
  assert.equal(lines[0], '/f 1048576 bytes, replicated: replication=3, 1 block(s):  MISSING 1 blocks of total size 1048576 B');
  assert.equal(lines[1], '0. blk_1073741825_1001 len=1048576 MISSING!');
  assert.equal(lines.at(-1), "The filesystem under path '/' is CORRUPT");
});

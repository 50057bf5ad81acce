// Sequential put/get of one large file on a local 3-datanode cluster, beside `dd` to the
// same disk in the same run. `node dist/bench/seq-io.js [--size-mib N] [--replication R]`.
// (The full suite of the benchmark issue grows from here.)
import { execFileSync } from 'node:child_process';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startCluster } from '../test/helpers/cluster.js';
import { sha256OfFile, writeRandomFile } from '../test/helpers/files.js';

const { values } = parseArgs({
  options: { 'size-mib': { type: 'string', default: '1024' }, replication: { type: 'string', default: '3' } },
});
const sizeMiB = Number(values['size-mib']);
const replication = Number(values.replication);

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function dropCaches(): boolean {
  try {
    execFileSync('sh', ['-c', 'sync; echo 3 > /proc/sys/vm/drop_caches'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const cluster = await startCluster({ datanodes: 3, config: { 'dfs.replication': String(replication), 'tsdfs.log.level': 'error' } });
  try {
    const input = join(cluster.dir, 'input.bin');
    const digest = await writeRandomFile(input, sizeMiB * 1024 * 1024);
    const mib = sizeMiB;

    let start = process.hrtime.bigint();
    execFileSync('dd', [`if=${input}`, `of=${join(cluster.dir, 'dd.out')}`, 'bs=4M', 'conv=fsync'], { stdio: 'ignore' });
    const ddWrite = mib / seconds(start);
    const cachesDropped = dropCaches();
    start = process.hrtime.bigint();
    execFileSync('dd', [`if=${join(cluster.dir, 'dd.out')}`, 'of=/dev/null', 'bs=4M'], { stdio: 'ignore' });
    const ddRead = mib / seconds(start);
    await rm(join(cluster.dir, 'dd.out'));

    start = process.hrtime.bigint();
    const put = await cluster.cli(['put', input, '/bench.bin']);
    const putSeconds = seconds(start);
    if (put.code !== 0) throw new Error(`put failed: ${put.stderr}`);

    dropCaches();
    const output = join(cluster.dir, 'output.bin');
    start = process.hrtime.bigint();
    const get = await cluster.cli(['get', '/bench.bin', output]);
    const getSeconds = seconds(start);
    if (get.code !== 0) throw new Error(`get failed: ${get.stderr}`);
    if ((await sha256OfFile(output)) !== digest) throw new Error('get returned different bytes');
    if ((await stat(output)).size !== mib * 1024 * 1024) throw new Error('size mismatch');

    const putRate = mib / putSeconds;
    const getRate = mib / getSeconds;
    const writeBaseline = ddWrite / replication;
    const rows = [
      ['workload', 'tsdfs MiB/s', 'baseline MiB/s', 'baseline', 'ratio'],
      [`put ${mib} MiB rep ${replication}`, putRate.toFixed(1), writeBaseline.toFixed(1), `dd conv=fsync${replication > 1 ? ` / ${replication}` : ''}`, (putRate / writeBaseline).toFixed(2)],
      [`get ${mib} MiB`, getRate.toFixed(1), ddRead.toFixed(1), `dd read${cachesDropped ? ' (caches dropped)' : ' (page cache)'}`, (getRate / ddRead).toFixed(2)],
    ];
    for (const row of rows) console.log(`| ${row.join(' | ')} |`);
    console.log(`\nraw dd write ${ddWrite.toFixed(1)} MiB/s; put ${putSeconds.toFixed(2)} s; get ${getSeconds.toFixed(2)} s`);
  } finally {
    await cluster.stop();
  }
}

await main();

// Runs workload modules on their own until the suite's runner covers them:
// `node dist/bench/lib/run-one.js [--quick] dist/bench/workloads/nn-ops.js …`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchEntry, Workload } from './types.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const entries: BenchEntry[] = [];
for (const modulePath of args.filter((arg) => arg !== '--quick')) {
  const { workload } = (await import(pathToFileURL(resolve(modulePath)).href)) as { workload: Workload };
  const workDir = await mkdtemp(join(tmpdir(), `tsdfs-bench-${workload.name}-`));
  const started = performance.now();
  try {
    entries.push(...(await workload.run({ quick, workDir, log: (message) => process.stderr.write(`[${workload.name}] ${message}\n`) })));
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  process.stderr.write(`[${workload.name}] done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);

// `npm run bench [-- --quick] [-- --only NAME[,NAME]]`: runs every workload in
// `bench/workloads/` (each file exporting `workload`), each in a fresh temp dir, and writes
// `bench/results/{latest,quick}.{json,md,svg}`. A workload that throws is recorded as failed
// and the run goes on; the exit code then says so.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { commitOf, machineInfo } from './lib/machine.js';
import { markdownTable } from './lib/report.js';
import { mergeEntries, readResults, resultsBaseName, type ResultsFile, writeResults } from './lib/results-file.js';
import type { BenchEntry, Workload } from './lib/types.js';

const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = resolve(here, '../..');
const resultsDirectory = join(repositoryRoot, 'bench', 'results');
/** Workloads run in this order (by file or workload name prefix); others after, alphabetically. */
const preferredOrder = ['seq-io', 'many-files', 'small-files', 'cli-startup', 'nn-ops', 'nn-memory', 'nn-heartbeats', 'nn-blockreport', 'rereplication'];

interface FoundWorkload {
  file: string;
  workload: Workload;
}

function rank(found: FoundWorkload): number {
  const index = preferredOrder.findIndex((prefix) => found.file.startsWith(prefix) || found.workload.name.startsWith(prefix));
  return index === -1 ? preferredOrder.length : index;
}

function isWorkload(value: unknown): value is Workload {
  const candidate = value as Partial<Workload> | undefined;
  return typeof candidate?.name === 'string' && typeof candidate.run === 'function';
}

async function discoverWorkloads(): Promise<FoundWorkload[]> {
  const directory = join(here, 'workloads');
  const files = (await readdir(directory)).filter((file) => file.endsWith('.js')).sort();
  const found: FoundWorkload[] = [];
  for (const file of files) {
    const name = basename(file, '.js');
    try {
      const module = (await import(pathToFileURL(join(directory, file)).href)) as { workload?: unknown };
      if (isWorkload(module.workload)) found.push({ file: name, workload: module.workload });
    } catch (error) {
      // A workload that does not even load is recorded as failed like one that throws.
      found.push({ file: name, workload: { name, run: () => Promise.reject(error) } });
    }
  }
  return found.sort((a, b) => rank(a) - rank(b) || a.file.localeCompare(b.file));
}

function failureEntry(name: string, error: unknown): BenchEntry {
  const message = error instanceof Error ? error.message : String(error);
  return { name, value: 0, unit: '', baseline: null, baselineName: null, ratio: null, target: 'runs to the end', met: false, min: 0, max: 0, repetitions: 0, notes: `FAILED: ${message.split('\n')[0]?.slice(0, 300)}` };
}

async function runOne(found: FoundWorkload, quick: boolean): Promise<{ entries: BenchEntry[]; failed: boolean }> {
  const { workload } = found;
  const workDir = await mkdtemp(join(tmpdir(), `tsdfs-bench-${workload.name}-`));
  const started = Date.now();
  const log = (message: string): void => {
    process.stderr.write(`[${workload.name} +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
  };
  log(`start${quick ? ' (quick)' : ''}`);
  try {
    const entries = await workload.run({ quick, workDir, log });
    log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${entries.map((e) => e.name).join(', ')}`);
    return { entries, failed: false };
  } catch (error) {
    log(`FAILED after ${((Date.now() - started) / 1000).toFixed(1)} s: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return { entries: [failureEntry(workload.name, error)], failed: true };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

function parseOptions(): { quick: boolean; only: string[] } {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string', multiple: true, default: [] }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    process.stdout.write('npm run bench -- [--quick] [--only SUBSTRING[,SUBSTRING]]...\n  --quick  reduced sizes; writes bench/results/quick.*\n  --only   run only workloads whose name contains one of these (merged into the results file)\n');
    process.exit(0);
  }
  return { quick: values.quick ?? false, only: (values.only ?? []).flatMap((item) => item.split(',')).map((item) => item.trim()).filter(Boolean) };
}

async function main(): Promise<number> {
  const { quick, only } = parseOptions();
  const all = await discoverWorkloads();
  const chosen = only.length === 0 ? all : all.filter((found) => only.some((text) => found.file.includes(text) || found.workload.name.includes(text)));
  if (chosen.length === 0) {
    process.stderr.write(`bench: no workload matches ${only.join(', ')}; there are: ${all.map((found) => found.workload.name).join(', ')}\n`);
    return 255;
  }
  const started = Date.now();
  const loadAtStart = loadavg();
  const entries: BenchEntry[] = [];
  let failures = 0;
  for (const found of chosen) {
    const result = await runOne(found, quick);
    entries.push(...result.entries);
    if (result.failed) failures++;
  }
  const baseName = resultsBaseName(quick);
  const earlier = only.length > 0 ? await readResults(join(resultsDirectory, `${baseName}.json`)) : null;
  const results: ResultsFile = {
    machine: machineInfo(tmpdir()),
    commit: commitOf(repositoryRoot),
    date: new Date().toISOString(),
    quick,
    loadAverage: { atStart: loadAtStart, atEnd: loadavg() },
    entries: earlier ? mergeEntries(earlier.entries, entries, new Set(chosen.map((found) => found.workload.name))) : entries,
  };
  const written = await writeResults(resultsDirectory, baseName, results);
  process.stdout.write(`\n${markdownTable(results.entries)}\n`);
  process.stdout.write(`${chosen.length} workload(s) in ${((Date.now() - started) / 1000).toFixed(1)} s; ${failures} failed. Wrote ${written.map((path) => path.slice(repositoryRoot.length + 1)).join(', ')}\n`);
  return failures > 0 ? 1 : 0;
}

// Exit explicitly: a workload that failed may leave a handle open, and the run must still end.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

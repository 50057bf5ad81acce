// `bench/results/<name>.json|.md|.svg`: the run's machine, commit and entries. A partial run
// (`--only`) merges its entries into the file it would write, so the other figures stay.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MachineInfo } from './machine.js';
import { markdownTable, svgChart } from './report.js';
import type { BenchEntry } from './types.js';

export interface ResultsFile {
  machine: MachineInfo;
  commit: string;
  date: string;
  quick: boolean;
  /** 1, 5 and 15 minute load averages at the start and end of the run: other work on the machine makes figures noisy. */
  loadAverage: { atStart: number[]; atEnd: number[] };
  entries: BenchEntry[];
}

/** `latest` for a full run; `quick` for `--quick`, so a quick run never overwrites the README's figures. */
export function resultsBaseName(quick: boolean): string {
  return quick ? 'quick' : 'latest';
}

export async function readResults(path: string): Promise<ResultsFile | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as ResultsFile;
  } catch {
    return null;
  }
}

/**
 * The earlier entries with this run's replacing those of the same name (in place), this
 * run's new ones after them. A group that failed before and ran cleanly now loses its
 * failure entry (`groupsRun` are the workload names of this run).
 */
export function mergeEntries(earlier: readonly BenchEntry[], now: readonly BenchEntry[], groupsRun: ReadonlySet<string>): BenchEntry[] {
  const fresh = new Map(now.map((e) => [e.name, e]));
  const merged: BenchEntry[] = [];
  for (const e of earlier) {
    const replacement = fresh.get(e.name);
    if (replacement) {
      merged.push(replacement);
      fresh.delete(e.name);
    } else if (!(groupsRun.has(e.name) && (e.notes?.startsWith('FAILED') ?? false))) {
      merged.push(e);
    }
  }
  return [...merged, ...fresh.values()];
}

export async function writeResults(directory: string, baseName: string, results: ResultsFile): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const json = join(directory, `${baseName}.json`);
  const markdown = join(directory, `${baseName}.md`);
  const svg = join(directory, `${baseName}.svg`);
  const disk = results.machine.disk;
  const header =
    `tsdfs ${results.quick ? 'quick ' : ''}benchmark, commit ${results.commit}, ${results.date}. ` +
    `${results.machine.cores} cores (${results.machine.cpuModel}), ${results.machine.memoryGiB} GiB, ` +
    `disk ${disk.device ?? '?'} (${disk.filesystem ?? '?'}${disk.model ? `, ${disk.model}` : ''}), Node ${results.machine.node}, ${results.machine.os}, Linux ${results.machine.kernel}. ` +
    `Load average (1 min) ${results.loadAverage.atStart[0]?.toFixed(1)} at the start, ${results.loadAverage.atEnd[0]?.toFixed(1)} at the end.`;
  await writeFile(json, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(markdown, `${header}\n\n${markdownTable(results.entries)}`);
  await writeFile(svg, svgChart(results.entries, `tsdfs ${results.quick ? 'quick ' : ''}benchmark · ${results.commit} · ${results.date.slice(0, 10)}`));
  return [json, markdown, svg];
}

// The namenode's per-block memory and block-report cost, in-process (no cluster): fills a
// BlockManager with N blocks, has 3 datanodes report every block in full (100k-replica
// chunks as JSON frames, as datanodes send them, through the link's report scanner and sliced
// application), then a steady-state re-report, and prints heap and RSS per block, the
// report timings and the longest event-loop stall meanwhile (what an RPC would wait).
// A measurement script, not a test: figures vary by machine.
//   node --expose-gc dist/bench/lib/blockmap-memory.js [--blocks 1000000] [--json]
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { BlockInfo } from '../../namenode/blocks/block-map.js';
import { BlockManager } from '../../namenode/blocks/block-manager.js';
import { runInSlices } from '../../namenode/datanodes/block-report-intake.js';
import { scanBlockReportFrame } from '../../namenode/datanodes/block-report-scanner.js';
import { DatanodeManager } from '../../namenode/datanodes/datanode-manager.js';
import { DatanodeMessage, type DatanodeRegistration, type ReportedReplica } from '../../protocol/datanode-namenode.js';
import { blockReportChunkBlocks } from '../../protocol/limits.js';

const { values } = parseArgs({ options: { blocks: { type: 'string', default: '1000000' }, json: { type: 'boolean', default: false } } });
const blockCount = Number(values.blocks);
const replication = 3;
const blockLength = 128 * 1024 * 1024;
const mib = 1024 * 1024;

interface MemorySample {
  heapUsed: number;
  arrayBuffers: number;
  rss: number;
}

function sample(): MemorySample {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  gc();
  gc();
  const usage = process.memoryUsage();
  // Typed arrays live outside the JS heap: heapUsed + arrayBuffers is what the structure costs.
  return { heapUsed: usage.heapUsed, arrayBuffers: usage.arrayBuffers, rss: usage.rss };
}

function register(datanodes: DatanodeManager, uuid: string) {
  const message: DatanodeRegistration = {
    type: 'register', datanodeUuid: uuid, clusterId: '', softwareVersion: '0.1.0', hostname: `host-${uuid}`, dataPort: 9866,
    storage: { capacity: 1e13, dfsUsed: 0, nonDfsUsed: 0, remaining: 1e13, volumes: [] },
  };
  return datanodes.register(message, `203.0.113.${uuid.length}`, 0);
}

interface ReportTiming {
  totalMs: number;
  /** CPU time (user + system): what the report costs when the machine is busy with other work too. */
  cpuMs: number;
  /** Longest the event loop was held (parse of one chunk, or one slice). */
  worstStallMs: number;
}

/** One full report of every block, chunked and serialized as a datanode sends it, taken in as the link does. */
async function fullReport(blocks: BlockManager, node: ReturnType<typeof register>, reportId: number): Promise<ReportTiming> {
  const chunks: Buffer[] = [];
  for (let first = 1, chunk = 0; first <= blockCount; first += blockReportChunkBlocks, chunk++) {
    const replicas: ReportedReplica[] = [];
    for (let id = first; id < first + blockReportChunkBlocks && id <= blockCount; id++) replicas.push([id, 1, blockLength]);
    chunks.push(Buffer.from(JSON.stringify({ type: 'blockReport', reportId, chunk, last: first + blockReportChunkBlocks > blockCount, replicas })));
  }
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  for (const frame of chunks) {
    const message = scanBlockReportFrame(frame);
    if (message === undefined) throw new Error('the sample chunk does not scan');
    await runInSlices(blocks.startBlockReportChunk(node, message.reportId, message.replicas, message.last, 0));
  }
  const totalMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  delay.disable();
  return { totalMs, cpuMs: (cpu.user + cpu.system) / 1000, worstStallMs: delay.max / 1e6 };
}

/** What the link would add per chunk without the scanner: JSON.parse and the zod schema. */
function parseChunkMs(): number {
  const replicas: ReportedReplica[] = [];
  for (let id = 1; id <= blockReportChunkBlocks; id++) replicas.push([id, 1, blockLength]);
  const text = JSON.stringify({ type: 'blockReport', reportId: 1, chunk: 0, last: false, replicas });
  const started = performance.now();
  const parsed = DatanodeMessage.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error('the sample chunk does not parse');
  return performance.now() - started;
}

async function main(): Promise<void> {
  const datanodes = new DatanodeManager({ staleAfterMs: 30_000, deadAfterMs: 630_000 }, new Map());
  const nodes = ['a', 'b', 'c'].map((uuid) => register(datanodes, uuid));
  const empty = sample();
  const blocks = new BlockManager(datanodes, 1);
  let started = performance.now();
  for (let id = 1; id <= blockCount; id++) {
    blocks.blockMap.set(id, new BlockInfo(1, blockLength, 'complete', replication));
    blocks.replication.blockChanged(id);
  }
  const loadMs = performance.now() - started;
  const loaded = sample();
  const firstReports: ReportTiming[] = [];
  for (const node of nodes) firstReports.push(await fullReport(blocks, node, 1));
  const reported = sample();
  const steady = await fullReport(blocks, nodes[0] as (typeof nodes)[number], 2);
  const after = sample();
  const perBlock = (from: MemorySample, to: MemorySample) => ({
    heapAndBuffers: (to.heapUsed + to.arrayBuffers - from.heapUsed - from.arrayBuffers) / blockCount,
    rss: (to.rss - from.rss) / blockCount,
  });
  const result = {
    blocks: blockCount,
    replication,
    loadMs: Math.round(loadMs),
    bytesPerBlockLoaded: perBlock(empty, loaded),
    bytesPerBlockWithReplicas: perBlock(empty, reported),
    bytesPerBlockAfterReReport: perBlock(empty, after),
    firstFullReportMs: firstReports.map((report) => Math.round(report.totalMs)),
    firstFullReportCpuMs: firstReports.map((report) => Math.round(report.cpuMs)),
    firstReportWorstStallMs: Math.round(Math.max(...firstReports.map((report) => report.worstStallMs))),
    steadyFullReportMs: Math.round(steady.totalMs),
    steadyFullReportCpuMs: Math.round(steady.cpuMs),
    steadyWorstStallMs: Math.round(steady.worstStallMs),
    linkParsePerChunkMs: Math.round(parseChunkMs()),
    heapMiB: Math.round(after.heapUsed / mib),
    arrayBuffersMiB: Math.round(after.arrayBuffers / mib),
    rssMiB: Math.round(after.rss / mib),
    health: blocks.health(),
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const round = (value: { heapAndBuffers: number; rss: number }) => `${value.heapAndBuffers.toFixed(1)} B heap+buffers, ${value.rss.toFixed(1)} B RSS`;
  process.stdout.write(
    [
      `blocks: ${blockCount} × ${replication} replicas`,
      `load (set + classify): ${result.loadMs} ms`,
      `per block, loaded without replicas: ${round(result.bytesPerBlockLoaded)}`,
      `per block, with ${replication} replicas: ${round(result.bytesPerBlockWithReplicas)}`,
      `per block, after a re-report: ${round(result.bytesPerBlockAfterReReport)}`,
      `first full report per datanode (parse + apply): ${result.firstFullReportMs.join(', ')} ms wall, ${result.firstFullReportCpuMs.join(', ')} ms CPU (event loop held at most ${result.firstReportWorstStallMs} ms)`,
      `steady-state full report: ${result.steadyFullReportMs} ms wall, ${result.steadyFullReportCpuMs} ms CPU (event loop held at most ${result.steadyWorstStallMs} ms)`,
      `for comparison, JSON.parse + full zod schema of one ${blockReportChunkBlocks}-replica chunk: ${result.linkParsePerChunkMs} ms`,
      `heap ${result.heapMiB} MiB, array buffers ${result.arrayBuffersMiB} MiB, RSS ${result.rssMiB} MiB`,
      '',
    ].join('\n'),
  );
}

await main();

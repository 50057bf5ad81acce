// How V8's heap grows in the processes that stream block data: datanodes and the CLI. A
// datanode holds ~12 MB of live objects and a CLI ~10 MB, so V8 sets its next full-GC
// limit only a few MB above that; the 64 KiB buffers node:http and sockets allocate for the
// data they carry count towards that limit (off-heap, but until a GC frees them), so a
// transfer set off a full mark-compact every 15-60 MB of data: about a third of a
// forwarding datanode's CPU (perf: concurrent marking, sweeping) and a fifth of a CLI
// `get` before its raw reader. A larger growing factor lets those short-lived buffers die
// in cheap scavenges instead. V8 reads this flag each time it recomputes its limits, so it
// works set at run time. (The CLI used to relaunch node with --initial-heap-size=64 for
// put/cp instead: that did no better and cost a second process start, 60-100 ms of CPU.)
// Node calls changing flags after start-up unsupported in general; this one only moves a
// heuristic, and a Node that ignored it would merely run as before.
// Measured, 3-5 interleaved runs each:
// - datanodes, rep3 put of 512 MiB, three together: 5.45 s as before, 3.97 s at 200 %,
//   3.83 s at 400 %;
// - CLI, put of 512 MiB at replication 1: relaunch 1.25 s, 400 % in one process 1.14 s,
//   max RSS the same (120-135 MB); cp of 512 MiB 1.82 -> 1.77 s; get unchanged (0.85 s).
import v8 from 'node:v8';

/** The old generation may grow to (1 + this / 100) times its live size before a full GC. */
export const heapGrowingPercent = 400;

let tuned = false;

/** Once per process; the datanode's composition root and the CLI's entry call it first. */
export function tuneHeapForStreaming(): void {
  if (tuned) return;
  tuned = true;
  v8.setFlagsFromString(`--heap-growing-percent=${heapGrowingPercent}`);
}

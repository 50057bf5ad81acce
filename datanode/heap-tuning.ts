// How the datanode's V8 heap grows. A datanode holds ~12 MB of live objects, so V8 sets its
// next full-GC limit only a few MB above that; the 64 KiB buffers node:http allocates for
// every body chunk it receives count towards that limit (off-heap, but until a GC frees
// them), so a replicated put set off a full mark-compact every 15-60 MB of data: about a
// third of a forwarding datanode's CPU (perf: concurrent marking, sweeping). A larger
// growing factor lets those short-lived buffers die in cheap scavenges instead.
// V8 reads this flag each time it recomputes its limits, so it works set at run time (the
// CLI's relaunch with --initial-heap-size does slightly better but costs a second process
// per datanode, which a 512 MB board should not pay). Node calls changing flags after
// start-up unsupported in general; this one only moves a heuristic, and a Node that ignored
// it would merely run as before.
// Measured (rep3 put of 512 MiB, CPU of the three datanodes together, 3 interleaved runs):
// 5.45 s as before, 3.97 s at 200 %, 3.83 s at 400 %.
import v8 from 'node:v8';

/** The old generation may grow to (1 + this / 100) times its live size before a full GC. */
export const heapGrowingPercent = 400;

let tuned = false;

/** Once per process; the datanode's composition root calls it before building anything. */
export function tuneHeapForStreaming(): void {
  if (tuned) return;
  tuned = true;
  v8.setFlagsFromString(`--heap-growing-percent=${heapGrowingPercent}`);
}

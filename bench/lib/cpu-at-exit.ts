// Preloaded with `node --import` into a process the cli-startup workload measures: writes the
// process's CPU seconds (user + system, all threads, from its start) to the file named by
// TSDFS_BENCH_CPU_FILE as it exits, so a short process's CPU is read to the microsecond
// (a parent's view of a finished child, /usr/bin/time's, is in 10 ms ticks).
import { writeFileSync } from 'node:fs';

const target = process.env.TSDFS_BENCH_CPU_FILE;
if (target) {
  process.on('exit', () => {
    const usage = process.cpuUsage();
    writeFileSync(target, String((usage.user + usage.system) / 1e6));
  });
}

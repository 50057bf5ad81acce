// Helper process running simulated datanodes apart from the benchmark, so their CPU never
// mixes with what is measured: `node sim-datanodes-main.js URL SECRET_FILE CLUSTER_ID COUNT MAX_SECONDS`.
// Prints `registered N` once all are registered, heart-beats until stdin closes (or
// MAX_SECONDS pass), then prints one JSON line of totals and exits.
import { readClusterSecret } from '../../protocol/auth.js';
import { startSimulatedDatanodes, totalStats } from './sim-datanodes.js';

const [url, secretFile, clusterId, count, maxSeconds] = process.argv.slice(2);
if (url === undefined || secretFile === undefined || clusterId === undefined || !(Number(count) > 0) || !(Number(maxSeconds) > 0)) {
  process.stderr.write('usage: sim-datanodes-main.js URL SECRET_FILE CLUSTER_ID COUNT MAX_SECONDS\n');
  process.exit(255);
}
const started = performance.now();
const nodes = await startSimulatedDatanodes({ url, clusterSecret: readClusterSecret(secretFile), clusterId, count: Number(count), heartbeat: true });
process.stdout.write(`registered ${nodes.length} in ${Math.round(performance.now() - started)} ms\n`);

const stop = (): void => {
  for (const node of nodes) node.close();
  process.stdout.write(`${JSON.stringify({ ...totalStats(nodes), cpu: process.cpuUsage() })}\n`, () => process.exit(0));
};
process.stdin.on('end', stop).resume();
process.on('SIGTERM', stop);
setTimeout(stop, Number(maxSeconds) * 1000).unref();

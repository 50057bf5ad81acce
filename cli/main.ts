// Entry of the `tsdfs` command (bin/tsdfs.js loads the compiled file): runs the CLI on
// this process's arguments and streams, then exits with its code without waiting for
// idle keep-alive sockets.
// Only this small module is loaded before deciding: a relaunching launcher never loads the CLI.
import { followLauncher, runWithBulkHeap, wantsBulkHeap } from './bulk-heap.js';

// `tsdfs cat big | head`: a closed pipe ends the command quietly, as with Unix tools.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

followLauncher(process.env);
const argv = process.argv.slice(2);
const script = process.argv[1];
const relaunched = script !== undefined && wantsBulkHeap(argv, process.execArgv) ? await runWithBulkHeap(script, argv) : null;
const exitCode =
  relaunched ??
  (await (await import('./run.js')).runCli(argv, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    stderrIsTerminal: process.stderr.isTTY === true,
  }));
process.stdout.write('', () => process.exit(exitCode));

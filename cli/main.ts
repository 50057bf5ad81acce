// Entry of the `tsdfs` command (bin/tsdfs.js loads the compiled file): runs the CLI on
// this process's arguments and streams, then exits with its code without waiting for
// idle keep-alive sockets.
import { tuneHeapForStreaming } from '../protocol/heap-tuning.js';

// `tsdfs cat big | head`: a closed pipe ends the command quietly, as with Unix tools.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// A command whose work can never finish (a bug: a wait nothing will end) leaves Node with
// nothing to run; it then exits with code 13 and prints nothing. Say so, in one line.
process.once('exit', (code) => {
  if (code === 13 || process.exitCode === 13) process.stderr.write('tsdfs: internal error: the command stopped before it finished (exit 13); please report it with TSDFS_DEBUG=1 output\n');
});

// Commands that move file data would otherwise run a full GC every few dozen MB.
tuneHeapForStreaming();
const argv = process.argv.slice(2);
const exitCode = await (await import('./run.js')).runCli(argv, {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  stderrIsTerminal: process.stderr.isTTY === true,
});
process.stdout.write('', () => process.exit(exitCode));

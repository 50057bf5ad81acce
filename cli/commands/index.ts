// Every `tsdfs` command, in the order `tsdfs help` lists them: what help and dispatch need
// (name, kind, usage, help), and the module that runs it, imported only when it runs: help
// loads no command code and `tsdfs ls` loads only ls's. Adding a command means adding its
// file (exporting its `run`) and one entry here.
import { defaultUserTokenDays } from '../../protocol/limits.js';
import type { Command } from '../command.js';

export const commands: readonly Command[] = [
  // File shell (also `tsdfs dfs -<name>`).
  {
    name: 'ls',
    kind: 'shell',
    usage: '[-R] [-h] [-d] [--json] [<path> ...]',
    help: `List a directory's entries, or a file's own line (default path: your home directory).
  -R      recurse into subdirectories
  -h      sizes as 1.5 K, 128 M, ...
  -d      list directories themselves, not their entries
  --json  print a JSON array of file statuses`,
    load: async () => (await import('./fs/ls.js')).runLs,
  },
  {
    name: 'mkdir',
    kind: 'shell',
    usage: '[-p] <path> ...',
    help: `Create directories.
  -p  create missing parents too, and accept directories that already exist`,
    load: async () => (await import('./fs/mkdir.js')).runMkdir,
  },
  {
    name: 'put',
    aliases: ['copyFromLocal'],
    kind: 'shell',
    usage: '[-f] [-p] <localsrc> ... <dst>',
    help: `Copy local files or directories (recursively) into tsdfs; "-" as <localsrc> reads stdin.
  -f  overwrite files that exist
  -p  keep the local permission bits (times and owners are not kept yet)
  -d  accepted for HDFS compatibility (the copy is always written via <dst>._COPYING_)`,
    load: async () => (await import('./fs/put.js')).runPut,
  },
  {
    name: 'get',
    aliases: ['copyToLocal'],
    kind: 'shell',
    usage: '[-f] [-p] <src> ... <localdst>',
    help: `Copy files or directories (recursively) from tsdfs to the local disk.
  -f  overwrite local files that exist
  -p, -ignoreCrc, -crc  accepted for HDFS compatibility (checksums are always verified)`,
    load: async () => (await import('./fs/get.js')).runGet,
  },
  {
    name: 'cat',
    kind: 'shell',
    usage: '[-ignoreCrc] <path> ...',
    help: 'Print files to standard output.',
    load: async () => (await import('./fs/cat.js')).runCat,
  },
  {
    name: 'tail',
    kind: 'shell',
    usage: '[-f] <path>',
    help: `Print the last kilobyte of a file.
  -f  keep printing data as the file grows (Ctrl-C to stop)`,
    load: async () => (await import('./fs/tail.js')).runTail,
  },
  {
    name: 'cp',
    kind: 'shell',
    usage: '[-f] [-r] <src> ... <dst>',
    help: `Copy files and directories inside tsdfs (directories always recursively, as in HDFS).
  -f      overwrite files that exist
  -r, -R  accepted for people used to cp -r`,
    load: async () => (await import('./fs/cp.js')).runCp,
  },
  {
    name: 'mv',
    kind: 'shell',
    usage: '<src> ... <dst>',
    help: 'Move (rename) files and directories inside tsdfs; into <dst> when it is a directory.',
    load: async () => (await import('./fs/mv.js')).runMv,
  },
  {
    name: 'rm',
    kind: 'shell',
    usage: '[-r|-R] [-f] [-skipTrash] <path> ...',
    help: `Delete files, and directories with -r.
  -r, -R      delete directories and everything below them
  -f          say nothing and succeed when a path does not exist
  -skipTrash  accepted; tsdfs deletes at once (there is no trash yet)`,
    load: async () => (await import('./fs/rm.js')).runRm,
  },
  {
    name: 'touchz',
    kind: 'shell',
    usage: '<path> ...',
    help: 'Create zero-length files (an existing file must already be zero-length).',
    load: async () => (await import('./fs/touchz.js')).runTouchz,
  },
  {
    name: 'test',
    kind: 'shell',
    usage: '-[defsz] <path>',
    help: `Answer a question about a path with the exit code (0 true, 1 false), printing nothing.
  -e  it exists          -d  it is a directory    -f  it is a file
  -z  it is zero bytes   -s  it is not empty`,
    load: async () => (await import('./fs/test.js')).runTest,
  },
  {
    name: 'stat',
    kind: 'shell',
    usage: '[--json] [format] <path> ...',
    help: `Print facts about files (default: modification time).
Format letters: %n name, %b bytes, %r replication, %o block size, %y modification time (UTC, yyyy-MM-dd HH:mm:ss), %Y in ms, %x/%X access time,
%F type, %u owner, %g group, %a octal permission, %A rwx permission. Default: %y.
  --json  print the file status as JSON (an array when several paths are given)`,
    load: async () => (await import('./fs/stat.js')).runStat,
  },
  {
    name: 'du',
    kind: 'shell',
    usage: '[-s] [-h] [-v] <path> ...',
    help: `Show the space files and directories use.
Columns: length, space consumed by all replicas, path; one line per entry of a
directory unless -s.
  -s  one summary line per argument
  -h  sizes as 1.5 K, 128 M, ...
  -v  print a header line`,
    load: async () => (await import('./fs/du.js')).runDu,
  },
  {
    name: 'df',
    kind: 'shell',
    usage: '[-h] [<path> ...]',
    help: `Show the file system's capacity, space used and space available.
  -h  sizes as 1.5 K, 128 M, ...`,
    load: async () => (await import('./fs/df.js')).runDf,
  },
  {
    name: 'count',
    kind: 'shell',
    usage: '[-q] [-h] [-v] <path> ...',
    help: `Count directories, files and bytes below each path.
Columns: DIR_COUNT FILE_COUNT CONTENT_SIZE PATHNAME.
  -q  also QUOTA REM_QUOTA SPACE_QUOTA REM_SPACE_QUOTA
  -h  sizes as 1.5 K, 128 M, ...
  -v  print a header line`,
    load: async () => (await import('./fs/count.js')).runCount,
  },
  {
    name: 'setrep',
    kind: 'shell',
    usage: '[-w] <rep> <path> ...',
    help: `Change the replication factor of files (of every file below a directory).
  -w  wait until every block has exactly <rep> replicas (may take long)`,
    load: async () => (await import('./fs/setrep.js')).runSetrep,
  },
  {
    name: 'chmod',
    kind: 'shell',
    usage: '[-R] <MODE[,MODE]... | OCTALMODE> <path> ...',
    help: `Change permissions: octal such as 755 or 1777 (sticky), or symbolic such as u+x,go-w.
  -R  apply to everything below directories too`,
    load: async () => (await import('./fs/chmod.js')).runChmod,
  },
  {
    name: 'chown',
    kind: 'shell',
    usage: '[-R] [OWNER][:[GROUP]] <path> ...',
    help: `Change the owner and/or group (changing the owner needs superuser rights).
  -R  apply to everything below directories too`,
    load: async () => (await import('./fs/chown.js')).runChown,
  },
  {
    name: 'chgrp',
    kind: 'shell',
    usage: '[-R] GROUP <path> ...',
    help: `Change the group.
  -R  apply to everything below directories too`,
    load: async () => (await import('./fs/chown.js')).runChgrp,
  },
  {
    name: 'checksum',
    kind: 'shell',
    usage: '<path> ...',
    help: 'Print the CRC32C of each file\'s bytes: PATH<tab>CRC32C<tab>HEX (read back from the datanodes).',
    load: async () => (await import('./fs/checksum.js')).runChecksum,
  },
  // Administration.
  {
    name: 'dfsadmin',
    kind: 'admin',
    usage: '-report [-live] [-dead] [-decommissioning] [--json] | -safemode get|enter|leave|wait | -refreshNodes | -printTopology | -issueToken USER [-expiry DAYS]',
    help: `Cluster report, safe mode and node administration.
  -report [-live|-dead|-decommissioning] [--json]
                   capacity, usage and every datanode, in HDFS's layout or as JSON
  -safemode get|enter|leave|wait
                   show, enter or leave safe mode, or wait until the namenode leaves it
  -refreshNodes [--json]
                   re-read dfs.hosts.exclude: listed datanodes decommission, others return to Normal
  -printTopology [--json]
                   racks and their datanodes
  -issueToken USER [-expiry DAYS]
                   print a user token for tsdfs.auth=token (default ${defaultUserTokenDays} days), signed
                   with the cluster secret: run where tsdfs.cluster.secret.file (or
                   <dfs.namenode.name.dir>/cluster.secret) is readable; users set TSDFS_TOKEN`,
    load: async () => (await import('./admin/dfsadmin.js')).runDfsadmin,
  },
  {
    name: 'fsck',
    kind: 'admin',
    usage: '<path> [-files [-blocks [-locations]]] [--json]',
    help: `Check the health of files and blocks below <path>.
  -files      one line per file
  -blocks     its blocks too
  -locations  and the datanodes holding each replica
  --json      print the report as JSON
Exit code 1 when the path is CORRUPT (missing or corrupt blocks).`,
    load: async () => (await import('./admin/fsck.js')).runFsck,
  },
  {
    name: 'balancer',
    kind: 'admin',
    usage: '[-threshold <percent>]',
    help: 'Even out disk use across datanodes (not supported by this version of tsdfs yet).',
    load: async () => (await import('./admin/balancer.js')).runBalancer,
  },
  // Servers.
  {
    name: 'namenode',
    kind: 'server',
    usage: '[-format [-force]]',
    help: `Run the namenode (prints "tsdfs namenode listening on HOST:PORT" when ready).
  -format  create an empty file system in dfs.namenode.name.dir
  -force   with -format: wipe an existing one`,
    load: async () => (await import('./server/namenode.js')).runNamenode,
  },
  {
    name: 'datanode',
    kind: 'server',
    usage: '',
    help: 'Run a datanode (prints "tsdfs datanode listening on HOST:PORT uuid=UUID" when ready).',
    load: async () => (await import('./server/datanode.js')).runDatanode,
  },
  {
    name: 'cluster',
    kind: 'server',
    usage: '[--datanodes N] [--dir DIR]',
    help: `Run a local mini-cluster: a namenode and N datanodes on 127.0.0.1.
Each member is its own process (N defaults to 3), data under DIR (default ./data), formatted on first start and kept
across restarts. Logs go to DIR/logs/<member>.log. Ctrl-C stops it.`,
    load: async () => (await import('./server/cluster.js')).runCluster,
  },
];

export function findCommand(name: string): Command | undefined {
  return commands.find((command) => command.name === name || command.aliases?.includes(name));
}

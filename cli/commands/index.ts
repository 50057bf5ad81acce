// Every `tsdfs` command, in the order `tsdfs help` lists them. Adding a command means
// adding its file and one line here.
import type { Command } from '../command.js';
import { balancerCommand } from './admin/balancer.js';
import { dfsadminCommand } from './admin/dfsadmin.js';
import { fsckCommand } from './admin/fsck.js';
import { catCommand } from './fs/cat.js';
import { checksumCommand } from './fs/checksum.js';
import { chmodCommand } from './fs/chmod.js';
import { chgrpCommand, chownCommand } from './fs/chown.js';
import { countCommand } from './fs/count.js';
import { cpCommand } from './fs/cp.js';
import { dfCommand } from './fs/df.js';
import { duCommand } from './fs/du.js';
import { getCommand } from './fs/get.js';
import { lsCommand } from './fs/ls.js';
import { mkdirCommand } from './fs/mkdir.js';
import { mvCommand } from './fs/mv.js';
import { putCommand } from './fs/put.js';
import { rmCommand } from './fs/rm.js';
import { setrepCommand } from './fs/setrep.js';
import { statCommand } from './fs/stat.js';
import { tailCommand } from './fs/tail.js';
import { testCommand } from './fs/test.js';
import { touchzCommand } from './fs/touchz.js';
import { clusterCommand } from './server/cluster.js';
import { datanodeCommand } from './server/datanode.js';
import { namenodeCommand } from './server/namenode.js';

export const commands: readonly Command[] = [
  // File shell (also `tsdfs dfs -<name>`).
  lsCommand,
  mkdirCommand,
  putCommand,
  getCommand,
  catCommand,
  tailCommand,
  cpCommand,
  mvCommand,
  rmCommand,
  touchzCommand,
  testCommand,
  statCommand,
  duCommand,
  dfCommand,
  countCommand,
  setrepCommand,
  chmodCommand,
  chownCommand,
  chgrpCommand,
  checksumCommand,
  // Administration.
  dfsadminCommand,
  fsckCommand,
  balancerCommand,
  // Servers.
  namenodeCommand,
  datanodeCommand,
  clusterCommand,
];

export function findCommand(name: string): Command | undefined {
  return commands.find((command) => command.name === name || command.aliases?.includes(name));
}

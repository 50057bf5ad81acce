// `cluster [--datanodes N] [--dir DIR]`: a local mini-cluster of one namenode and N
// datanodes, each its own process, formatted on first start and kept across restarts.
// Logs go to DIR/logs; Ctrl-C (or SIGTERM) stops every member and exits 0.
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseCommandArguments, parseIntegerArgument } from '../../args.js';
import { schemeOf } from '../../../config/index.js';
import type { CommandIo, CommandRun } from '../../command.js';
import { ShellError } from '../../shell/errors.js';
import { ClusterMember, describeExit } from './cluster-member.js';
import { type ClusterLayout, datanodeArgs, formatArgs, namenodeArgs, planClusterLayout, reachableAddress } from './cluster-plan.js';

const defaultDatanodes = 3;
/** A bound against typos such as `--datanodes 300` on a Pi. */
const maxDatanodes = 64;
const defaultFsUri = 'tsdfs://127.0.0.1:9870';

export const runCluster: CommandRun = async (args, io) => {
  const parsed = parseCommandArguments(args, { valued: ['--datanodes', '--dir', '-datanodes', '-dir'] });
  const count = parsed.values.get('--datanodes') ?? parsed.values.get('-datanodes');
  const datanodeCount = count === undefined ? defaultDatanodes : parseIntegerArgument(count, '--datanodes', 1, maxDatanodes);
  const dir = resolve(io.cwd, parsed.values.get('--dir') ?? parsed.values.get('-dir') ?? './data');
  const layout = planClusterLayout(io.config, io.generic, dir, datanodeCount);
  await mkdir(layout.logDir, { recursive: true });
  return new ClusterLauncher(io, layout).run();
};

interface StartedCluster {
  /** Settles only if the namenode dies unasked: the cluster is useless without it. */
  namenodeDied: Promise<string>;
}

class ClusterLauncher {
  private namenode: ClusterMember | undefined;
  private readonly datanodes: ClusterMember[] = [];
  private readonly members = new Set<ClusterMember>();
  private stopping = false;

  constructor(
    private readonly io: CommandIo,
    private readonly layout: ClusterLayout,
  ) {}

  async run(): Promise<number> {
    // Listen for Ctrl-C from the very start: members run detached and must not outlive us.
    const shutdown = this.io.shutdownRequested().then(() => 'shutdown' as const);
    const stopOnExit = (): void => this.members.forEach((member) => member.child.kill('SIGTERM'));
    process.once('exit', stopOnExit);
    try {
      const starting = this.start();
      starting.catch(() => {});
      const started = await Promise.race([starting, shutdown]);
      if (started === 'shutdown') return 0;
      const reason = await Promise.race([shutdown, started.namenodeDied]);
      return reason === 'namenode died' ? 1 : 0;
    } finally {
      await this.stopAll();
      process.off('exit', stopOnExit);
    }
  }

  /** Formats if needed and starts every member. */
  private async start(): Promise<StartedCluster> {
    if (!(await isFormatted(this.layout.nameDir))) await this.format();
    return this.startMembers();
  }

  private async format(): Promise<void> {
    const member = this.spawn('namenode-format', 'namenode', formatArgs(this.layout, this.io.generic, this.io.cwd));
    let output = '';
    member.child.stdout?.setEncoding('utf8').on('data', (text: string) => (output += text));
    const exit = await member.exited;
    this.members.delete(member);
    if (exit.code !== 0) throw new ShellError(`formatting ${this.layout.nameDir} failed (${describeExit(exit)}):\n${await member.logTail()}`);
    this.io.stdout.write(output);
  }

  /** The namenode, then the datanodes. */
  private async startMembers(): Promise<StartedCluster> {
    this.namenode = this.spawn('namenode', 'namenode', namenodeArgs(this.layout, this.io.generic, this.io.cwd));
    const address = reachableAddress(await this.namenode.waitUntilListening());
    const namenodeDied = this.watch(this.namenode).then(() => 'namenode died');
    for (let index = 1; index <= this.layout.datanodeCount; index++) {
      const args = datanodeArgs(this.layout, this.io.generic, this.io.cwd, index, address);
      this.datanodes.push(this.spawn(`datanode ${index}`, `datanode${index}`, args));
    }
    await Promise.all(this.datanodes.map((datanode) => datanode.waitUntilListening()));
    for (const datanode of this.datanodes) void this.watch(datanode);
    this.announce(`tsdfs://${address}`);
    return { namenodeDied };
  }

  private spawn(name: string, logName: string, args: string[]): ClusterMember {
    if (this.stopping) throw new ShellError('stopping');
    const member = new ClusterMember(name, join(this.layout.logDir, `${logName}.log`), args, this.io.env);
    this.members.add(member);
    return member;
  }

  /** Resolves when `member` dies without being asked to, after saying so on stderr. */
  private async watch(member: ClusterMember): Promise<void> {
    const exit = await member.exited;
    if (member.isStopping) return new Promise(() => {});
    this.io.stderr.write(`cluster: ${member.name} (pid ${member.pid}) exited unexpectedly (${describeExit(exit)}); see ${member.logFile}\n`);
  }

  private announce(uri: string): void {
    const fsOption = uri === defaultFsUri ? '' : ` -fs ${uri}`;
    const plural = this.layout.datanodeCount === 1 ? 'datanode' : 'datanodes';
    this.io.stdout.write(
      `tsdfs cluster is up: namenode ${uri}, ${this.layout.datanodeCount} ${plural}\n` +
        `Logs in ${this.layout.logDir}; metrics at ${uri.replace('tsdfs://', `${schemeOf(uri, this.io.config)}://`)}/metrics; Ctrl-C stops the cluster.\n` +
        `Try: npx tsdfs put README.md /${fsOption}\n`,
    );
  }

  /** Datanodes first (so they do not log a vanished namenode), then the namenode. */
  private async stopAll(): Promise<void> {
    if (this.members.size === 0) return;
    this.stopping = true;
    this.io.stdout.write('Stopping tsdfs cluster ...\n');
    await Promise.all(this.datanodes.map((datanode) => datanode.stop()));
    await Promise.all([...this.members].map((member) => member.stop()));
    this.members.clear();
    this.io.stdout.write('tsdfs cluster stopped\n');
  }
}

/** A name directory with anything in it has been formatted; keep it and its data. */
async function isFormatted(nameDir: string): Promise<boolean> {
  const entries = await readdir(nameDir).catch(() => []);
  return entries.length > 0;
}

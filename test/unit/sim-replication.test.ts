// Simulation of the namenode's self-healing core (TigerBeetle's VOPR, in small): the real
// block map, datanode manager, replication monitor, placement and safe mode, driven by a
// seeded PRNG and a fake clock through hundreds of datanodes dying, rejoining, reporting
// late, being decommissioned and recommissioned, replicas going corrupt, targets changing,
// and transfers that fail. Datanodes are modelled as disks plus delayed report queues.
// After every step the invariants are checked; after a quiet period every block must be
// back at its target. `SIM_DATANODES=1000 SIM_BLOCKS=50000 SIM_HOURS=1` times a big run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlockInfo, type BlockSnapshot } from '../../namenode/blocks/block-map.js';
import { BlockManager } from '../../namenode/blocks/block-manager.js';
import { type DatanodeDescriptor, DatanodeManager } from '../../namenode/datanodes/datanode-manager.js';
import { parseExcludeList } from '../../namenode/datanodes/exclude-list.js';
import { type NamenodeCore, type TickDecisions, applyAdminStateChanges, redundancyTick } from '../../namenode/replication/redundancy-tick.js';
import { SafeMode } from '../../namenode/safemode/safe-mode.js';
import type { DatanodeCommand, ReportedReplica } from '../../protocol/datanode-namenode.js';

const heartbeatMs = 3000;
const limits = { staleAfterMs: 30_000, deadAfterMs: 630_000 };
const blockLength = 64 * 1024 * 1024;
const capacity = 4e12;

/** mulberry32: small, fast, repeatable. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SimReport {
  dueStep: number;
  received?: ReportedReplica;
  deleted?: [number, number];
  full?: boolean;
}

interface SimNode {
  uuid: string;
  hostname: string;
  up: boolean;
  /** Registered with the namenode since it last came up. */
  registered: boolean;
  registerDueStep: number;
  descriptor?: DatanodeDescriptor;
  /** blockId → corrupt? (every replica has generation stamp 1). */
  disk: Map<number, boolean>;
  reports: SimReport[];
}

interface SimOptions {
  seed: number;
  datanodes: number;
  blocks: number;
  steps: number;
  quietSteps: number;
  /** Full invariant sweeps (O(blocks)) every this many steps; 1 = every step. */
  sweepEvery: number;
}

interface SimStats {
  deaths: number;
  declaredDead: number;
  rejoins: number;
  decommissions: number;
  decommissioned: number;
  recommissions: number;
  transfers: number;
  failedTransfers: number;
  invalidates: number;
  corruptions: number;
  replicationChanges: number;
  safeModeOffAtStep: number;
  quietStepsToHealthy: number;
}

class Simulation {
  readonly random: () => number;
  readonly datanodes: DatanodeManager;
  readonly blockManager: BlockManager;
  readonly safeMode = new SafeMode({ thresholdPct: 0.999, extensionMs: 30_000 });
  readonly core: NamenodeCore;
  readonly nodes: SimNode[] = [];
  readonly byIndex = new Map<number, SimNode>();
  readonly excluded = new Set<string>();
  readonly byUuid = new Map<string, SimNode>();
  /** blockId → the nodes whose disks hold it (up or down): the physical truth. */
  readonly copies = new Map<number, Set<SimNode>>();
  readonly stats: SimStats = {
    deaths: 0, declaredDead: 0, rejoins: 0, decommissions: 0, decommissioned: 0, recommissions: 0, transfers: 0,
    failedTransfers: 0, invalidates: 0, corruptions: 0, replicationChanges: 0, safeModeOffAtStep: -1, quietStepsToHealthy: -1,
  };
  step = 0;
  quiet = false;

  constructor(readonly options: SimOptions) {
    this.random = prng(options.seed);
    const racks = Math.max(2, Math.round(options.datanodes / 40));
    const rackTable = new Map<string, string>();
    for (let i = 0; i < options.datanodes; i++) {
      const hostname = `dn${i}.sim`;
      rackTable.set(hostname, `/rack${i % racks}`);
      const node: SimNode = { uuid: `uuid-${i}`, hostname, up: true, registered: false, registerDueStep: this.int(6), disk: new Map(), reports: [] };
      this.nodes.push(node);
      this.byUuid.set(node.uuid, node);
    }
    this.datanodes = new DatanodeManager(limits, rackTable);
    this.blockManager = new BlockManager(this.datanodes, 1, { random: this.random, replication: { maxStreams: 2, pendingTimeoutMs: 15_000 } });
    this.core = { datanodes: this.datanodes, blockManager: this.blockManager, safeMode: this.safeMode };
    this.placeInitialBlocks(racks);
  }

  get now(): number {
    return this.step * heartbeatMs;
  }

  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** The namespace after a restart: every block known, no replica reported yet. */
  private placeInitialBlocks(racks: number): void {
    for (let id = 1; id <= this.options.blocks; id++) {
      const roll = this.random();
      const replication = roll < 0.05 ? 1 : roll < 0.15 ? 2 : 3;
      this.blockManager.blockMap.set(id, new BlockInfo(1, blockLength, 'complete', replication));
      this.blockManager.replication.blockChanged(id);
      const chosen = new Set<number>();
      while (chosen.size < replication) {
        const index = this.int(this.nodes.length);
        // The second replica on another rack, as placement would have put it.
        if (chosen.size === 1 && index % racks === [...chosen][0]! % racks) continue;
        chosen.add(index);
      }
      for (const index of chosen) this.writeReplica(this.nodes[index] as SimNode, id, false);
    }
  }

  // ---- the datanodes' side ----

  private writeReplica(node: SimNode, blockId: number, corrupt: boolean): void {
    node.disk.set(blockId, corrupt);
    let holders = this.copies.get(blockId);
    if (holders === undefined) this.copies.set(blockId, (holders = new Set()));
    holders.add(node);
  }

  private register(node: SimNode): void {
    const descriptor = this.datanodes.register(
      {
        type: 'register', datanodeUuid: node.uuid, clusterId: 'CID-sim', softwareVersion: '0.1.0', hostname: node.hostname, dataPort: 9866,
        storage: { capacity, dfsUsed: 0, nonDfsUsed: 0, remaining: this.remainingOf(node), volumes: [] },
      },
      '',
      this.now,
    );
    this.blockManager.onDatanodeRegistered(descriptor);
    const change = this.datanodes.applyExcludeList(descriptor);
    if (change) applyAdminStateChanges(this.core, [change]);
    node.descriptor = descriptor;
    node.registered = true;
    this.byIndex.set(descriptor.index, node);
    // The full report follows registration, sometimes late.
    node.reports = [{ dueStep: this.step + (this.random() < 0.3 ? 1 + this.int(4) : 0), full: true }];
  }

  private remainingOf(node: SimNode): number {
    return capacity - node.disk.size * blockLength;
  }

  private heartbeat(node: SimNode): void {
    const descriptor = node.descriptor as DatanodeDescriptor;
    this.datanodes.onHeartbeat(descriptor, { type: 'heartbeat', seq: this.step, capacity, dfsUsed: node.disk.size * blockLength, nonDfsUsed: 0, remaining: this.remainingOf(node), activeTransfers: 0, failedVolumes: 0 }, this.now);
    if (descriptor.lastLiveness === 'dead') {
      this.register(node); // the reply was `reregister`
      return;
    }
    const commands = this.datanodes.drainCommands(descriptor, !this.safeMode.isOn);
    for (const command of commands) this.execute(node, command);
  }

  private execute(node: SimNode, command: DatanodeCommand): void {
    if (command.kind === 'invalidate') {
      assert.ok(!this.safeMode.isOn, 'no deletion in safe mode');
      for (const [blockId] of command.blocks) this.deleteReplica(node, blockId);
    } else if (command.kind === 'transfer') {
      assert.ok(!this.safeMode.isOn, 'no replication in safe mode');
      this.transfer(node, command.block.id, command.targets.map((target) => target.uuid));
    }
  }

  private deleteReplica(node: SimNode, blockId: number): void {
    if (!node.disk.has(blockId)) return;
    const wasGood = node.disk.get(blockId) === false;
    if (wasGood) assert.ok(this.goodCopies(blockId, node) > 0, `block ${blockId}: the last good replica must never be deleted`);
    node.disk.delete(blockId);
    this.copies.get(blockId)?.delete(node);
    this.stats.invalidates++;
    node.reports.push({ dueStep: this.step + this.int(3), deleted: [blockId, 1] });
  }

  private transfer(source: SimNode, blockId: number, targetUuids: string[]): void {
    const data = source.disk.get(blockId);
    // A missing or corrupt source, or a broken network: the copy fails; the namenode times it out.
    if (data !== false || this.random() < 0.1) {
      this.stats.failedTransfers++;
      return;
    }
    this.stats.transfers++;
    for (const uuid of targetUuids) {
      const target = this.byUuid.get(uuid) as SimNode;
      if (!target.up) break; // the pipeline stops at a dead node
      this.writeReplica(target, blockId, false);
      // Usually reported within a beat or two; sometimes after the pending timeout.
      const delay = this.random() < 0.05 ? 6 + this.int(10) : this.int(3);
      target.reports.push({ dueStep: this.step + delay, received: [blockId, 1, blockLength] });
    }
  }

  private deliverReports(node: SimNode): void {
    const descriptor = node.descriptor as DatanodeDescriptor;
    const due = node.reports.filter((report) => report.dueStep <= this.step);
    node.reports = node.reports.filter((report) => report.dueStep > this.step);
    for (const report of due) {
      if (report.full) {
        const replicas: ReportedReplica[] = [...node.disk.keys()].map((id) => [id, 1, blockLength]);
        this.blockManager.onBlockReportChunk(descriptor, this.step, replicas, true, this.now);
        // Its block scanner knows its bad replicas and says so again.
        for (const [id, corrupt] of node.disk) if (corrupt) this.blockManager.markCorrupt(descriptor, id, 1);
      } else if (report.received) {
        this.blockManager.onReplicaReceived(descriptor, report.received);
        if (node.disk.get(report.received[0]) === true) this.blockManager.markCorrupt(descriptor, report.received[0], 1);
      } else if (report.deleted) {
        this.blockManager.onReplicaDeleted(descriptor, report.deleted[0], report.deleted[1]);
      }
    }
    this.core.safeMode.update(this.blockManager.replication.counters.safeBlocks, this.blockManager.replication.counters.completeBlocks, this.now);
  }

  /** Good replicas of a block anywhere, on nodes up or down (disks outlive processes). */
  goodCopies(blockId: number, except?: SimNode): number {
    let count = 0;
    for (const node of this.copies.get(blockId) ?? []) if (node !== except && node.disk.get(blockId) === false) count++;
    return count;
  }

  // ---- faults ----

  private injectFaults(): void {
    const n = this.nodes.length;
    for (const node of this.nodes) {
      if (node.up && this.random() < 150 / (n * 1200)) {
        node.up = false; // killed: no more heartbeats, reports in flight lost, disk kept
        node.registered = false;
        node.reports = [];
        this.stats.deaths++;
      } else if (!node.up && this.random() < 1 / 200) {
        node.up = true;
        node.registerDueStep = this.step + this.int(3);
        this.stats.rejoins++;
      }
    }
    if (this.random() < 1 / 60) this.decommissionOne();
    if (this.excluded.size > 0 && this.random() < this.excluded.size / 400) this.recommissionOne();
    if (this.random() < 0.2) this.corruptOne();
    if (this.random() < 0.1) this.changeReplication();
  }

  private decommissionOne(): void {
    if (this.excluded.size >= Math.max(2, this.nodes.length / 50)) return;
    const node = this.nodes[this.int(this.nodes.length)] as SimNode;
    if (this.excluded.has(node.hostname)) return;
    this.excluded.add(node.hostname);
    this.stats.decommissions++;
    this.applyExcludes();
  }

  private recommissionOne(): void {
    const hosts = [...this.excluded];
    this.excluded.delete(hosts[this.int(hosts.length)] as string);
    this.stats.recommissions++;
    this.applyExcludes();
  }

  private applyExcludes(): void {
    const changes = this.datanodes.setExcludeList(parseExcludeList([...this.excluded].join('\n')));
    applyAdminStateChanges(this.core, changes);
  }

  /** A replica rots on an up node; its datanode reports it (only where another good copy exists). */
  private corruptOne(): void {
    const node = this.nodes[this.int(this.nodes.length)] as SimNode;
    if (!node.up || !node.registered || node.disk.size === 0) return;
    const ids = [...node.disk.keys()];
    const blockId = ids[this.int(ids.length)] as number;
    if (node.disk.get(blockId) !== false || this.goodCopies(blockId) < 2) return;
    node.disk.set(blockId, true);
    this.blockManager.markCorrupt(node.descriptor as DatanodeDescriptor, blockId, 1);
    this.stats.corruptions++;
  }

  private changeReplication(): void {
    const blockId = 1 + this.int(this.options.blocks);
    this.blockManager.setExpectedReplication(blockId, 1 + this.int(4));
    this.stats.replicationChanges++;
  }

  // ---- one step ----

  runStep(): TickDecisions {
    this.step++;
    if (!this.quiet && this.step > 20) this.injectFaults();
    for (const node of this.nodes) {
      if (!node.up) continue;
      if (!node.registered) {
        if (node.registerDueStep <= this.step) this.register(node);
        continue;
      }
      this.heartbeat(node);
      if (node.registered) this.deliverReports(node);
    }
    const decisions = redundancyTick(this.core, this.now);
    if (!this.safeMode.isOn && this.stats.safeModeOffAtStep < 0) this.stats.safeModeOffAtStep = this.step;
    this.stats.declaredDead += decisions.livenessChanges.filter((change) => change.to === 'dead').length;
    this.stats.decommissioned += decisions.decommissioned.length;
    this.checkDecisions(decisions);
    this.queue(decisions);
    return decisions;
  }

  /** The shell's job: commands onto the per-datanode queues for the next heartbeat replies. */
  private queue(decisions: TickDecisions): void {
    for (const transfer of decisions.transfers) {
      this.datanodes.queueCommandOnce(transfer.source, {
        kind: 'transfer', block: transfer.block, token: '',
        targets: transfer.targets.map((node) => ({ uuid: node.uuid, name: `${node.hostname}:9866`, hostname: node.hostname, rack: node.rack })),
      });
    }
    for (const invalidate of decisions.invalidates) this.datanodes.queueInvalidate(invalidate.datanode, invalidate.blockId, invalidate.genStamp);
  }

  // ---- invariants ----

  private checkDecisions(decisions: TickDecisions): void {
    if (this.safeMode.isOn) {
      assert.equal(decisions.transfers.length + decisions.invalidates.length, 0, 'nothing scheduled in safe mode');
    }
    const monitor = this.blockManager.replication;
    for (const transfer of decisions.transfers) {
      const info = this.blockManager.blockMap.get(transfer.block.id) as BlockSnapshot;
      const targets = transfer.targets.map((node) => node.index);
      assert.equal(new Set(targets).size, targets.length, 'targets are distinct');
      for (const target of targets) assert.ok(!info.hasReplicaOn(target), `block ${transfer.block.id}: a target never already holds it`);
      assert.ok(info.hasReplicaOn(transfer.source.index), 'the source holds the block');
      for (const node of transfer.targets) assert.equal(node.adminState, 'Normal', 'no new replicas on decommissioning nodes');
      const live = monitor.countReplicas(transfer.block.id).live;
      const scheduled = monitor.pending.countFor(transfer.block.id);
      const allowed = info.expectedReplication + (transfer.reason === 'rack' ? 1 : 0);
      assert.ok(live + scheduled <= allowed, `block ${transfer.block.id}: live ${live} + scheduled ${scheduled} exceed the target ${info.expectedReplication}`);
    }
    for (const invalidate of decisions.invalidates) {
      const info = this.blockManager.blockMap.get(invalidate.blockId) as BlockSnapshot;
      const live = monitor.countReplicas(invalidate.blockId).live;
      const floor = invalidate.reason === 'excess' ? info.expectedReplication : 1;
      assert.ok(live >= floor, `block ${invalidate.blockId}: a ${invalidate.reason} deletion leaves ${live} live replicas`);
    }
  }

  /** O(blocks): the block map is well formed, nothing is lost, and the counters are true. */
  sweep(): void {
    const monitor = this.blockManager.replication;
    let under = 0;
    let missing = 0;
    for (const [blockId, info] of this.blockManager.blockMap.entries()) {
      const replicas = info.replicas;
      for (let i = 0; i < replicas.length; i += 2) {
        for (let j = i + 2; j < replicas.length; j += 2) assert.ok(replicas[i] !== replicas[j], `block ${blockId}: no datanode holds two replicas`);
      }
      if (this.goodCopies(blockId) < 1) assert.fail(`block ${blockId} was lost`);
      const counts = monitor.countReplicas(blockId);
      if (counts.live + counts.decommissioning === 0) missing++;
      else if (counts.live < info.expectedReplication) under++;
    }
    assert.equal(monitor.counters.underReplicated, under, 'the under-replicated counter is true');
    assert.equal(monitor.counters.missing, missing, 'the missing counter is true');
  }

  /** Quiet: every block back at its target on in-service nodes, spread over racks, nothing pending. */
  healthy(): boolean {
    const monitor = this.blockManager.replication;
    if (this.safeMode.isOn || monitor.pending.size > 0 || monitor.needed.size > 0) return false;
    if (monitor.counters.underReplicated > 0 || monitor.counters.missing > 0) return false;
    if (this.datanodes.all().some((node) => node.adminState === 'Decommission in progress')) return false;
    for (const [blockId, info] of this.blockManager.blockMap.entries()) {
      if (monitor.countReplicas(blockId).live !== info.expectedReplication) return false;
    }
    return true;
  }

  bringEveryoneBack(): void {
    this.quiet = true;
    for (const node of this.nodes) {
      if (node.up) continue;
      node.up = true;
      node.registerDueStep = this.step + 1;
    }
  }
}

export function runSimulation(options: SimOptions): { sim: Simulation; elapsedMs: number } {
  const started = performance.now();
  const sim = new Simulation(options);
  for (let i = 0; i < options.steps; i++) {
    sim.runStep();
    if (sim.step % options.sweepEvery === 0) sim.sweep();
  }
  sim.bringEveryoneBack();
  for (let i = 0; i < options.quietSteps; i++) {
    sim.runStep();
    if (sim.step % options.sweepEvery === 0) sim.sweep();
    if (sim.healthy()) {
      sim.stats.quietStepsToHealthy = i + 1;
      break;
    }
  }
  sim.sweep();
  return { sim, elapsedMs: performance.now() - started };
}

const stepsPerHour = 3600_000 / heartbeatMs;
const envNumber = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

// Every decision and every deletion is checked as it happens; the O(blocks) sweep (block
// map well formed, nothing lost, counters true) runs every step on the smaller cluster.
const scenarios = [
  { seed: 1, datanodes: 300, blocks: 6000, sweepEvery: 5 },
  { seed: 2, datanodes: 200, blocks: 2000, sweepEvery: 1 },
];

for (const scenario of scenarios) {
  test(`simulation seed ${scenario.seed}, ${scenario.datanodes} datanodes: deaths, rejoins, late reports, decommissioning, corruption; invariants hold; everything heals in the quiet`, () => {
    const datanodes = envNumber('SIM_DATANODES', scenario.datanodes);
    const hours = envNumber('SIM_HOURS', 1);
    const { sim, elapsedMs } = runSimulation({
      seed: envNumber('SIM_SEED', scenario.seed),
      datanodes,
      blocks: envNumber('SIM_BLOCKS', scenario.blocks),
      steps: Math.round(hours * stepsPerHour),
      quietSteps: 800,
      sweepEvery: envNumber('SIM_SWEEP_EVERY', scenario.sweepEvery),
    });
    const { stats } = sim;
    if (process.env.SIM_DATANODES) console.log(JSON.stringify({ datanodes, hours, elapsedMs: Math.round(elapsedMs), msPerSimulatedHour: Math.round(elapsedMs / hours), ...stats }));
    assert.ok(stats.safeModeOffAtStep > 0 && stats.safeModeOffAtStep < 40, `start-up safe mode ended (step ${stats.safeModeOffAtStep})`);
    assert.ok(stats.deaths >= 100 && stats.declaredDead > 20 && stats.rejoins > 50, `enough churn: ${JSON.stringify(stats)}`);
    assert.ok(stats.decommissions > 10 && stats.decommissioned > 3, `decommissioning happened: ${JSON.stringify(stats)}`);
    assert.ok(stats.quietStepsToHealthy > 0, `healed in the quiet period: ${JSON.stringify(stats)}`);
  });
}

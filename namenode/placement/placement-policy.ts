// Choosing the datanodes of a new block's pipeline (pure: nodes, request and a random
// source in, targets out). HDFS's rules: first replica on the writer's own datanode when
// it has one, otherwise a lightly loaded one; second on another rack; third on the
// second's rack; never two replicas on one node; stale nodes only when live ones run out;
// free space and active transfers weigh every pick.
import type { Liveness } from '../datanodes/liveness.js';

export interface PlacementNode {
  uuid: string;
  hostname: string;
  ipAddress: string;
  rack: string;
  remaining: number;
  activeTransfers: number;
  liveness: Liveness;
  /** Decommissioning and decommissioned datanodes take no new replicas. */
  adminState?: string;
}

export interface PlacementRequest<N extends PlacementNode = PlacementNode> {
  nodes: readonly N[];
  replication: number;
  excludeNodes: ReadonlySet<string>;
  /** The writer's address (IP or host name), to put the first replica on its own datanode. */
  writerHost: string;
  blockSizeBytes: number;
  /** [0, 1); injected so tests are repeatable. */
  random: () => number;
  /** Replicas the block already has (re-replication): the new ones are spread against them. */
  existing?: readonly Pick<PlacementNode, 'rack'>[];
}

/** Up to `replication` distinct targets in pipeline order; the caller refuses an empty answer. */
export function chooseTargets<N extends PlacementNode>(request: PlacementRequest<N>): N[] {
  const usable = request.nodes.filter(
    (node) =>
      node.liveness !== 'dead' &&
      (node.adminState === undefined || node.adminState === 'Normal') &&
      !request.excludeNodes.has(node.uuid) &&
      node.remaining >= request.blockSizeBytes,
  );
  const live = usable.filter((node) => node.liveness === 'live');
  const stale = usable.filter((node) => node.liveness === 'stale');
  const chosen: N[] = [];
  for (const pool of [live, stale]) {
    const available = [...pool];
    while (chosen.length < request.replication && available.length > 0) {
      const next = pickNext(available, chosen, request);
      chosen.push(next);
      available.splice(available.indexOf(next), 1);
    }
  }
  return chosen;
}

function pickNext<N extends PlacementNode>(available: N[], chosen: N[], request: PlacementRequest<N>): N {
  const preferred = preferredCandidates(available, chosen, request);
  return weightedPick(preferred.length > 0 ? preferred : available, request.random);
}

/**
 * HDFS's order, counting replicas the block already has: the first on the writer's node,
 * the second on another rack, the third on the second's rack; while every replica sits on
 * one rack, another rack first.
 */
function preferredCandidates<N extends PlacementNode>(available: N[], chosen: N[], request: PlacementRequest<N>): N[] {
  const placed: Array<Pick<PlacementNode, 'rack'>> = [...(request.existing ?? []), ...chosen];
  const [first, second] = placed;
  if (first === undefined) return available.filter((node) => isWritersNode(node, request.writerHost));
  if (placed.every((node) => node.rack === first.rack)) return available.filter((node) => node.rack !== first.rack);
  if (placed.length === 2 && second !== undefined) return available.filter((node) => node.rack === second.rack);
  return available;
}

/** On loopback every datanode is the writer's own, so the weighing alone picks a light one. */
export function isWritersNode(node: Pick<PlacementNode, 'hostname' | 'ipAddress'>, writerHost: string): boolean {
  const writer = stripIpv4Mapping(writerHost);
  if (writer === '') return false;
  if (isLoopback(writer)) return isLoopback(stripIpv4Mapping(node.ipAddress)) || node.hostname === 'localhost';
  return node.hostname === writer || stripIpv4Mapping(node.ipAddress) === writer;
}

function stripIpv4Mapping(address: string): string {
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address === 'localhost';
}

/** Random pick weighted by free space and divided by load, so no single node takes every write. */
function weightedPick<N extends PlacementNode>(candidates: N[], random: () => number): N {
  const mostRemaining = Math.max(1, ...candidates.map((node) => node.remaining));
  const weights = candidates.map((node) => (0.1 + node.remaining / mostRemaining) / (1 + node.activeTransfers));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let target = random() * total;
  for (let i = 0; i < candidates.length; i++) {
    target -= weights[i] as number;
    if (target < 0) return candidates[i] as N;
  }
  return candidates[candidates.length - 1] as N;
}

// Which replicas of one block to delete: corrupt ones once enough good ones exist, and the
// surplus over the target. Pure: the replication monitor passes a view of the block's
// replicas and sends the deletions it gets back.

/** One replica of a block as the trim decision sees it. */
export interface TrimCandidate {
  datanodeIndex: number;
  rack: string;
  /** Free bytes on the datanode: the surplus goes from the fullest node. */
  remaining: number;
  corrupt: boolean;
  /** The datanode was declared dead: its replica neither counts nor is chosen as surplus. */
  dead: boolean;
  /** Admin state Normal: only in-service replicas count toward the target. */
  inService: boolean;
}

export interface TrimPlan {
  /** Corrupt replicas to delete: every one, once the live replicas reach the target. */
  corrupt: number[];
  /** Surplus live replicas to delete, in the order they were chosen. */
  excess: number[];
}

/** A replica that counts toward the target: good, on an in-service datanode that is not dead. */
export function isLiveReplica(replica: TrimCandidate): boolean {
  return !replica.dead && replica.inService && !replica.corrupt;
}

/** The deletions for one block with `expected` as its target; never below the target. */
export function planTrim(replicas: readonly TrimCandidate[], expected: number): TrimPlan {
  const plan: TrimPlan = { corrupt: [], excess: [] };
  const live = replicas.filter(isLiveReplica);
  const corruptCounted = replicas.some((replica) => replica.corrupt && !replica.dead);
  if (corruptCounted && live.length >= expected) {
    for (const replica of replicas) if (replica.corrupt) plan.corrupt.push(replica.datanodeIndex);
  }
  for (let surplus = live.length - expected; surplus > 0; surplus--) {
    const chosen = chooseExcessReplica(live);
    if (chosen === undefined) break;
    plan.excess.push(chosen.datanodeIndex);
    live.splice(live.indexOf(chosen), 1);
  }
  return plan;
}

/**
 * HDFS's rule: among live replicas whose removal keeps the number of racks, the one on
 * the datanode with the least free space (the first such in replica order on a tie).
 */
export function chooseExcessReplica<T extends Pick<TrimCandidate, 'rack' | 'remaining'>>(live: readonly T[]): T | undefined {
  const perRack = new Map<string, number>();
  for (const replica of live) perRack.set(replica.rack, (perRack.get(replica.rack) ?? 0) + 1);
  const keepsRacks = live.filter((replica) => (perRack.get(replica.rack) ?? 0) > 1);
  const pool = keepsRacks.length > 0 ? keepsRacks : live;
  let chosen: T | undefined;
  for (const replica of pool) if (chosen === undefined || replica.remaining < chosen.remaining) chosen = replica;
  return chosen;
}

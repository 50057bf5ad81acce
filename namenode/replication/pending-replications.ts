// Replications sent and not yet confirmed (pure): one entry per transfer command, with the
// targets still expected to report the replica. A transfer whose targets stay silent past
// its deadline is dropped, so its block is scheduled again; each source datanode has a
// bounded number of transfers in flight (`dfs.namenode.replication.max-streams`).

export interface PendingTransfer {
  readonly blockId: number;
  readonly sourceIndex: number;
  /** Targets that have not reported the replica yet. */
  readonly targets: Set<number>;
  readonly deadlineMs: number;
}

export class PendingReplications {
  private readonly byBlock = new Map<number, PendingTransfer[]>();
  /** In deadline order, because every transfer gets the same timeout. */
  private readonly byDeadline = new Set<PendingTransfer>();
  private readonly streamsBySource = new Map<number, number>();
  private readonly incomingByTarget = new Map<number, number>();

  get size(): number {
    return this.byDeadline.size;
  }

  add(blockId: number, sourceIndex: number, targetIndexes: readonly number[], deadlineMs: number): void {
    const transfer: PendingTransfer = { blockId, sourceIndex, targets: new Set(targetIndexes), deadlineMs };
    const list = this.byBlock.get(blockId);
    if (list === undefined) this.byBlock.set(blockId, [transfer]);
    else list.push(transfer);
    this.byDeadline.add(transfer);
    bump(this.streamsBySource, sourceIndex, 1);
    for (const target of targetIndexes) bump(this.incomingByTarget, target, 1);
  }

  /** Replicas on their way to a block (targets not yet reported). */
  countFor(blockId: number): number {
    const transfers = this.byBlock.get(blockId);
    if (transfers === undefined) return 0;
    let count = 0;
    for (const transfer of transfers) count += transfer.targets.size;
    return count;
  }

  targetsOf(blockId: number): number[] {
    return (this.byBlock.get(blockId) ?? []).flatMap((transfer) => [...transfer.targets]);
  }

  streamsFrom(sourceIndex: number): number {
    return this.streamsBySource.get(sourceIndex) ?? 0;
  }

  incomingTo(targetIndex: number): number {
    return this.incomingByTarget.get(targetIndex) ?? 0;
  }

  /** A target reported the replica; true when it was one we were waiting for. */
  onReplicaArrived(blockId: number, targetIndex: number): boolean {
    const transfers = this.byBlock.get(blockId);
    if (transfers === undefined) return false;
    for (const transfer of transfers) {
      if (!transfer.targets.delete(targetIndex)) continue;
      bump(this.incomingByTarget, targetIndex, -1);
      if (transfer.targets.size === 0) this.drop(transfer);
      return true;
    }
    return false;
  }

  /** Transfers past their deadline, removed; their blocks need looking at again. */
  expire(now: number): number[] {
    const expired: number[] = [];
    for (const transfer of this.byDeadline) {
      if (transfer.deadlineMs > now) break;
      this.drop(transfer);
      expired.push(transfer.blockId);
    }
    return expired;
  }

  /** A datanode died: transfers from or to it will not complete. Returns the blocks affected. */
  dropNode(datanodeIndex: number): number[] {
    const affected: number[] = [];
    for (const transfer of [...this.byDeadline]) {
      if (transfer.sourceIndex !== datanodeIndex && !transfer.targets.has(datanodeIndex)) continue;
      this.drop(transfer);
      affected.push(transfer.blockId);
    }
    return affected;
  }

  dropBlock(blockId: number): void {
    for (const transfer of [...(this.byBlock.get(blockId) ?? [])]) this.drop(transfer);
  }

  private drop(transfer: PendingTransfer): void {
    if (!this.byDeadline.delete(transfer)) return;
    const list = this.byBlock.get(transfer.blockId) ?? [];
    list.splice(list.indexOf(transfer), 1);
    if (list.length === 0) this.byBlock.delete(transfer.blockId);
    bump(this.streamsBySource, transfer.sourceIndex, -1);
    for (const target of transfer.targets) bump(this.incomingByTarget, target, -1);
    transfer.targets.clear();
  }
}

function bump(counts: Map<number, number>, key: number, delta: number): void {
  const next = (counts.get(key) ?? 0) + delta;
  if (next === 0) counts.delete(key);
  else counts.set(key, next);
}

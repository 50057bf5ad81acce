// Leases, the pure core: who holds which file under construction and when they last
// renewed, and the decisions that follow (conflict, soft-limit takeover, hard-limit
// recovery). No clock and no I/O here: callers pass `now` and act on the answers.
//
// Leases are per writer (HDFS's DFSClient name), so the table grows with open files, not
// with the namespace. Renewals live only here: after a restart the shell re-adds every
// persisted lease with `now`, giving each writer a fresh period, as HDFS does.

export interface LeaseLimits {
  /** After this another client may take the file over (`tsdfs.lease.soft-limit.ms`). */
  softLimitMs: number;
  /** After this the namenode closes the file itself (`dfs.namenode.lease-hard-limit-sec`). */
  hardLimitMs: number;
}

export interface LeaseHolder {
  clientName: string;
  lastRenewedMs: number;
  fileIds: Set<number>;
}

export type CreateOverLeaseDecision = { kind: 'conflict'; message: string } | { kind: 'recover' };

/** A `create` of a file that `holder` is still writing. */
export function decideCreateOverLease(
  holder: LeaseHolder,
  requester: string,
  path: string,
  now: number,
  limits: LeaseLimits,
): CreateOverLeaseDecision {
  if (holder.clientName === requester) {
    return { kind: 'conflict', message: `failed to create ${path} for ${requester}: this client is already writing it` };
  }
  const sinceRenewalMs = now - holder.lastRenewedMs;
  if (sinceRenewalMs < limits.softLimitMs) {
    return {
      kind: 'conflict',
      message: `failed to create ${path} for ${requester}: it is being written by ${holder.clientName} (lease renewed ${sinceRenewalMs} ms ago)`,
    };
  }
  return { kind: 'recover' };
}

export type WriterLeaseCheck = { ok: true } | { ok: false; code: 'LeaseConflict' | 'LeaseExpired'; message: string };

/** addBlock / complete / abandonBlock: only the holder may go on writing. */
export function checkWriterLease(holder: LeaseHolder | undefined, clientName: string, path: string): WriterLeaseCheck {
  if (holder === undefined) {
    return { ok: false, code: 'LeaseExpired', message: `no lease on ${path}: the file is not open for writing (by ${clientName})` };
  }
  if (holder.clientName !== clientName) {
    return { ok: false, code: 'LeaseConflict', message: `lease on ${path} is held by ${holder.clientName}, not ${clientName}` };
  }
  return { ok: true };
}

export class LeaseTable {
  private readonly holders = new Map<string, LeaseHolder>();
  private readonly holderByFile = new Map<number, string>();

  add(clientName: string, fileId: number, now: number): void {
    this.remove(fileId);
    let holder = this.holders.get(clientName);
    if (holder === undefined) {
      holder = { clientName, lastRenewedMs: now, fileIds: new Set() };
      this.holders.set(clientName, holder);
    }
    holder.lastRenewedMs = now;
    holder.fileIds.add(fileId);
    this.holderByFile.set(fileId, clientName);
  }

  remove(fileId: number): void {
    const clientName = this.holderByFile.get(fileId);
    if (clientName === undefined) return;
    this.holderByFile.delete(fileId);
    const holder = this.holders.get(clientName);
    holder?.fileIds.delete(fileId);
    if (holder !== undefined && holder.fileIds.size === 0) this.holders.delete(clientName);
  }

  /** False when the client holds no lease (HDFS answers that with LeaseExpired too). */
  renew(clientName: string, now: number): boolean {
    const holder = this.holders.get(clientName);
    if (holder === undefined) return false;
    holder.lastRenewedMs = Math.max(holder.lastRenewedMs, now);
    return true;
  }

  holderOf(fileId: number): LeaseHolder | undefined {
    const clientName = this.holderByFile.get(fileId);
    return clientName === undefined ? undefined : this.holders.get(clientName);
  }

  /** Files whose writer has not renewed within the hard limit: the namenode closes them. */
  filesPastHardLimit(now: number, limits: LeaseLimits): number[] {
    const files: number[] = [];
    for (const holder of this.holders.values()) {
      if (now - holder.lastRenewedMs >= limits.hardLimitMs) files.push(...holder.fileIds);
    }
    return files;
  }

  get openFiles(): number {
    return this.holderByFile.size;
  }
}

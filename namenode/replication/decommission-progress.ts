// Whether a decommissioning datanode is still needed. Pure: the
// replication monitor passes a view of each block on the node and marks the node
// Decommissioned once none of them needs it.

/** One block with a replica on the decommissioning datanode. */
export interface DecommissioningBlock {
  /** The replica on this node is corrupt: it helps nobody, so it never holds the node back. */
  corruptHere: boolean;
  /** Still being written: the node stays until the block is complete. */
  underConstruction: boolean;
  /** Good replicas on in-service datanodes (this node's own replica never counts). */
  live: number;
  expected: number;
}

/** Why the block keeps the node in service, or undefined when it does not. */
export function holdReason(block: DecommissioningBlock): 'underConstruction' | 'underReplicated' | undefined {
  if (block.corruptHere) return undefined;
  if (block.underConstruction) return 'underConstruction';
  return block.live < block.expected ? 'underReplicated' : undefined;
}

/** True once no block needs the node; stops at the first block that does. */
export function isDecommissionComplete(blocks: Iterable<DecommissioningBlock>): boolean {
  for (const block of blocks) if (holdReason(block) !== undefined) return false;
  return true;
}


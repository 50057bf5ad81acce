// Block access tokens on the namenode's side: every LocatedBlock a client gets and every
// transfer command a datanode gets carries a token for that block and access, signed with
// a key derived from the cluster secret (protocol/auth.ts). Empty when tokens are off.
import { type BlockAccess, BlockTokenKeys, blockTokenLifetimeMs } from '../../protocol/auth.js';
import type { LocatedBlock } from '../../protocol/common.js';
import type { RpcHandlers } from '../rpc/rpc-handlers.js';

/** Who a transfer token names: the namenode asks for the copy, not a user. */
export const transferTokenUser = 'tsdfs-namenode';

export class BlockTokenIssuer {
  private readonly keys: BlockTokenKeys | null;

  /** `lifetimeMs`: `dfs.block.access.token.lifetime`; a client whose token runs out asks for a fresh one. */
  constructor(
    clusterSecret: Buffer,
    enabled: boolean,
    private readonly clock: () => number,
    private readonly lifetimeMs = blockTokenLifetimeMs,
  ) {
    this.keys = enabled ? new BlockTokenKeys(clusterSecret) : null;
  }

  issue(blockId: number, access: BlockAccess, user: string): string {
    return this.keys === null ? '' : this.keys.issue(blockId, access, user, this.clock(), this.lifetimeMs);
  }

  located(block: LocatedBlock, access: BlockAccess, user: string): LocatedBlock {
    return { ...block, token: this.issue(block.block.id, access, user) };
  }
}

/**
 * The RPC handlers with tokens on every LocatedBlock they hand out: `write` for create's first block,
 * addBlock and updateBlockForPipeline (pipeline recovery), `read` for getBlockLocations. One seam where
 * the caller is known, so the namespace code stays free of crypto.
 */
export function withBlockTokens(handlers: RpcHandlers, tokens: BlockTokenIssuer): RpcHandlers {
  return {
    ...handlers,
    create: async (request, caller) => {
      const reply = await handlers.create(request, caller);
      return reply.block === undefined ? reply : { ...reply, block: tokens.located(reply.block, 'write', caller.user) };
    },
    addBlock: async (request, caller) => {
      const { block } = await handlers.addBlock(request, caller);
      return { block: tokens.located(block, 'write', caller.user) };
    },
    updateBlockForPipeline: async (request, caller) => {
      const { block } = await handlers.updateBlockForPipeline(request, caller);
      return { block: tokens.located(block, 'write', caller.user) };
    },
    getBlockLocations: async (request, caller) => {
      const located = await handlers.getBlockLocations(request, caller);
      return { ...located, blocks: located.blocks.map((block) => tokens.located(block, 'read', caller.user)) };
    },
  };
}

// Reads the wanted part of one block, replica after replica: when one fails part-way the
// next continues from the first byte not yet delivered, and a replica whose checksums do
// not match is reported to the namenode so it gets re-replicated from a good copy. A block
// token that ran out on the way (a long or paused read) is renewed once from the namenode,
// as HDFS's DFSInputStream refetches locations on an InvalidBlockTokenException.
import type { DatanodeLocation, LocatedBlock } from '../../protocol/common.js';
import { DfsError } from '../../protocol/errors.js';
import type { ClientContext } from '../client-context.js';
import type { BlockRange } from './read-plan.js';
import { ReplicaChecksumError, readReplica } from './replica-reader.js';

/**
 * Fresh tokens fetched per block read. One is enough for a token that expired; a token refused
 * for any other reason (forged, another cluster's key) is refused again, and the read moves on.
 */
export const maxTokenRefetchesPerBlock = 1;

interface ReplicaFailure {
  location: DatanodeLocation;
  error: Error;
}

/**
 * The verified bytes of the range in order, a packet's worth (a list of buffers) at a time.
 * With `recycle`, the consumer hands every list to `releaseReadParts` once done with it.
 */
export async function* readBlockRange(context: ClientContext, path: string, range: BlockRange, recycle = false): AsyncGenerator<Buffer[]> {
  let located = range.located;
  const blockName = `blk_${located.block.id}`;
  if (located.corrupt || located.locations.length === 0) {
    const why = located.corrupt ? 'every replica is corrupt' : 'no datanode holds a replica';
    throw new DfsError('Unavailable', `Could not obtain block ${blockName} of ${path}: ${why} (missing block)`);
  }
  let delivered = 0;
  let refetchesLeft = maxTokenRefetchesPerBlock;
  const failures: ReplicaFailure[] = [];
  const failed = new Set<string>();
  for (let index = 0; index < located.locations.length; index++) {
    const location = located.locations[index] as DatanodeLocation;
    if (failed.has(location.uuid)) continue;
    try {
      const replica = readReplica({
        agent: context.datanodeAgent,
        location,
        block: located.block,
        token: located.token,
        start: range.start + delivered,
        end: range.end,
        recycle,
      });
      for await (const parts of replica) {
        for (const part of parts) delivered += part.length;
        yield parts;
      }
      return;
    } catch (error) {
      const failure = { location, error: error instanceof Error ? error : new Error(String(error)) };
      failures.push(failure);
      if (isTokenRefusal(failure.error) && refetchesLeft > 0) {
        refetchesLeft--;
        const fresh = await refetchLocatedBlock(context, path, located, range.start + delivered);
        if (fresh !== null) {
          // Same block, new token (and maybe newer replicas): start over on its list, this replica included.
          located = fresh;
          index = -1;
          continue;
        }
      }
      failed.add(location.uuid);
      if (failure.error instanceof ReplicaChecksumError) reportCorruptReplica(context, located, location);
    }
  }
  throw unobtainable(blockName, failures);
}

/** A datanode refused the token (401/403): expired, from a retired key, forged. */
function isTokenRefusal(error: Error): boolean {
  return error instanceof DfsError && (error.code === 'AccessDenied' || error.code === 'Unauthorized');
}

/** The block's current location and token from the namenode; null when the file no longer has it. */
async function refetchLocatedBlock(context: ClientContext, path: string, located: LocatedBlock, blockOffset: number): Promise<LocatedBlock | null> {
  const { blocks } = await context.rpc.call('getBlockLocations', { path, offset: located.offset + blockOffset, length: 1 });
  const fresh = blocks.find((candidate) => candidate.block.id === located.block.id);
  return fresh === undefined || fresh.locations.length === 0 ? null : fresh;
}

function unobtainable(blockName: string, failures: ReplicaFailure[]): DfsError {
  const allCorrupt = failures.every((failure) => failure.error instanceof ReplicaChecksumError);
  const allRefused = failures.every((failure) => isTokenRefusal(failure.error));
  const tried = failures.map((failure) => `${failure.location.name} (${failure.error.message})`).join(', ');
  const code = allCorrupt ? 'ChecksumMismatch' : allRefused ? 'AccessDenied' : 'Unavailable';
  return new DfsError(code, `Could not obtain block ${blockName} from any of: ${tried}`);
}

/** Fire and forget: the read goes on with the next replica whatever the namenode answers. */
function reportCorruptReplica(context: ClientContext, located: LocatedBlock, location: DatanodeLocation): void {
  const blocks = [{ block: located.block, datanodeUuid: location.uuid }];
  context.rpc.call('reportBadBlocks', { blocks }).catch(() => {});
}

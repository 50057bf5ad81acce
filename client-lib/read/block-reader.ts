// Reads the wanted part of one block, replica after replica: when one fails part-way the
// next continues from the first byte not yet delivered, and a replica whose checksums do
// not match is reported to the namenode so it gets re-replicated from a good copy.
import type { DatanodeLocation } from '../../protocol/common.js';
import { DfsError } from '../../protocol/errors.js';
import type { ClientContext } from '../client-context.js';
import type { BlockRange } from './read-plan.js';
import { ReplicaChecksumError, readReplica } from './replica-reader.js';

interface ReplicaFailure {
  location: DatanodeLocation;
  error: Error;
}

export async function* readBlockRange(context: ClientContext, path: string, range: BlockRange): AsyncGenerator<Buffer> {
  const { located } = range;
  const blockName = `blk_${located.block.id}`;
  if (located.corrupt || located.locations.length === 0) {
    const why = located.corrupt ? 'every replica is corrupt' : 'no datanode holds a replica';
    throw new DfsError('Unavailable', `Could not obtain block ${blockName} of ${path}: ${why} (missing block)`);
  }
  let delivered = 0;
  const failures: ReplicaFailure[] = [];
  for (const location of located.locations) {
    try {
      const replica = readReplica({
        agent: context.datanodeAgent,
        location,
        block: located.block,
        token: located.token,
        start: range.start + delivered,
        end: range.end,
      });
      for await (const data of replica) {
        delivered += data.length;
        yield data;
      }
      return;
    } catch (error) {
      const failure = { location, error: error instanceof Error ? error : new Error(String(error)) };
      failures.push(failure);
      if (failure.error instanceof ReplicaChecksumError) reportCorruptReplica(context, range, location);
    }
  }
  throw unobtainable(blockName, failures);
}

function unobtainable(blockName: string, failures: ReplicaFailure[]): DfsError {
  const allCorrupt = failures.every((failure) => failure.error instanceof ReplicaChecksumError);
  const tried = failures.map((failure) => `${failure.location.name} (${failure.error.message})`).join(', ');
  return new DfsError(allCorrupt ? 'ChecksumMismatch' : 'Unavailable', `Could not obtain block ${blockName} from any of: ${tried}`);
}

/** Fire and forget: the read goes on with the next replica whatever the namenode answers. */
function reportCorruptReplica(context: ClientContext, range: BlockRange, location: DatanodeLocation): void {
  const blocks = [{ block: range.located.block, datanodeUuid: location.uuid }];
  context.rpc.call('reportBadBlocks', { blocks }).catch(() => {});
}

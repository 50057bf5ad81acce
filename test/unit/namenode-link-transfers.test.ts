// The datanode link tells the namenode's tick loop when an incremental report confirms a
// scheduled transfer (its source has a stream free again), and only then. The block
// manager here is a stub around the real pending-transfer table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DatanodeDescriptor } from '../../namenode/datanodes/datanode-manager.js';
import { DatanodeLinkHandlers } from '../../namenode/datanodes/datanode-link.js';
import type { NamenodeServices } from '../../namenode/namenode-services.js';
import { PendingReplications } from '../../namenode/replication/pending-replications.js';
import type { ReportedReplica } from '../../protocol/datanode-namenode.js';

function servicesWith(pending: PendingReplications): NamenodeServices {
  const services = {
    clusterSecret: Buffer.alloc(32, 1),
    clock: () => 0,
    blockManager: {
      replication: { pending, counters: { safeBlocks: 0, completeBlocks: 0 } },
      onReplicaReceived: (node: DatanodeDescriptor, [blockId]: ReportedReplica) => pending.onReplicaArrived(blockId, node.index),
      onReplicaDeleted: () => {},
    },
    context: { replicaArrivals: { notify: () => {} } },
    safeMode: { update: () => false },
  };
  return services as unknown as NamenodeServices;
}

test('an incremental report that confirms a scheduled transfer asks for a tick; other reports do not', () => {
  const pending = new PendingReplications();
  pending.add(7, 0, [2], 60_000);
  let requests = 0;
  const handlers = new DatanodeLinkHandlers(servicesWith(pending), () => requests++);
  const target = { index: 2 } as DatanodeDescriptor;
  const other = { index: 1 } as DatanodeDescriptor;

  handlers.onIncrementalBlockReport(target, { type: 'incrementalBlockReport', received: [[8, 1001, 1024]], deleted: [] });
  handlers.onIncrementalBlockReport(other, { type: 'incrementalBlockReport', received: [[7, 1001, 1024]], deleted: [] });
  handlers.onIncrementalBlockReport(target, { type: 'incrementalBlockReport', received: [], deleted: [[7, 1001]] });
  assert.equal(requests, 0, 'a replica nobody waited for, or on another node, frees no stream');

  handlers.onIncrementalBlockReport(target, { type: 'incrementalBlockReport', received: [[9, 1001, 1024], [7, 1001, 1024]], deleted: [] });
  assert.equal(requests, 1);
  assert.equal(pending.size, 0);
});

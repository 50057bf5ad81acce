// The tsdfs client library: `DfsClient` and the types its calls take and return.
export { DfsClient, type DfsClientOptions, type ReadOptions, type WriteOptions } from './dfs-client.js';
export { DfsError, type ErrorCode } from '../protocol/errors.js';
export type { ContentSummary, FsStats, DatanodeReport, FsckReport, RpcMethod, RpcRequest, RpcResponse } from '../protocol/client-namenode.js';
export type { FileStatus, LocatedBlock, ExtendedBlock, DatanodeLocation } from '../protocol/common.js';

// Every limit of the wire contract, as a named constant with its unit last and a line on why.

/** HDFS's `dfs.namenode.fs-limits.max-component-length`: one name, in UTF-8 bytes. */
export const maxPathComponentBytes = 255;
/** HDFS's `dfs.namenode.fs-limits.max-path-length` idea, kept generous but bounded. */
export const maxPathBytes = 8000;
/** Directory depth bound so a path walk can never run away. */
export const maxPathDepth = 1000;
/** Entries per listing page, as HDFS's `dfs.ls.limit`; bounds one reply's size. */
export const listingPageEntries = 1000;
/** JSON bodies on the RPC; a block report of a million blocks travels over ws, not here. */
export const maxRpcBodyBytes = 1024 * 1024;
/** One WebSocket message from a datanode; a full block report is chunked below this. */
export const maxDatanodeMessageBytes = 64 * 1024 * 1024;
/**
 * Block ids in one block-report message chunk. Small chunks keep each frame's buffer (~220 KB)
 * and the namenode's check of it (one pass over its bytes) short; a million-block report is
 * 100 messages, each a trifle to send and take in.
 */
export const blockReportChunkBlocks = 10_000;
/** Replicas one block-report message may carry (twice what datanodes send, for headroom). */
export const maxReplicasPerBlockReportMessage = 20_000;
/**
 * Data bytes in one packet of the transfer protocol (a multiple of every sane chunk size).
 * HDFS uses 64 KiB; here each packet costs a few JS allocations, promises and syscalls per
 * hop, so 1 MiB packets spend far less CPU per byte (2-core bench: put 47 -> 72 MiB/s).
 */
export const packetDataBytes = 1024 * 1024;
/** Packets a writer keeps unacknowledged; bounds writer memory at ~ packets × 1 MiB = 16 MiB. */
export const maxUnackedPackets = 16;
/** Hard bound on a packet's data so a malformed header cannot make a datanode allocate much. */
export const maxPacketDataBytes = 16 * 1024 * 1024;
/** Pipeline length bound: replication is capped here, as HDFS's `dfs.replication.max`. */
export const maxReplication = 512;
/** Smallest and largest block size accepted from a client. */
export const minBlockSizeBytes = 1024 * 1024;
export const maxBlockSizeBytes = 32 * 1024 * 1024 * 1024;
/** Soft lease limit (HDFS: 60 s): after it another client may take the file over. */
export const leaseSoftLimitMs = 60_000;
/** Hard lease limit (HDFS: 20 min): after it the namenode closes the file itself. */
export const leaseHardLimitMs = 20 * 60_000;
/** How long a client keeps retrying `complete` while the last block's replicas report in. */
export const completeRetryMs = 60_000;
/** `dfsadmin -issueToken` without `-expiry`: thirty days. */
export const defaultUserTokenDays = 30;
/** Longest lifetime `-issueToken` signs: a token cannot be revoked short of a new secret. */
export const maxUserTokenDays = 3650;

// What the client's parts share: the namenode RPC, the identity of this client, the
// keep-alive agent for datanodes, the cached server defaults and the lease renewer.
import type http from 'node:http';
import type { RpcResponse } from '../protocol/client-namenode.js';
import type { LeaseRenewer } from './lease-renewer.js';
import type { NamenodeRpc } from './namenode/rpc-client.js';

export interface ClientContext {
  rpc: NamenodeRpc;
  clientName: string;
  datanodeAgent: http.Agent;
  leaseRenewer: LeaseRenewer;
  serverDefaults(): Promise<RpcResponse<'getServerDefaults'>>;
}

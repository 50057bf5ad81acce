// Picks the write pipeline's transport: plain connections speak HTTP/1.1 on a raw socket
// (raw-pipeline-connection.ts: no node:http, a packet per write); TLS ones keep node:http's
// client (http-pipeline-connection.ts), as block reads do.
import { schemeOfAgent } from '../transport.js';
import { HttpPipelineConnection } from './http-pipeline-connection.js';
import type { PipelineConnection, PipelineHandlers, PipelineParameters } from './pipeline-connection.js';
import { RawPipelineConnection } from './raw-pipeline-connection.js';

export function openPipelineConnection(parameters: PipelineParameters, handlers: PipelineHandlers): PipelineConnection {
  if (parameters.nodes.length === 0) throw new Error('a pipeline needs at least one datanode');
  return schemeOfAgent(parameters.agent) === 'https' ? new HttpPipelineConnection(parameters, handlers) : new RawPipelineConnection(parameters, handlers);
}

// The write pipeline over node:http's client, for TLS clusters: the `PUT` with a streamed
// (chunked) body, acks read from the response.
import type http from 'node:http';
import { type Packet, badNodeHeader, encodePacket, formatTargets, targetsHeader } from '../../protocol/data-transfer.js';
import { readSmallBody } from '../small-reply.js';
import { describeConnectionError, requestWith, urlFor } from '../transport.js';
import { type PipelineHandlers, type PipelineParameters, PipelineConnectionBase, pipelineQuery } from './pipeline-connection.js';

export class HttpPipelineConnection extends PipelineConnectionBase {
  private readonly request: http.ClientRequest;

  constructor(parameters: PipelineParameters, handlers: PipelineHandlers) {
    super(parameters, handlers);
    this.request = this.openRequest();
  }

  send(packet: Packet): void {
    if (this.closed) return;
    if (packet.last) this.lastSeq = packet.seq;
    this.request.cork();
    for (const part of encodePacket(packet)) this.request.write(part);
    process.nextTick(() => this.request.uncork());
  }

  end(): void {
    if (!this.closed) this.request.end();
  }

  protected closeTransport(): void {
    this.request.destroy();
  }

  private openRequest(): http.ClientRequest {
    const { agent, blockId } = this.parameters;
    const request = requestWith(agent, urlFor(agent, this.firstName, `/blocks/${blockId}?${pipelineQuery(this.parameters)}`), {
      method: 'PUT',
      headers: this.headers(),
    });
    request.on('error', (error) => this.fail({ badIndex: 0, reason: `${this.firstName}: ${describeConnectionError(error)}` }));
    request.on('response', (response) => {
      if (response.statusCode !== 200) {
        void this.readSetupRefusal(response);
        return;
      }
      this.onConnected();
      this.readAcks(response);
    });
    // Headers go out now: the datanodes connect the pipeline before any packet exists.
    request.flushHeaders();
    return request;
  }

  private headers(): http.OutgoingHttpHeaders {
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/octet-stream',
      [targetsHeader]: formatTargets(this.parameters.nodes.slice(1)),
    };
    if (this.parameters.token !== '') headers.authorization = `Bearer ${this.parameters.token}`;
    return headers;
  }

  private readAcks(response: http.IncomingMessage): void {
    const first = this.firstName;
    response.on('data', (chunk: Buffer) => this.onAckBytes(chunk));
    response.on('end', () => this.onAckStreamEnd());
    response.on('error', (error) => this.fail({ badIndex: 0, reason: `${first}: ${error.message}` }));
    response.on('aborted', () => this.fail({ badIndex: 0, reason: `${first} aborted the ack stream` }));
  }

  private async readSetupRefusal(response: http.IncomingMessage): Promise<void> {
    const badUuid = response.headers[badNodeHeader];
    const body = await readSmallBody(response).catch(() => '');
    this.onSetupRefused(response.statusCode ?? 0, typeof badUuid === 'string' ? badUuid : undefined, body);
  }
}

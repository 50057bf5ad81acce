// HTTP or HTTPS, decided once per client by its agents: an https.Agent carries the CA
// (tsdfs.tls.ca.file) and the TLS session cache, so requests need only pass the agent.
import http from 'node:http';
import https from 'node:https';
import { describeTlsFailure } from '../protocol/tls-errors.js';

export type Scheme = 'http' | 'https';

export function schemeOfAgent(agent: http.Agent): Scheme {
  return agent instanceof https.Agent ? 'https' : 'http';
}

/** Keep-alive agents, one per kind of peer, reused for the client's life (one handshake per socket). */
export function createAgent(scheme: Scheme, options: http.AgentOptions & { ca?: Buffer | undefined }): http.Agent {
  const { ca, ...agentOptions } = options;
  return scheme === 'https' ? new https.Agent({ ...agentOptions, ...(ca ? { ca } : {}) }) : new http.Agent(agentOptions);
}

/** `http(s)://<name><path>` for a datanode `host:port`, in the agent's scheme. */
export function urlFor(agent: http.Agent, name: string, path: string): string {
  return `${schemeOfAgent(agent)}://${name}${path}`;
}

/** `http.request` or `https.request`, whichever the agent speaks. */
export function requestWith(agent: http.Agent, url: string, options: http.RequestOptions): http.ClientRequest {
  const module = agent instanceof https.Agent ? https : http;
  return module.request(url, { ...options, agent });
}

/** As requestWith, for a target already split into request options (no URL parsed per request). */
export function requestAt(agent: http.Agent, options: http.RequestOptions): http.ClientRequest {
  const module = agent instanceof https.Agent ? https : http;
  return module.request({ ...options, agent });
}

/** A connection error as one line: a TLS failure says what to set, anything else keeps its message. */
export function describeConnectionError(error: Error): string {
  return describeTlsFailure(error) ?? error.message;
}

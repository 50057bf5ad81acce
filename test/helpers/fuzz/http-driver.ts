// Sends fuzz cases a few at a time until the count or the deadline runs out, and keeps a
// tally per target of the statuses seen. A case is judged by its reply; a reply that
// breaks the property becomes a failure line naming the seed, so it can be replayed.
import http from 'node:http';

export interface FuzzCase {
  what: string;
  method: string;
  path: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

export interface FuzzReply {
  /** HTTP status, or -1 when the server cut the connection before answering. */
  status: number;
  text: string;
  headers?: http.IncomingHttpHeaders;
  /** Set when the server did not answer within the time limit. */
  hung?: boolean;
  error?: string;
}

/** One request; a connection the server cuts while we upload counts as a refusal without reply. */
export function send(base: string, c: FuzzCase, agent: http.Agent, timeoutMs: number): Promise<FuzzReply> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const headers = { ...(c.body !== undefined ? { 'content-length': String(Buffer.byteLength(c.body)) } : {}), ...c.headers };
    let request: http.ClientRequest;
    try {
      request = http.request({ host: url.hostname, port: url.port, method: c.method, path: c.path, headers, agent });
    } catch (error) {
      // Node itself refuses to send some of what we generate (a bad header value): nothing reached the server.
      resolve({ status: 0, text: '', error: `client refused to send: ${(error as Error).message}` });
      return;
    }
    const timer = setTimeout(() => {
      request.destroy();
      resolve({ status: -1, text: '', hung: true });
    }, timeoutMs);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes < 64 * 1024) chunks.push(chunk);
      });
      const done = (): void => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: response.headers });
      };
      response.on('end', done);
      // A streamed reply (block acks) may end with the connection cut: the status was already sent.
      response.on('error', done);
      response.on('aborted', done);
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ status: -1, text: '', error: error.code ?? error.message });
    });
    request.end(c.body);
  });
}

export class Tally {
  readonly sent = new Map<string, number>();
  readonly statuses = new Map<string, Map<string, number>>();
  readonly failures: string[] = [];

  constructor(readonly seed: number) {}

  count(target: string, status: string): void {
    this.sent.set(target, (this.sent.get(target) ?? 0) + 1);
    const byStatus = this.statuses.get(target) ?? new Map<string, number>();
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    this.statuses.set(target, byStatus);
  }

  fail(target: string, what: string, why: string): void {
    if (this.failures.length < 50) this.failures.push(`[seed ${this.seed}] ${target}: ${what.slice(0, 160)}: ${why.slice(0, 300)}`);
  }

  total(): number {
    let sum = 0;
    for (const n of this.sent.values()) sum += n;
    return sum;
  }

  /** `target: N requests (200×a, 400×b, …)` per target, for the test's diagnostics. */
  lines(): string[] {
    return [...this.sent.entries()].map(([target, n]) => {
      const statuses = [...(this.statuses.get(target)?.entries() ?? [])].sort(([a], [b]) => a.localeCompare(b));
      return `${target}: ${n} requests (${statuses.map(([status, k]) => `${status}×${k}`).join(', ')})`;
    });
  }
}

export interface RunOptions {
  target: string;
  base: string;
  count: number;
  deadline: number;
  concurrency: number;
  timeoutMs: number;
  next: () => FuzzCase;
  /** Returns why the reply breaks the property, or null when it is fine. */
  judge: (c: FuzzCase, reply: FuzzReply) => string | null;
  tally: Tally;
}

/** Cases are generated in order from one PRNG, so the sequence depends on the seed alone. */
export async function runCases(options: RunOptions): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < options.count && Date.now() < options.deadline) {
      started++;
      const c = options.next();
      const reply = await send(options.base, c, agent, options.timeoutMs);
      options.tally.count(options.target, reply.hung ? 'hung' : reply.status === -1 ? `cut(${reply.error ?? ''})` : reply.status === 0 ? 'unsendable' : String(reply.status));
      // TSDFS_FUZZ_VERBOSE=1 prints every case and its answer (for replaying a seed).
      if (process.env.TSDFS_FUZZ_VERBOSE) process.stderr.write(`${options.target} | ${c.what.slice(0, 200)} | ${reply.status} ${reply.text.slice(0, 160)}\n`);
      const problem = options.judge(c, reply);
      if (problem !== null) options.tally.fail(options.target, c.what, problem);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    agent.destroy();
  }
}

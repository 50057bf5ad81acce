// Asks a process started with `--inspect=127.0.0.1:0` for a full garbage collection and its
// own view of its memory, over the DevTools protocol: memory figures then show what the
// process holds, not garbage it has not collected yet.
import WebSocket from 'ws';

export interface HeapFigures {
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
}

export function inspectorUrlOf(stderr: string): string {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
  if (url === undefined) throw new Error('no inspector URL on the process stderr (started without --inspect?)');
  return url;
}

export async function collectGarbageAndReadHeap(inspectorUrl: string): Promise<HeapFigures> {
  const socket = new WebSocket(inspectorUrl);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const replies = new Map<number, (result: unknown) => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) replies.get(message.id)?.(message.result);
  });
  let nextId = 1;
  const call = (method: string, params: Record<string, unknown> = {}): Promise<unknown> => {
    const id = nextId++;
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`inspector ${method} did not answer within 60 s`)), 60_000);
      replies.set(id, (result) => (clearTimeout(timer), resolve(result)));
    });
    socket.send(JSON.stringify({ id, method, params }));
    return reply;
  };
  try {
    await call('HeapProfiler.collectGarbage');
    const result = (await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true })) as { result: { value: string } };
    const usage = JSON.parse(result.result.value) as { heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
    return { heapUsedBytes: usage.heapUsed, heapTotalBytes: usage.heapTotal, externalBytes: usage.external, arrayBuffersBytes: usage.arrayBuffers };
  } finally {
    socket.terminate();
  }
}

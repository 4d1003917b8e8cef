import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP endpoint that honours Idempotency-Key the way a careful receiver does:
 * the first request with a key takes effect, a repeat gets the first answer back and is
 * counted as a recognised duplicate. Tests read what took effect from here.
 */
export interface CountingServer {
  url: string;
  /** key -> how many requests arrived with it */
  arrivals: Map<string, number>;
  /** keys whose effect was applied (once each) */
  applied: string[];
  duplicates: number;
  requests: { method: string; path: string; key: string | undefined; body: unknown }[];
  /** Called after an effect is applied, before its answer is sent. */
  onApplied: ((key: string) => void) | undefined;
  /** While set, answers to newly applied effects are held back (the caller waits, the effect is done). */
  holdAnswers: boolean;
  /** Answer the next `count` requests with this status (then behave normally). */
  failNext(count: number, status: number, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

export async function startCountingServer(
  options: { delayMs?: number } = {},
): Promise<CountingServer> {
  const arrivals = new Map<string, number>();
  const answers = new Map<string, string>();
  const applied: string[] = [];
  const requests: CountingServer['requests'] = [];
  let failures: { count: number; status: number; headers: Record<string, string> } = {
    count: 0,
    status: 500,
    headers: {},
  };
  const state = {
    duplicates: 0,
    onApplied: undefined as ((key: string) => void) | undefined,
    holdAnswers: false,
  };
  const held: (() => void)[] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const key = req.headers['idempotency-key'] as string | undefined;
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs)); // a slow receiver widens the crash window
    requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      key,
      body: text ? JSON.parse(text) : null,
    });
    if (failures.count > 0) {
      failures.count--;
      res
        .writeHead(failures.status, { 'content-type': 'application/json', ...failures.headers })
        .end('{"error":"injected"}');
      return;
    }
    if (key !== undefined) arrivals.set(key, (arrivals.get(key) ?? 0) + 1);
    if (key !== undefined && answers.has(key)) {
      state.duplicates++;
      res
        .writeHead(200, { 'content-type': 'application/json', 'idempotent-replay': 'true' })
        .end(answers.get(key));
      return;
    }
    const answer = JSON.stringify({ accepted: true, id: applied.length + 1, path: req.url });
    if (key !== undefined) {
      answers.set(key, answer);
      applied.push(key);
      state.onApplied?.(key);
    }
    const send = () => res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    if (state.holdAnswers) held.push(send);
    else send();
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    applied,
    get duplicates() {
      return state.duplicates;
    },
    get onApplied() {
      return state.onApplied;
    },
    set onApplied(fn) {
      state.onApplied = fn;
    },
    get holdAnswers() {
      return state.holdAnswers;
    },
    set holdAnswers(on) {
      state.holdAnswers = on;
      if (!on) held.splice(0).forEach((send) => send());
    },
    requests,
    failNext(count, status, headers = {}) {
      failures = { count, status, headers };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A webhook receiver on 127.0.0.1 (ephemeral port), standing in for the lab's listener:
 * it records every request, answers 500 on paths ending in "/status500" and 200
 * `{"ok": true}` otherwise, and runs a probe (for instance "what does the committed
 * database say right now?") on the paths it is given, before answering.
 */
import http from 'node:http';

export interface ReceivedWebhook {
  method: string;
  path: string;
  /** Header names as sent (raw case). */
  headers: Record<string, string>;
  body: unknown;
  /** What the probe for this path returned, if any. */
  probe?: unknown;
}

export type Probe = (body: unknown) => unknown | Promise<unknown>;

export interface WebhookListener {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  setProbe(path: string, probe: Probe): void;
  /** Removes and returns the first unconsumed request to `path`. */
  take(path: string): ReceivedWebhook | undefined;
  close(): Promise<void>;
}

export async function startWebhookListener(): Promise<WebhookListener> {
  const received: ReceivedWebhook[] = [];
  const consumed = new Set<ReceivedWebhook>();
  const probes = new Map<string, Probe>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: unknown = raw;
        try {
          body = JSON.parse(raw);
        } catch {
          // Keep the raw text: the comparison will report it.
        }
        const headers: Record<string, string> = {};
        for (let index = 0; index < request.rawHeaders.length; index += 2)
          headers[request.rawHeaders[index] ?? ''] = request.rawHeaders[index + 1] ?? '';
        const path = request.url ?? '/';
        const entry: ReceivedWebhook = { method: request.method ?? '', path, headers, body };
        const probe = probes.get(path);
        if (probe !== undefined) entry.probe = await probe(body);
        received.push(entry);
        const failing = path.endsWith('/status500');
        response
          .writeHead(failing ? 500 : 200, { 'content-type': 'application/json' })
          .end(failing ? '{"ok": false}' : '{"ok": true}');
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    setProbe: (path, probe) => void probes.set(path, probe),
    take(path) {
      const found = received.find((entry) => entry.path === path && !consumed.has(entry));
      if (found !== undefined) consumed.add(found);
      return found;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

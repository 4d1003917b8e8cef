/**
 * CPU per request of the http.request step's client (node:http with keep-alive pools,
 * src/connectors/http/client.ts) against `fetch`, which the step used before: the same POST
 * to a local server that answers at once, interleaved rounds in one process, client and
 * server CPU together (the server's share is the same for both).
 * Usage: node --import tsx bench/http-client.ts   (BENCH_REQUESTS=3000, BENCH_CONCURRENCY=10, BENCH_ROUNDS=3)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { httpCall } from '../src/connectors/http/client.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true,"tracking":"T-1"}');
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/book`;
const body = JSON.stringify({ order: 1, weight_kg: 2.5 });
const headers = {
  'content-type': 'application/json',
  accept: 'application/json',
  'idempotency-key': 'k',
};

const clients: Record<string, () => Promise<string>> = {
  fetch: async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(10_000),
    });
    return response.text();
  },
  'node:http keep-alive': async () =>
    (await httpCall({ method: 'POST', url, headers, body, signal: AbortSignal.timeout(10_000) }))
      .text,
};

const results: Record<string, number[]> = {};
const load = loadavg();
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, send] of Object.entries(clients)) {
    const cpu = process.cpuUsage();
    let sent = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (sent++ < REQUESTS) await send();
      }),
    );
    const used = process.cpuUsage(cpu);
    (results[name] ??= []).push((used.user + used.system) / REQUESTS);
  }
}
server.close();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(results['node:http keep-alive']!);
console.log(
  `${new Date().toISOString()}: ${ROUNDS} rounds of ${REQUESTS} POSTs at c=${CONCURRENCY}, ${cpus().length} CPUs, Node ${process.version}, load average ${load.map((l) => l.toFixed(2)).join(' ')}\n`,
);
console.log('| client | CPU µs per request (median) | every round | / node:http |');
console.log('| --- | ---: | --- | ---: |');
for (const [name, xs] of Object.entries(results))
  console.log(
    `| ${name} | ${median(xs).toFixed(0)} | ${xs.map((x) => x.toFixed(0)).join(' ')} | ${(median(xs) / base).toFixed(2)}x |`,
  );

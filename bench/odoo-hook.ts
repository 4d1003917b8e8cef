/**
 * How fast the Odoo webhook endpoint answers (Odoo waits for it inside its user's
 * transaction, with a 1 s timeout). Sequential POSTs of distinct hints to
 * /hooks/odoo/... on an embedded store; each answer comes after the hint's durable insert.
 *   node --import tsx bench/odoo-hook.ts         (BENCH_HINTS=500 by default)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { sendError } from '../src/api/errors.ts';
import { createOdooClient } from '../src/connectors/odoo/index.ts';
import { createOdooIngestion, OdooSourceSchema } from '../src/connectors/odoo/ingest/index.ts';
import { Engine } from '../src/engine/index.ts';
import { builtInSteps } from '../src/main.ts';
import { silentLogger } from '../src/observability/index.ts';
import { openStore } from '../src/store/index.ts';

const HINTS = Number(process.env.BENCH_HINTS ?? 500);
const root = mkdtempSync(join(tmpdir(), 'crossdock-hookbench-'));
const store = await openStore({
  kind: 'pglite',
  dataDir: join(root, 'data'),
  synchronous: false,
  vacuumIntervalMs: 600_000,
});
await store.migrate();
const source = OdooSourceSchema.parse({
  name: 'odoo',
  connection: 'main',
  token: 'bench-token-0123456789abcdef',
  watch: [
    { model: 'sale.order', event: 'sale.order.confirmed', fields: ['name'], poll_interval_ms: 0 },
  ],
});
let engine: Engine;
// The hook path never calls Odoo (the re-read happens later, in a run); this client is never used.
const unusedClient = createOdooClient({
  name: 'main',
  url: 'http://127.0.0.1:9',
  database: 'none',
  login: 'none',
  apiKey: 'none',
  protocol: 'jsonrpc',
});
const ingestion = createOdooIngestion([source], {
  store,
  clients: () => unusedClient,
  accept: (e) => engine.accept(e),
  now: () => new Date(),
  logger: silentLogger(),
});
engine = new Engine({ store, steps: builtInSteps(ingestion.steps) });
await engine.installWorkflows([]); // hints are stored; no worker runs the re-read here
const app = Fastify();
app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
await app.register(ingestion.routes);
await app.listen({ host: '127.0.0.1', port: 0 });
const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}${ingestion.webhookPath('odoo', 'sale.order.confirmed')}`;
const times: number[] = [];
for (let i = 0; i < HINTS; i++) {
  const body = JSON.stringify({
    _action: 'Send Webhook Notification(#453)',
    _id: 1000 + i,
    _model: 'sale.order',
    id: 1000 + i,
    name: `S${i}`,
    write_date: '2026-11-22 04:31:10.992157',
  });
  const t0 = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  await res.arrayBuffer();
  times.push(performance.now() - t0);
  if (res.status !== 200) throw new Error(`hint ${i}: HTTP ${res.status}`);
}
times.sort((a, b) => a - b);
const q = (p: number) =>
  times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(2);
console.log(
  `${new Date().toISOString()}  ${HINTS} sequential Odoo hints, PGlite: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${times.at(-1)!.toFixed(2)} ms`,
);
await app.close();
await store.close();
rmSync(root, { recursive: true, force: true });

/**
 * `node --import tsx bench/kpi-outcomes.ts`: what the Overview's business KPIs (GET /kpis
 * `invoiceRelease` and `noTouch`, store/pack-outcomes.ts) cost over a week of pack runs,
 * beside the stock and latency cards' reads, in one process on one store. BENCH_OUTCOME_RUNS
 * (default 30000) runs, a third invoice-release and the rest order-release, each with four
 * completed steps, and an invoice.released event per invoice run; 15 timed calls per row
 * after 3 warm-ups. DATABASE_URL: on that PostgreSQL server (an empty database) instead.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import { outcomeKpis } from '../src/api/routes/kpi-outcomes.ts';
import { latencyKpis, type KpiWindow } from '../src/api/routes/kpi-queries.ts';
import { stockKpis } from '../src/api/routes/kpi-stock.ts';
import { loadConfig } from '../src/config/index.ts';
import { createCrossdock } from '../src/main.ts';
import { silentLogger } from '../src/observability/index.ts';
import type { Database } from '../src/store/index.ts';

const RUNS = Number(process.env.BENCH_OUTCOME_RUNS ?? 30_000);

async function seed(db: Kysely<Database>): Promise<void> {
  const spacing = `${Math.floor(((7 * 24 * 3600) / RUNS) * 1000)} milliseconds`;
  await sql`INSERT INTO workflow_versions (workflow_id, hash, definition, source_file, created_at)
    SELECT w, 'bench', jsonb_build_object('id', w, 'steps', '[]'::jsonb), null, now() - interval '8 days'
    FROM unnest(ARRAY['order-release', 'invoice-release']) w`.execute(db);
  await sql`INSERT INTO events (source, type, dedupe_key, payload, received_at)
    SELECT 'crossdock', CASE WHEN g % 3 = 0 THEN 'invoice.released' ELSE 'sale.order.confirmed' END, 'b-' || g,
           jsonb_build_object('id', g, 'release_seconds', g % 97), now() - (${RUNS}::int - g) * ${spacing}::interval
    FROM generate_series(1, ${RUNS}::int) g`.execute(db);
  await sql`INSERT INTO runs (workflow_id, workflow_hash, event_id, status, input, cursor, seq, available_at, created_at, started_at, ended_at, updated_at)
    SELECT CASE WHEN e.id % 3 = 0 THEN 'invoice-release' ELSE 'order-release' END, 'bench', e.id, 'completed', e.payload, null, 4,
           e.received_at, e.received_at, e.received_at, e.received_at + interval '40 seconds', e.received_at + interval '40 seconds'
    FROM events e ORDER BY e.id`.execute(db);
  // One run in five approved, one in eleven held: released, approve, hold-case as the packs name them.
  await sql`INSERT INTO run_steps (run_id, seq, attempt, step_id, step_type, status, output, started_at, ended_at)
    SELECT r.id, k, 1, (ARRAY['read', 'decide', CASE WHEN r.id % 5 = 0 THEN 'approve' ELSE 'check' END,
                              CASE WHEN r.id % 11 = 0 THEN 'hold-case' ELSE 'released' END])[k],
           'transform', 'completed', null, r.created_at, r.created_at + k * interval '10 seconds'
    FROM runs r CROSS JOIN generate_series(1, 4) k`.execute(db);
  await sql`ANALYZE`.execute(db);
}

async function time(f: () => Promise<unknown>): Promise<string> {
  for (let i = 0; i < 3; i++) await f();
  const ms: number[] = [];
  for (let i = 0; i < 15; i++) {
    const start = performance.now();
    await f();
    ms.push(performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  return `${ms[7]!.toFixed(1)} / ${ms[14]!.toFixed(1)}`;
}

const dir = mkdtempSync(join(tmpdir(), 'crossdock-bench-outcomes-'));
mkdirSync(join(dir, 'workflows'));
const config = loadConfig({
  CROSSDOCK_DATA_DIR: join(dir, 'data'),
  CROSSDOCK_STATE_DIR: dir,
  CROSSDOCK_WORKFLOWS_DIR: join(dir, 'workflows'),
  CROSSDOCK_PORT: '0',
  LOG_LEVEL: 'error',
  ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
});
const crossdock = await createCrossdock(config, { logger: silentLogger() });
try {
  const db = crossdock.store.db;
  await seed(db);
  console.log(
    `${crossdock.store.kind}, ${RUNS} runs (${RUNS * 4} steps); load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; p50 / p95 ms of 15 calls`,
  );
  console.log(
    '| range | outcomes decided | invoiceRelease + noTouch | stock card | latency card |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  const now = new Date();
  for (const [name, hours, bucketMs] of [
    ['1h', 1, 60_000],
    ['24h', 24, 900_000],
    ['7d', 168, 21_600_000],
  ] as const) {
    const from = new Date(now.getTime() - hours * 3_600_000);
    const w: KpiWindow = { from, to: now, now, bucketMs, buckets: (hours * 3_600_000) / bucketMs };
    const o = await outcomeKpis(db, w);
    console.log(
      `| ${name} | ${o.noTouch.orderRelease.decided} orders, ${o.invoiceRelease.releaseSeconds.count} invoices | ${await time(() => outcomeKpis(db, w))} | ${await time(() => stockKpis(db, w))} | ${await time(() => latencyKpis(db, w, 'order-release'))} |`,
    );
  }
} finally {
  await crossdock.close();
  rmSync(dir, { recursive: true, force: true });
}

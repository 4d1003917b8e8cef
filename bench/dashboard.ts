/**
 * `npm run bench:dashboard`: the dashboard's API over a store holding 100,000 runs (and their
 * events, dead letters and pending approvals), on the embedded store and on the PostgreSQL
 * server in the same run. Each endpoint is asked BENCH_DASHBOARD_REPEAT times (default 30,
 * after 5 warm-ups), one request at a time, over HTTP with an API token, as the dashboard
 * asks; the table gives p50 and p95 in milliseconds. The last rows compare a deep page by
 * keyset (what the API does: `id < cursor`) with the same page by OFFSET, in SQL.
 *
 * Environment: BENCH_DASHBOARD_RUNS (default 100000), BENCH_DASHBOARD_REPEAT,
 * BENCH_DASHBOARD_ONLY=pglite|postgres, TEST_DATABASE_URL.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import { encodeCursor } from '../src/api/pagination.ts';
import { createOutput } from '../src/cli/output.ts';
import { loadConfig } from '../src/config/index.ts';
import { createCrossdock, startInstance } from '../src/main.ts';
import { silentLogger } from '../src/observability/index.ts';
import { createTestDatabase, dropTestDatabase } from '../test/support/stores.ts';

const RUNS = Number(process.env.BENCH_DASHBOARD_RUNS ?? 100_000);
const REPEAT = Number(process.env.BENCH_DASHBOARD_REPEAT ?? 30);
const only = process.env.BENCH_DASHBOARD_ONLY;

/**
 * A week of history: one run per event every ~6 s, newest last. A third are dispatch runs,
 * one in a thousand a rare workflow (returns); 2 % failed (each with a dead letter, a
 * quarter of them resolved), 1 % waiting on an approval; the rest completed in 40 s.
 */
async function seed(db: Kysely<never>, runs: number): Promise<void> {
  const spacing = `${Math.floor(((7 * 24 * 3600) / runs) * 1000)} milliseconds`;
  await sql`INSERT INTO workflow_versions (workflow_id, hash, definition, source_file, created_at)
    SELECT w, 'bench', jsonb_build_object('id', w, 'steps', '[]'::jsonb), null, now() - interval '8 days'
    FROM unnest(ARRAY['order-release', 'dispatch', 'returns']) w`.execute(db);
  await sql`INSERT INTO events (source, type, dedupe_key, payload, received_at)
    SELECT 'odoo', 'sale.order.confirmed', 'bench-' || g, jsonb_build_object('id', g, 'name', 'S' || lpad(g::text, 6, '0')),
           now() - (${runs}::int - g) * ${spacing}::interval
    FROM generate_series(1, ${runs}::int) g`.execute(db);
  await sql`INSERT INTO runs (workflow_id, workflow_hash, event_id, status, input, cursor, seq, error, available_at, created_at, started_at, ended_at, updated_at)
    SELECT CASE WHEN e.id % 1000 = 0 THEN 'returns' WHEN e.id % 3 = 0 THEN 'dispatch' ELSE 'order-release' END, 'bench', e.id,
           CASE WHEN e.id % 50 = 0 THEN 'failed' WHEN e.id % 97 = 0 THEN 'waiting' ELSE 'completed' END,
           e.payload,
           CASE WHEN e.id % 50 = 0 THEN 'book' WHEN e.id % 97 = 0 THEN 'approve' END,
           12,
           CASE WHEN e.id % 50 = 0 THEN '{"code": "CARRIER_ALL_FAILED", "message": "No carrier could book the shipment", "category": "user", "retryable": false}'::jsonb END,
           e.received_at, e.received_at, e.received_at,
           CASE WHEN e.id % 97 = 0 AND e.id % 50 <> 0 THEN NULL ELSE e.received_at + interval '40 seconds' END,
           e.received_at + interval '40 seconds'
    FROM events e ORDER BY e.id`.execute(db);
  await sql`INSERT INTO exception_cases (run_id, kind, status, step_id, error, opened_at, closed_at, type, severity, title, error_code, workflow_id, input, updated_at, due_at)
    SELECT id, 'run_failed', CASE WHEN id % 4 = 0 THEN 'resolved' ELSE 'open' END, 'book', error, updated_at,
           CASE WHEN id % 4 = 0 THEN updated_at + interval '1 hour' END, 'dead_letter', 'high', workflow_id || ' failed at book',
           'CARRIER_ALL_FAILED', workflow_id, input, updated_at, updated_at + interval '24 hours'
    FROM runs WHERE status = 'failed'`.execute(db);
  await sql`INSERT INTO approval_requests (step_key, run_id, workflow_id, subject, summary, policy, chain, status, level, assignees, level_started_at, level_due_at, created_at)
    SELECT id || ':approve:0', id, workflow_id, jsonb_build_object('model', 'sale.order', 'id', id, 'name', input->>'name'),
           'Order ' || (input->>'name') || ' needs a manager', '{"policy": {"id": "order-release-tier", "version": "bench"}}'::jsonb,
           '[{"name": "sales-manager", "approvers": {"group": "sales-manager"}, "required": 1, "sla_hours": 4, "on_breach": "escalate"}]'::jsonb,
           'pending', 0, '[]'::jsonb, created_at, created_at + interval '4 hours', created_at
    FROM runs WHERE status = 'waiting'`.execute(db);
  await sql`ANALYZE`.execute(db);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function time(fn: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 5; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

interface Row {
  what: string;
  p50: number;
  p95: number;
  note: string;
}

async function scenario(postgres: boolean): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-bench-dashboard-'));
  const database = postgres ? await createTestDatabase('crossdock_bench_dash') : null;
  mkdirSync(join(dir, 'workflows'));
  const config = loadConfig({
    CROSSDOCK_DATA_DIR: join(dir, 'data'),
    CROSSDOCK_STATE_DIR: dir,
    CROSSDOCK_WORKFLOWS_DIR: join(dir, 'workflows'),
    CROSSDOCK_PORT: '0',
    LOG_LEVEL: 'error',
    ...(database ? { DATABASE_URL: database } : {}),
  });
  const crossdock = await createCrossdock(config, { logger: silentLogger() });
  const admin = await crossdock.services.users.create({
    email: 'bench@crossdock.test',
    role: 'admin',
  }); // before the API: no first-admin set-up
  const instance = await startInstance(
    crossdock,
    config,
    { api: true, workers: 0, port: 0 },
    createOutput(false),
  );
  try {
    const db = crossdock.store.db as never as Kysely<never>;
    const seeded = performance.now();
    await seed(db, RUNS);
    const seedSeconds = (performance.now() - seeded) / 1000;
    const { token } = await crossdock.services.tokens.create(
      { id: admin.id, role: 'admin' },
      { name: 'bench' },
      null,
    );
    const get = async (path: string) => {
      const res = await fetch(`${instance.url}${path}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<Record<string, unknown>>;
    };
    const ids = (
      await sql<{ lo: string; hi: string }>`SELECT min(id) AS lo, max(id) AS hi FROM runs`.execute(
        db,
      )
    ).rows[0]!;
    const middle = String(Math.floor((Number(ids.lo) + Number(ids.hi)) / 2));
    const depth = Number(ids.hi) - Number(middle);
    const rows: Row[] = [];
    const endpoint = async (
      what: string,
      path: string,
      check: (body: Record<string, unknown>) => string,
    ) => {
      const note = check(await get(path));
      rows.push({ what, ...(await time(() => get(path))), note });
    };
    const count = (key: string) => (b: Record<string, unknown>) =>
      `${(b[key] as unknown[]).length} ${key}`;
    await endpoint('runs, first page', '/api/v1/runs?limit=50', count('runs'));
    await endpoint(
      `runs, a page ${depth.toLocaleString('en')} runs deep (cursor)`,
      `/api/v1/runs?limit=50&cursor=${encodeCursor(middle)}`,
      count('runs'),
    );
    await endpoint('runs, failed only', '/api/v1/runs?limit=50&status=failed', count('runs'));
    await endpoint(
      'runs, a rare workflow (0.1 %)',
      '/api/v1/runs?limit=50&workflow=returns',
      count('runs'),
    );
    await endpoint(
      'runs, last hour',
      `/api/v1/runs?limit=50&since=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`,
      count('runs'),
    );
    await endpoint(
      'runs, input contains an order name (one match)',
      `/api/v1/runs?limit=50&q=S${String(Math.floor(RUNS / 2)).padStart(6, '0')}`,
      count('runs'),
    );
    await endpoint(
      'runs, input contains text most runs have',
      '/api/v1/runs?limit=50&q=S0',
      count('runs'),
    );
    await endpoint(
      'exception queue, open',
      '/api/v1/exceptions?status=open&limit=50',
      (b) => `${(b.cases as unknown[] | undefined)?.length ?? '?'} cases`,
    );
    await endpoint(
      'exception root-cause groups',
      '/api/v1/exceptions/groups',
      (b) => `${(b.groups as unknown[] | undefined)?.length ?? '?'} groups`,
    );
    await endpoint(
      'approvals inbox, pending',
      '/api/v1/approvals?status=pending&limit=200',
      (b) => `${(b.approvals as unknown[]).length} of ${String(b.total)}`,
    );
    for (const last of ['1h', '24h', '7d'])
      await endpoint(
        `KPIs, last ${last}`,
        `/api/v1/kpis?last=${last}`,
        (b) => `${String((b.events as { total: number }).total)} events`,
      );
    const keyset = await time(() =>
      sql`SELECT id FROM runs WHERE id < ${middle} ORDER BY id DESC LIMIT 51`.execute(db),
    );
    const offset = await time(() =>
      sql`SELECT id FROM runs ORDER BY id DESC OFFSET ${depth} LIMIT 51`.execute(db),
    );
    rows.push({ what: `SQL: the same deep page by keyset`, ...keyset, note: 'id < cursor' });
    rows.push({
      what: `SQL: the same deep page by OFFSET ${depth.toLocaleString('en')}`,
      ...offset,
      note: `${(offset.p50 / keyset.p50).toFixed(0)}x the keyset p50`,
    });
    rows.push({
      what: 'seeding',
      p50: seedSeconds * 1000,
      p95: seedSeconds * 1000,
      note: `${RUNS.toLocaleString('en')} runs and their events, cases, approvals`,
    });
    return rows;
  } finally {
    await instance.stop();
    rmSync(dir, { recursive: true, force: true });
    if (database) await dropTestDatabase(database);
  }
}

console.log(
  `${RUNS.toLocaleString('en')} runs, ${REPEAT} timed requests per row; load average before: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const results: [string, Row[]][] = [];
for (const postgres of [false, true]) {
  if (only && (only === 'postgres') !== postgres) continue;
  results.push([postgres ? 'PostgreSQL' : 'PGlite', await scenario(postgres)]);
}
const names = results.map(([n]) => n);
console.log(`| request | ${names.map((n) => `${n} p50 ms | ${n} p95 ms`).join(' | ')} | answer |`);
console.log(`| --- | ${names.map(() => '---: | ---:').join(' | ')} | --- |`);
for (let i = 0; i < results[0]![1].length; i++) {
  const row = results[0]![1][i]!;
  console.log(
    `| ${row.what} | ${results.map(([, r]) => `${r[i]!.p50.toFixed(1)} | ${r[i]!.p95.toFixed(1)}`).join(' | ')} | ${results.map(([, r]) => r[i]!.note).join(' / ')} |`,
  );
}
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);

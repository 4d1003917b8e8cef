/**
 * End-to-end benchmark: runs/s and latency (event accepted -> run completed) for a
 * 4-step workflow with a local HTTP step, every step checkpointed. Scenarios: embedded
 * PGlite (one in-process worker), PostgreSQL with 1 and with 2 worker processes.
 *   npm run bench                 all scenarios, 4000 runs each
 *   BENCH_RUNS=1000 npm run bench
 *   BENCH_ONLY=pglite npm run bench
 *   BENCH_ABLATION=1 npm run bench    also PGlite with the checkpoint linger off
 *   BENCH_ONLY=postgres-inprocess      PostgreSQL with the worker in the benchmark process
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import pg from 'pg';
import { Engine } from '../src/engine/index.ts';
import { builtInSteps } from '../src/main.ts';
import { openStore, type Store } from '../src/store/index.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 4000);
const ONLY = process.env.BENCH_ONLY;
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const workflow = (url: string) => `
id: bench
trigger: { event: bench.order }
steps:
  - id: price
    type: transform
    with: { total: "= input.qty * input.price", order: "= input.n" }
  - id: score
    type: http.request
    with: { method: POST, url: "${url}/score", body: { order: "= input.n" } }
  - id: route
    type: branch
    with: { if: "steps.score.output.body.score > 5", then: release, else: release }
  - id: release
    type: transform
    with: { released: "= steps.price.output.order", total: "= steps.price.output.total" }
`;

interface Result {
  scenario: string;
  runs: number;
  seconds: number;
  runsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  rssMb: number;
}

async function startTarget(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'target-server.mjs')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout! }).once('line', resolve),
  );
  return { url: `http://127.0.0.1:${line.trim()}`, child };
}

/** Sends all events through intake with bounded concurrency (the group commit batches them). */
async function feed(engine: Engine, runs: number, prefix: string): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < runs) {
      const n = next++;
      await engine.accept({
        source: 'bench',
        type: 'bench.order',
        key: `${prefix}-${n}`,
        payload: { n, qty: 3, price: 9.5 },
      });
    }
  };
  await Promise.all(Array.from({ length: 256 }, lane));
}

/** Sends events at a steady rate, as production traffic arrives: latency without a backlog. */
async function feedPaced(
  engine: Engine,
  runs: number,
  prefix: string,
  perSecond: number,
): Promise<void> {
  const started = Date.now();
  const pending: Promise<unknown>[] = [];
  for (let n = 0; n < runs; n++) {
    const due = started + (n * 1000) / perSecond;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    pending.push(
      engine.accept({
        source: 'bench',
        type: 'bench.order',
        key: `${prefix}-${n}`,
        payload: { n, qty: 3, price: 9.5 },
      }),
    );
  }
  await Promise.all(pending);
}

async function waitAllCompleted(store: Store, runs: number, deadlineMs = 600_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const row = await sql<{ done: number; failed: number }>`
      SELECT count(*) FILTER (WHERE status = 'completed')::int AS done, count(*) FILTER (WHERE status = 'failed')::int AS failed FROM runs`.execute(
      store.db,
    );
    const { done, failed } = row.rows[0]!;
    if (failed > 0) throw new Error(`${failed} benchmark runs failed`);
    if (done >= runs) return;
    if (Date.now() > deadline) throw new Error(`only ${done}/${runs} runs completed`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function measure(
  store: Store,
  scenario: string,
  runs: number,
  rssMb: number,
): Promise<Result> {
  const stats = await sql<{ seconds: number; p50: number; p99: number }>`
    SELECT extract(epoch FROM max(r.ended_at) - min(e.received_at))::float8 AS seconds,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.ended_at - e.received_at) * 1000)::float8 AS p50,
           percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM r.ended_at - e.received_at) * 1000)::float8 AS p99
    FROM runs r JOIN events e ON e.id = r.event_id WHERE r.status = 'completed'`.execute(store.db);
  const s = stats.rows[0]!;
  return {
    scenario,
    runs,
    seconds: round(s.seconds),
    runsPerSecond: Math.round(runs / s.seconds),
    p50Ms: round(s.p50),
    p99Ms: round(s.p99),
    rssMb,
  };
}

const round = (x: number) => Math.round(x * 10) / 10;
const rssOf = (pid: number) =>
  Math.round(
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
  );

async function benchPglite(url: string, lingerMs = 2, pacedPerSecond = 0): Promise<Result> {
  const root = mkdtempSync(join(tmpdir(), 'crossdock-bench-'));
  const store = await openStore({
    kind: 'pglite',
    dataDir: join(root, 'data'),
    synchronous: false,
    vacuumIntervalMs: 600_000,
  });
  try {
    await store.migrate();
    const engine = await engineFor(store, url);
    engine.startWorkers(1, { checkpointLingerMs: lingerMs });
    const runs = pacedPerSecond > 0 ? Math.min(RUNS, pacedPerSecond * 5) : RUNS;
    await (pacedPerSecond > 0
      ? feedPaced(engine, runs, 'p', pacedPerSecond)
      : feed(engine, runs, 'p'));
    await waitAllCompleted(store, runs);
    await engine.stopWorkers();
    const label =
      pacedPerSecond > 0
        ? `, paced ${pacedPerSecond} events/s`
        : lingerMs === 2
          ? ''
          : `, checkpoint linger ${lingerMs} ms`;
    return await measure(store, `PGlite, 1 in-process worker${label}`, runs, rssOf(process.pid));
  } finally {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/** A new database on the server for one scenario, and how to drop it afterwards. */
async function freshDatabase(): Promise<{ dbUrl: URL; drop: () => Promise<void> }> {
  const name = `crossdock_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${name}`;
  return {
    dbUrl,
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function benchPostgres(url: string, workerCount: number): Promise<Result> {
  const { dbUrl, drop } = await freshDatabase();
  const store = await openStore({ kind: 'postgres', url: dbUrl.toString(), poolSize: 10 });
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-bench-wf-'));
  const workers: ChildProcess[] = [];
  try {
    await store.migrate();
    writeFileSync(join(dir, 'bench.yaml'), workflow(url));
    const engine = await engineFor(store, url);
    for (let i = 0; i < workerCount; i++) {
      const child = spawn(
        process.execPath,
        [
          ...(process.env.BENCH_PROFILE_DIR
            ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
            : []),
          'bin/crossdock.js',
          'worker',
          '--workflows',
          dir,
        ],
        {
          env: {
            ...process.env,
            DATABASE_URL: dbUrl.toString(),
            LOG_LEVEL: 'info',
            CROSSDOCK_WORKER_CONCURRENCY: process.env.BENCH_WORKER_CONCURRENCY ?? '200',
            CROSSDOCK_POLL_INTERVAL_MS: '200',
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      workers.push(child);
      await new Promise<void>((resolve) => {
        const lines = createInterface({ input: child.stdout! });
        lines.on('line', (l) => l.includes('workers started') && resolve());
      });
    }
    await feed(engine, RUNS, 'g');
    await waitAllCompleted(store, RUNS);
    const rss = workers.reduce((sum, w) => sum + rssOf(w.pid!), 0);
    return await measure(
      store,
      `PostgreSQL, ${workerCount} worker process${workerCount > 1 ? 'es' : ''}`,
      RUNS,
      rss,
    );
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await store.close();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** PostgreSQL with the worker inside the benchmark process: the engine alone, no CLI process around it. */
async function benchPostgresInProcess(url: string): Promise<Result> {
  const { dbUrl, drop } = await freshDatabase();
  const store = await openStore({ kind: 'postgres', url: dbUrl.toString(), poolSize: 10 });
  try {
    await store.migrate();
    const engine = await engineFor(store, url);
    engine.startWorkers(1);
    await feed(engine, RUNS, 'i');
    await waitAllCompleted(store, RUNS);
    await engine.stopWorkers();
    return await measure(store, 'PostgreSQL, 1 in-process worker', RUNS, rssOf(process.pid));
  } finally {
    await store.close();
    await drop();
  }
}

async function engineFor(store: Store, url: string): Promise<Engine> {
  const steps = builtInSteps();
  const engine = new Engine({ store, steps });
  const { parseWorkflow } = await import('../src/workflows/index.ts');
  const parsed = parseWorkflow(workflow(url), 'bench.yaml', steps);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  await engine.installWorkflows(parsed.workflows);
  return engine;
}

const target = await startTarget();
const results: Result[] = [];
try {
  if (!ONLY || ONLY === 'pglite') results.push(await benchPglite(target.url));
  // Ablation, same run: the checkpoint linger (group-commit wait) off.
  if (process.env.BENCH_ABLATION === '1') results.push(await benchPglite(target.url, 0));
  // Latency as a user sees it: steady traffic well under capacity, no backlog.
  if (!ONLY || ONLY === 'pglite') results.push(await benchPglite(target.url, 2, 100));
  if (ONLY === 'postgres-inprocess') results.push(await benchPostgresInProcess(target.url));
  if (!ONLY || ONLY === 'postgres') {
    results.push(await benchPostgres(target.url, 1));
    results.push(await benchPostgres(target.url, 2));
  }
} finally {
  target.child.kill();
}
console.log(
  `\n${new Date().toISOString()}  node ${process.version}  ${cpus().length} x ${cpus()[0]?.model}  ${Math.round(totalmem() / 2 ** 30)} GiB`,
);
console.log('| scenario | runs | seconds | runs/s | p50 ms | p99 ms | RSS MB |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of results)
  console.log(
    `| ${r.scenario} | ${r.runs} | ${r.seconds} | ${r.runsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.rssMb} |`,
  );

/**
 * `npm run bench:api`: throughput through the front door. Real `crossdock start` processes
 * (and `crossdock worker` processes on PostgreSQL), real HTTP with an API token, and a
 * dispatch flow (a branch; an http.request to a carrier stub on 127.0.0.1 that answers at
 * once; a transform). Completed runs are counted from the store (the `crossdock_runs`
 * gauge of /metrics while running; latencies from the runs and events tables afterwards).
 *
 * Per point: runs/s (first request sent -> last run completed), p50/p99 from event accepted
 * to run completed, CPU ms per run of the Crossdock processes and of PostgreSQL's backends
 * for the bench database (from /proc), of the load itself (this client and the carrier stub, on
 * the same cores), and the RSS of the Crossdock processes at the end.
 *
 * Environment:
 *   BENCH_API_CONFIGS   embedded,pg,pg+1,pg+2 (default all): the store and worker processes
 *   BENCH_API_DOORS     events,hooks (default both): POST /api/v1/events, POST /hooks/:source/:token
 *   BENCH_API_C         1,10,50 (default): requests in flight
 *   BENCH_API_REQUESTS  requests per point (default 300)
 *   BENCH_API_BUILDS    before=/a/bin/crossdock.js,after=/b/bin/crossdock.js: compare builds, alternating per configuration
 *   TEST_DATABASE_URL   the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_API_TARGET_DELAY_MS   how long the carrier stub takes to answer (default 0; bench:scale: 50)
 *   BENCH_API_START_WORKERS     worker loops inside `crossdock start` (default: the product's, 1; 0: API only)
 *   BENCH_API_WORKER_CONCURRENCY  runs in flight per `crossdock worker` process (default: the product's)
 *   BENCH_API_IDLE_S    seconds of idle CPU measured after each start, before the points (default 10; 0: none)
 *   BENCH_API_NODE_ARGS  extra node flags for the Crossdock processes, space-separated
 *                        (`--cpu-prof --cpu-prof-dir=/tmp/prof` profiles each of them)
 * `npm run bench:scale` (bench/scale.ts) sets these for the worker-count curve.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import pg from 'pg';
import { openStore, type Store } from '../src/store/index.ts';
import { createTestDatabase, dropTestDatabase } from '../test/support/stores.ts';

/** `label=path/to/bin/crossdock.js,...`: builds to compare point by point in one run (default: this checkout). */
const BUILDS = (
  process.env.BENCH_API_BUILDS ??
  `this=${resolve(import.meta.dirname, '..', 'bin', 'crossdock.js')}`
)
  .split(',')
  .map((b) => b.split('=') as [string, string]);
const list = (name: string, fallback: string) =>
  (process.env[name] ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const CONFIGS = list('BENCH_API_CONFIGS', 'embedded,pg,pg+1,pg+2');
const DOORS = list('BENCH_API_DOORS', 'events,hooks');
const CONCURRENCY = list('BENCH_API_C', '1,10,50').map(Number);
const REQUESTS = Number(process.env.BENCH_API_REQUESTS ?? 300);
const TARGET_DELAY_MS = Number(process.env.BENCH_API_TARGET_DELAY_MS ?? 0);
const START_WORKERS = process.env.BENCH_API_START_WORKERS;
const WORKER_CONCURRENCY = process.env.BENCH_API_WORKER_CONCURRENCY;
const IDLE_S = Number(process.env.BENCH_API_IDLE_S ?? 10);
const NODE_ARGS = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
const TICK_MS = 1000 / 100; // /proc/<pid>/stat counts CPU in clock ticks of 10 ms (USER_HZ)

const WORKFLOW = (carrier: string) => `
id: dispatch
trigger: { event: bench.order }
steps:
  - id: route
    type: branch
    with: { if: "input.qty > 2", then: book, else: book }
  - id: book
    type: http.request
    with: { method: POST, url: "${carrier}/book", body: { order: "= input.n" } }
  - id: release
    type: transform
    with: { order: "= input.n", score: "= steps.book.output.body.score" }
`;

interface Point {
  config: string;
  door: string;
  c: number;
  requests: number;
  runsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerRun: number;
  pgCpuMsPerRun: number | null;
  /** The load itself: this client and the carrier stub, which share the machine's cores. */
  loadCpuMsPerRun: number;
  rssMb: number;
  /** RSS of each process: `start` first, then the workers. */
  rssEachMb: number[];
  load: number;
}

interface Instance {
  url: string;
  token: string;
  hookPath: string;
  processes: ChildProcess[];
  databaseUrl: string | null;
  dataDir: string;
  stop: () => Promise<void>;
}

const cpuTicks = (pid: number): number => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0;
  }
};
/** CPU ticks of the processes `pids`, together. */
const ticksOf = (pids: number[]) => pids.reduce((s, pid) => s + cpuTicks(pid), 0);
const pidsOf = (instance: Instance) => instance.processes.map((p) => p.pid!);
const rssMb = (pid: number) => {
  try {
    return Math.round(
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
    );
  } catch {
    return 0;
  }
};

function cli(cliPath: string, args: string[], env: NodeJS.ProcessEnv): string {
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`crossdock ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

function waitForLine(child: ChildProcess, text: string, what: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start in 120 s`)), 120_000);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before starting`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes(text)) {
        clearTimeout(timer);
        resolvePromise(line);
      }
    });
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

async function startInstance(config: string, carrier: string, cliPath: string): Promise<Instance> {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-apibench-'));
  const workflows = join(dir, 'workflows');
  spawnSync('mkdir', ['-p', workflows]);
  writeFileSync(join(workflows, 'dispatch.yaml'), WORKFLOW(carrier));
  const databaseUrl = config === 'embedded' ? null : await createTestDatabase('crossdock_apibench');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    CROSSDOCK_DATA_DIR: join(dir, 'data'),
    CROSSDOCK_STATE_DIR: join(dir, 'state'),
    CROSSDOCK_WORKFLOWS_DIR: workflows,
    CROSSDOCK_SECRETS_KEY: randomBytes(32).toString('base64'), // seals the webhook source's secret
    CROSSDOCK_RATE_LIMIT_PER_MINUTE: '1000000',
    CROSSDOCK_POLL_INTERVAL_MS: '200',
    CROSSDOCK_PORT: '0',
    LOG_LEVEL: 'info',
    CROSSDOCK_LOG_FORMAT: 'json',
  };
  const processes: ChildProcess[] = [];
  const stop = async () => {
    for (const p of processes.slice().reverse()) await stopProcess(p);
    if (databaseUrl) await dropTestDatabase(databaseUrl);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    return await startProcesses(config, cliPath, env, processes, databaseUrl, dir, stop);
  } catch (error) {
    await stop(); // nothing left running when a start fails
    throw error;
  }
}

async function startProcesses(
  config: string,
  cliPath: string,
  env: NodeJS.ProcessEnv,
  processes: ChildProcess[],
  databaseUrl: string | null,
  dir: string,
  stop: () => Promise<void>,
): Promise<Instance> {
  cli(cliPath, ['migrate'], env);
  cli(cliPath, ['users', 'add', 'bench@example.com', '--role', 'admin'], env);
  const token = (
    JSON.parse(
      cli(
        cliPath,
        ['tokens', 'create', '--name', 'bench', '--user', 'bench@example.com', '--json'],
        env,
      ),
    ) as { token: string }
  ).token;
  const start = spawn(process.execPath, [...NODE_ARGS, cliPath, 'start'], {
    env: START_WORKERS === undefined ? env : { ...env, CROSSDOCK_WORKERS: START_WORKERS },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  processes.push(start);
  const line = await waitForLine(start, 'Crossdock API listening', 'crossdock start');
  const url = (JSON.parse(line) as { url: string }).url.replace('localhost', '127.0.0.1');
  const workerCount = config.startsWith('pg+') ? Number(config.slice(3)) : 0;
  for (let i = 0; i < workerCount; i++) {
    const worker = spawn(process.execPath, [...NODE_ARGS, cliPath, 'worker'], {
      env:
        WORKER_CONCURRENCY === undefined
          ? env
          : { ...env, CROSSDOCK_WORKER_CONCURRENCY: WORKER_CONCURRENCY },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    processes.push(worker);
    await waitForLine(worker, 'workers started', 'crossdock worker');
  }
  const hookSecret = 'bench-path-token-0123456789-abcdefgh';
  const created = await call(url, token, '/api/v1/sources', {
    name: 'benchhook',
    verification: 'path-token',
    secret: hookSecret,
    mapping: { type: 'bench.order', key: '= body.id', payload: '= body.order' },
  });
  if (created.status !== 201)
    throw new Error(`creating the webhook source: ${created.status} ${created.body}`);
  return {
    url,
    token,
    hookPath: `/hooks/benchhook/${hookSecret}`,
    processes,
    databaseUrl,
    dataDir: join(dir, 'data'),
    stop,
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function call(
  base: string,
  token: string | null,
  path: string,
  body: unknown,
  method = 'POST',
): Promise<{ status: number; body: string }> {
  const text = body === undefined ? '' : JSON.stringify(body);
  return new Promise((resolvePromise, reject) => {
    const req = request(
      `${base}${path}`,
      {
        method,
        agent,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(text
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

async function completedRuns(instance: Instance): Promise<number> {
  const metrics = await call(instance.url, instance.token, '/metrics', undefined, 'GET');
  let total = 0;
  for (const m of metrics.body.matchAll(/^crossdock_runs\{[^}]*status="(\w+)"[^}]*\} (\d+)/gm)) {
    if (m[1] === 'failed') throw new Error('a benchmark run failed');
    if (m[1] === 'completed') total += Number(m[2]);
  }
  return total;
}

async function backendPids(databaseUrl: string | null): Promise<number[]> {
  if (!databaseUrl) return [];
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const name = new URL(databaseUrl).pathname.slice(1);
    return (
      await client.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      )
    ).rows.map((r) => r.pid);
  } finally {
    await client.end();
  }
}

async function point(
  instance: Instance,
  config: string,
  door: string,
  c: number,
  prefix: string,
  base: number,
): Promise<Omit<Point, 'p50Ms' | 'p99Ms'> & { prefix: string }> {
  const pgPids = await backendPids(instance.databaseUrl);
  const ticks0 = ticksOf(pidsOf(instance));
  const pgTicks0 = ticksOf(pgPids);
  const client0 = process.cpuUsage();
  const carrierTicks0 = cpuTicks(carrier.child.pid!);
  const load = loadavg()[0]!;
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < REQUESTS) {
      const n = next++;
      const key = `${prefix}-${n}`;
      const order = { n, qty: 3, price: 9.5 };
      const res =
        door === 'events'
          ? await call(instance.url, instance.token, '/api/v1/events', {
              source: 'bench',
              type: 'bench.order',
              key,
              payload: order,
            })
          : await call(instance.url, null, instance.hookPath, { id: key, order });
      if (res.status !== 202) throw new Error(`${door} ${key}: HTTP ${res.status} ${res.body}`);
    }
  };
  await Promise.all(Array.from({ length: c }, lane));
  const deadline = Date.now() + 300_000;
  while ((await completedRuns(instance)) < base + REQUESTS) {
    if (Date.now() > deadline)
      throw new Error(`${config} ${door} c=${c}: runs did not complete in 300 s`);
    await new Promise((r) => setTimeout(r, 25)); // polling the store, not a timing assumption
  }
  const seconds = (performance.now() - started) / 1000;
  const ticks = ticksOf(pidsOf(instance)) - ticks0;
  const pgTicks = ticksOf(await backendPids(instance.databaseUrl)) - pgTicks0;
  const client = process.cpuUsage(client0);
  const loadMs =
    (client.user + client.system) / 1000 + (cpuTicks(carrier.child.pid!) - carrierTicks0) * TICK_MS;
  return {
    config,
    door,
    c,
    requests: REQUESTS,
    prefix,
    load,
    runsPerSecond: Math.round(REQUESTS / seconds),
    cpuMsPerRun: round2((ticks * TICK_MS) / REQUESTS),
    pgCpuMsPerRun: instance.databaseUrl ? round2((pgTicks * TICK_MS) / REQUESTS) : null,
    loadCpuMsPerRun: round2(loadMs / REQUESTS),
    rssMb: instance.processes.reduce((s, p) => s + rssMb(p.pid!), 0),
    rssEachMb: instance.processes.map((p) => rssMb(p.pid!)),
  };
}

/** p50/p99 from accepted to completed, per point (its event keys share a prefix). */
async function latencies(store: Store, prefix: string): Promise<{ p50: number; p99: number }> {
  const row = (
    await sql<{ p50: number; p99: number }>`
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.ended_at - e.received_at) * 1000)::float8 AS p50,
           percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM r.ended_at - e.received_at) * 1000)::float8 AS p99
    FROM runs r JOIN events e ON e.id = r.event_id WHERE r.status = 'completed' AND starts_with(e.dedupe_key, ${`${prefix}-`})`.execute(
      store.db,
    )
  ).rows[0]!;
  return { p50: round(row.p50), p99: round(row.p99) };
}

const round = (x: number) => Math.round(x * 10) / 10;
/** CPU per run: a tenth of a millisecond is a tenth of the budget, too coarse to compare builds. */
const round2 = (x: number) => Math.round(x * 100) / 100;

async function startCarrier(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'target-server.mjs')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TARGET_DELAY_MS: String(TARGET_DELAY_MS) },
  });
  const line = await new Promise<string>((r) =>
    createInterface({ input: child.stdout! }).once('line', r),
  );
  return { url: `http://127.0.0.1:${line.trim()}`, child };
}

/**
 * CPU of an instance with nothing to do (its processes and PostgreSQL's backends), in ms per
 * second, over IDLE_S seconds after 3 s to settle: what polling costs a site with no traffic.
 */
async function idleCpu(instance: Instance): Promise<{ crossdock: number; postgres: number }> {
  await new Promise((r) => setTimeout(r, 3_000));
  const pgPids = await backendPids(instance.databaseUrl);
  const [t0, pg0] = [ticksOf(pidsOf(instance)), ticksOf(pgPids)];
  await new Promise((r) => setTimeout(r, IDLE_S * 1_000));
  const perSecond = (n: number) => Math.round((n * TICK_MS) / IDLE_S);
  return {
    crossdock: perSecond(ticksOf(pidsOf(instance)) - t0),
    postgres: perSecond(ticksOf(pgPids) - pg0),
  };
}

const carrier = await startCarrier();
const points: Point[] = [];
const idle: { config: string; crossdock: number; postgres: number; load: number }[] = [];
console.error(
  `bench:api: ${CONFIGS.join(', ')} | ${DOORS.join(', ')} | c = ${CONCURRENCY.join(', ')} | ${REQUESTS} requests per point | carrier answers in ${TARGET_DELAY_MS} ms | start's worker loops ${START_WORKERS ?? 'default'} | per-worker concurrency ${WORKER_CONCURRENCY ?? 'default'} | load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
try {
  for (const configName of CONFIGS)
    for (const [label, cliPath] of BUILDS) {
      const config = BUILDS.length > 1 ? `${configName} (${label})` : configName;
      const instance = await startInstance(configName, carrier.url, cliPath);
      const measured: Awaited<ReturnType<typeof point>>[] = [];
      try {
        if (IDLE_S > 0) {
          const load = loadavg()[0]!;
          idle.push({ config, ...(await idleCpu(instance)), load });
        }
        let base = await completedRuns(instance);
        for (const door of DOORS) {
          for (const c of CONCURRENCY) {
            const m = await point(instance, config, door, c, `${door}-c${c}`, base);
            base += REQUESTS;
            measured.push(m);
            console.error(
              `  ${config} ${door} c=${c}: ${m.runsPerSecond} runs/s, ${m.cpuMsPerRun} ms CPU/run${m.pgCpuMsPerRun === null ? '' : ` + ${m.pgCpuMsPerRun} ms PostgreSQL`} + ${m.loadCpuMsPerRun} ms the load, RSS ${m.rssEachMb.join(' + ')} MB, load ${m.load.toFixed(1)}`,
            );
          }
        }
        // Latencies from the store; the embedded store is opened once `start` has let it go.
        if (instance.databaseUrl === null) for (const p of instance.processes) await stopProcess(p);
        const store = await openStore(
          instance.databaseUrl
            ? { kind: 'postgres', url: instance.databaseUrl, poolSize: 2 }
            : {
                kind: 'pglite',
                dataDir: instance.dataDir,
                synchronous: false,
                vacuumIntervalMs: 600_000,
              },
        );
        try {
          for (const m of measured) {
            const { p50, p99 } = await latencies(store, m.prefix);
            points.push({ ...m, p50Ms: p50, p99Ms: p99 });
          }
        } finally {
          await store.close();
        }
      } finally {
        await instance.stop();
      }
    }
} finally {
  carrier.child.kill();
  agent.destroy();
}
console.log(
  `\n${new Date().toISOString()}  node ${process.version}  ${cpus().length} x ${cpus()[0]?.model}  ${Math.round(totalmem() / 2 ** 30)} GiB  ${REQUESTS} requests per point`,
);
console.log(
  '| configuration | door | c | runs/s | p50 ms | p99 ms | CPU ms/run (Crossdock) | CPU ms/run (PostgreSQL) | CPU ms/run (the load) | RSS MB (start + workers) | load (1 min) |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const p of points)
  console.log(
    `| ${p.config} | ${p.door} | ${p.c} | ${p.runsPerSecond} | ${p.p50Ms} | ${p.p99Ms} | ${p.cpuMsPerRun} | ${p.pgCpuMsPerRun ?? '-'} | ${p.loadCpuMsPerRun} | ${p.rssEachMb.length > 1 ? `${p.rssMb} (${p.rssEachMb.join(' + ')})` : p.rssMb} | ${p.load.toFixed(1)} |`,
  );
if (idle.length > 0) {
  console.log(
    `\n| configuration | idle CPU ms/s (Crossdock) | idle CPU ms/s (PostgreSQL) | load (1 min) |`,
  );
  console.log('| --- | ---: | ---: | ---: |');
  for (const i of idle)
    console.log(
      `| ${i.config} | ${i.crossdock} | ${i.config.startsWith('embedded') ? '-' : i.postgres} | ${i.load.toFixed(1)} |`,
    );
}
// The curve: each configuration's throughput against the first one's at the same door and c.
const first = new Map(
  points.filter((p) => p.config === points[0]?.config).map((p) => [`${p.door}:${p.c}`, p]),
);
console.log('\n| configuration | door | c | runs/s | / first configuration |');
console.log('| --- | --- | ---: | ---: | ---: |');
for (const p of points) {
  const base = first.get(`${p.door}:${p.c}`);
  console.log(
    `| ${p.config} | ${p.door} | ${p.c} | ${p.runsPerSecond} | ${base ? (p.runsPerSecond / base.runsPerSecond).toFixed(2) + 'x' : '-'} |`,
  );
}

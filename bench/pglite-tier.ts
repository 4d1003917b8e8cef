/**
 * `npm run bench:pglite-tier`: PGlite (PostgreSQL's WebAssembly) on V8's default tiers
 * (baseline, then optimised for hot functions) against the baseline compiler only
 * (`--liftoff-only`, what the embedded store sets, src/store/pglite.ts). Each round starts one
 * child process per way, alternated, on a copy of the pristine cluster: it opens PGlite, then
 * runs BENCH_STATEMENTS statements (an insert, an update and a read by key, over and over, the
 * shape of the engine's writes) and reports the time and CPU to open, the time and CPU of the
 * statements, and its resident memory at the end.
 * Environment: BENCH_ROUNDS (default 3), BENCH_STATEMENTS (default 75000).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { openStore } from '../src/store/index.ts';

interface Figures {
  openMs: number;
  openCpuS: number;
  workMs: number;
  workCpuS: number;
  rssMb: number;
}

const cpuS = (since?: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

/** In the child: the measurement itself, on the cluster in `dir`. */
async function child(dir: string, statements: number): Promise<Figures> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const db = await PGlite.create(dir, {
    startParams: [...(PGlite as unknown as { defaultStartParams: string[] }).defaultStartParams],
  });
  await db.query('SELECT 1');
  const openMs = performance.now() - t0;
  const openCpuS = cpuS(cpu0);
  await db.exec(
    'CREATE TABLE ev (id bigserial PRIMARY KEY, k text, status text, payload jsonb); CREATE INDEX ON ev (k)',
  );
  const payload = JSON.stringify({
    order: 'S00001',
    lines: Array.from({ length: 8 }, (_, i) => ({ product: `P${i}`, qty: i })),
  });
  const cpu1 = process.cpuUsage();
  const t1 = performance.now();
  for (let i = 0; i < statements / 3; i++) {
    await db.query(`INSERT INTO ev (k, status, payload) VALUES ($1, 'due', $2::jsonb)`, [
      `k${i}`,
      payload,
    ]);
    await db.query(`UPDATE ev SET status = 'done' WHERE k = $1`, [`k${i}`]);
    await db.query('SELECT * FROM ev WHERE k = $1', [`k${i >> 1}`]);
  }
  const figures = {
    openMs,
    openCpuS,
    workMs: performance.now() - t1,
    workCpuS: cpuS(cpu1),
    rssMb: process.memoryUsage().rss / 2 ** 20,
  };
  await db.close();
  return figures;
}

if (process.argv[2] === '--child') {
  console.log(JSON.stringify(await child(process.argv[3]!, Number(process.argv[4]))));
  process.exit(0);
}

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const statements = Number(process.env.BENCH_STATEMENTS ?? 75_000);
// The pristine cluster, made (or found) in the user's cache by opening a store once.
const root = mkdtempSync(join(tmpdir(), 'crossdock-bench-tier-'));
const seed = await openStore({
  kind: 'pglite',
  dataDir: join(root, 'seed'),
  synchronous: false,
  vacuumIntervalMs: 3_600_000,
});
await seed.close();
const ways = { default: [] as string[], 'liftoff-only': ['--liftoff-only'] };
const results: Record<string, Figures[]> = { default: [], 'liftoff-only': [] };
console.log(
  `PGlite, ${statements} statements per process, ${rounds} rounds, load ${loadavg()[0]!.toFixed(1)}`,
);
for (let round = 0; round < rounds; round++)
  for (const [way, flags] of Object.entries(ways)) {
    const dir = join(root, `${way}-${round}`);
    cpSync(join(root, 'seed'), dir, { recursive: true });
    const run = spawnSync(
      process.execPath,
      [...flags, '--import', 'tsx', import.meta.filename, '--child', dir, String(statements)],
      { encoding: 'utf8', timeout: 600_000 },
    );
    if (run.status !== 0) throw new Error(`${way}: ${run.stderr}`);
    results[way]!.push(JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Figures);
    rmSync(dir, { recursive: true, force: true });
  }
rmSync(root, { recursive: true, force: true });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pick = (way: string, key: keyof Figures) => median(results[way]!.map((f) => f[key]));
console.log('| way | open ms | open CPU s | statements s | statements CPU s | RSS MB |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const way of Object.keys(ways))
  console.log(
    `| ${way} | ${pick(way, 'openMs').toFixed(0)} | ${pick(way, 'openCpuS').toFixed(2)} | ${(pick(way, 'workMs') / 1000).toFixed(1)} | ${pick(way, 'workCpuS').toFixed(1)} | ${pick(way, 'rssMb').toFixed(0)} |`,
  );
for (const key of ['openCpuS', 'workCpuS', 'rssMb'] as const)
  console.log(
    `liftoff-only / default, ${key}: ${(pick('liftoff-only', key) / pick('default', key)).toFixed(2)}x`,
  );
console.log(`load after: ${loadavg()[0]!.toFixed(1)}`);

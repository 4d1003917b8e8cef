/**
 * What a new embedded data directory costs before the store answers: the cluster made, PGlite
 * started, the migrations applied (what `crossdock start` does on a directory that is new).
 * Three ways, alternated round by round in one process:
 *   initdb   PGlite's initdb run for this directory (in its child process), as before the cache
 *   pristine the cluster copied from the pristine one kept per PGlite version, then migrated
 *            (as before the schema was kept too)
 *   schema   the cluster copied from the one kept with this code's migrations applied (what
 *            openStore does now; the first round of the run fills the cache if it is empty)
 * CPU includes the initdb child's (from /proc/self/stat).
 * Usage: node --import tsx bench/fresh-start.ts
 * (BENCH_ROUNDS=5 to change the count).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/index.ts';
import { createCluster, defaultClusterCache } from '../src/store/pglite-cluster.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** CPU seconds of this process and of its waited-for children (user + system). */
function cpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0); // utime stime cutime cstime
  return ticks / 100;
}

type Mode = 'initdb' | 'pristine' | 'schema';

async function freshStart(mode: Mode): Promise<{ wallMs: number; cpuS: number }> {
  const root = mkdtempSync(join(tmpdir(), 'crossdock-bench-fresh-'));
  const dataDir = join(root, 'data');
  const cpu = cpuSeconds();
  const started = performance.now();
  if (mode !== 'schema') {
    const failure = await createCluster(dataDir, mode === 'initdb' ? null : defaultClusterCache());
    if (failure) throw new Error(failure);
  }
  const store = await openStore({
    kind: 'pglite',
    dataDir,
    synchronous: false,
    vacuumIntervalMs: 3_600_000,
  });
  await store.migrate();
  const wallMs = performance.now() - started;
  const cpuS = cpuSeconds() - cpu;
  await store.close();
  rmSync(root, { recursive: true, force: true });
  return { wallMs, cpuS };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `fresh embedded data directory: ${ROUNDS} rounds each, ${cpus().length} cores, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
await freshStart('schema'); // fills the cache if it is empty; not counted
const results: Record<Mode, { wallMs: number; cpuS: number }[]> = {
  initdb: [],
  pristine: [],
  schema: [],
};
for (let i = 0; i < ROUNDS; i++)
  for (const mode of ['initdb', 'pristine', 'schema'] as const)
    results[mode].push(await freshStart(mode));
for (const [mode, rounds] of Object.entries(results)) {
  console.log(
    `${mode.padEnd(7)} wall p50 ${median(rounds.map((r) => r.wallMs)).toFixed(0)} ms (${rounds.map((r) => r.wallMs.toFixed(0)).join(', ')}); CPU p50 ${median(rounds.map((r) => r.cpuS)).toFixed(2)} s`,
  );
}
console.log(
  `load after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);

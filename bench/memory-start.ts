/**
 * What a database kept in memory costs to start (a test's store, `CROSSDOCK_DATA_DIR=memory://`),
 * two ways, alternated start by start in one process:
 *   tar    PGlite's `loadDataDir`: the cluster image handed over as a Blob, read back,
 *          untarred and written file by file (as before)
 *   image  the image read once per process, each database's files laid out as slices of one
 *          copy of it (pglite-image-fs.ts, what openStore does now)
 * Each start ends with the instance answering a query, then closing. CPU is the process's
 * (user + system, garbage collection threads included), per start.
 * Usage: npm run bench:memory-start   (BENCH_STARTS=20 per way; V8's baseline compiler only,
 * as in tests and the store)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { IN_MEMORY, openStore } from '../src/store/index.ts';
import { defaultClusterCache } from '../src/store/pglite-cluster.ts';
import { PGLITE_MEMORY_SHARED_BUFFERS } from '../src/store/pglite.ts';

const STARTS = Number(process.env.BENCH_STARTS ?? 20);

// The image openStore starts from: the newest in the cache once a first store has opened.
await (await openStore(memoryConfig())).close();
const cache = defaultClusterCache();
const [newest] = readdirSync(cache)
  .filter((name) => name.endsWith('.tar'))
  .map((name) => join(cache, name))
  .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
if (!newest) throw new Error(`no cluster image in ${cache}`);
const bytes = readFileSync(newest);

function memoryConfig() {
  return {
    kind: 'pglite',
    dataDir: IN_MEMORY,
    synchronous: false,
    vacuumIntervalMs: 3_600_000,
  } as const;
}

const ways = {
  async tar() {
    const pglite = new PGlite({
      loadDataDir: new Blob([bytes]),
      // The shared buffers a store in memory keeps (pglite.ts), so that only the loading differs.
      startParams: [
        ...PGlite.defaultStartParams,
        '-c',
        `shared_buffers=${PGLITE_MEMORY_SHARED_BUFFERS}`,
      ],
    });
    await pglite.query('SELECT 1');
    await pglite.close();
  },
  async image() {
    const store = await openStore(memoryConfig());
    await store.execScript('SELECT 1');
    await store.close();
  },
};

const totals = { tar: { wall: 0, cpu: 0 }, image: { wall: 0, cpu: 0 } };
for (const way of Object.keys(ways) as (keyof typeof ways)[]) await ways[way](); // warm-up
for (let i = 0; i < STARTS; i++) {
  for (const way of Object.keys(ways) as (keyof typeof ways)[]) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    await ways[way]();
    totals[way].wall += performance.now() - started;
    const used = process.cpuUsage(cpu);
    totals[way].cpu += (used.user + used.system) / 1000;
  }
}
console.log(
  `${cpus().length} × ${cpus()[0]?.model}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${STARTS} starts each, alternated`,
);
for (const [way, t] of Object.entries(totals))
  console.log(
    `${way.padEnd(6)} ${(t.wall / STARTS).toFixed(0).padStart(5)} ms wall  ${(t.cpu / STARTS).toFixed(0).padStart(5)} ms CPU per start`,
  );
console.log(
  `image/tar: ${(totals.image.wall / totals.tar.wall).toFixed(2)}x wall, ${(totals.image.cpu / totals.tar.cpu).toFixed(2)}x CPU`,
);

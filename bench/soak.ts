/**
 * `npm run bench:soak`: the demo's traffic (`crossdock demo`, orders until stopped) for a
 * fixed time, with the resident memory (RSS) of every Crossdock process sampled every 10 s.
 * Bounded, not a test: it prints what it saw and whether memory held.
 *
 * - embedded: one process on PGlite (`npm start`), limit 500 MB;
 * - postgres: the demo process plus worker processes on the PostgreSQL server, limit 300 MB
 *   per worker process (the demo process, which also serves the API and the simulators, is shown).
 * "Flat" means: after the warm-up, the median RSS of the last quarter of the samples is at
 * most 5 % (and at most 25 MB) above the median of the first quarter.
 *
 * The demo runs with the V8 heap limits `npm start` gives it (SOAK_HEAP_MB, default 256, and a
 * young generation of at most 4 MB semi-spaces) and
 * `--trace-gc`: after every full collection its V8 heap (live after the collection, and what
 * V8 holds for it) is read from that output, so a rise in RSS can be told apart into the
 * V8 heap, the C heap and PGlite's WebAssembly memory.
 * SOAK_SNAPSHOT_MINUTES (e.g. "3,20") writes a V8 heap snapshot of the embedded demo at those
 * minutes into SOAK_SNAPSHOT_DIR (Node's own --heapsnapshot-signal; a snapshot leaves the C
 * heap larger, so RSS after one is not comparable).
 * Environment: SOAK_MINUTES (default 30), SOAK_WARMUP_MINUTES (default 5), SOAK_RATE (orders/s,
 * default the demo's 2), SOAK_ONLY=embedded|postgres, SOAK_WORKERS (default 2), SOAK_SAMPLE_MS
 * (default 10000), SOAK_SERIES_FILE (appends every sample as JSON), TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, dropTestDatabase } from '../test/support/stores.ts';
import { descendants, rssBreakdown, type RssSample } from './soak-proc.ts';
import { SEMI_SPACE_MB } from '../src/demo/workers.ts';

const minutes = Number(process.env.SOAK_MINUTES ?? 30);
const warmupMinutes = Number(process.env.SOAK_WARMUP_MINUTES ?? Math.min(5, minutes / 3));
const rate = process.env.SOAK_RATE ?? '2';
const sampleMs = Number(process.env.SOAK_SAMPLE_MS ?? 10_000);
const workers = Number(process.env.SOAK_WORKERS ?? 2);
const only = process.env.SOAK_ONLY;
const heapMb = process.env.SOAK_HEAP_MB ?? '256';
const snapshotMinutes = (process.env.SOAK_SNAPSHOT_MINUTES ?? '')
  .split(',')
  .filter(Boolean)
  .map(Number);
const snapshotDir = process.env.SOAK_SNAPSHOT_DIR;
if (snapshotMinutes.length > 0 && !snapshotDir)
  throw new Error('SOAK_SNAPSHOT_MINUTES needs SOAK_SNAPSHOT_DIR (where the snapshots go)');
const CLI = resolve(import.meta.dirname, '..', 'bin', 'crossdock.js');
const MB = 1024 * 1024;

interface Scenario {
  name: string;
  postgres: boolean;
  limitMb: number;
}
const scenarios: Scenario[] = [
  { name: 'embedded (PGlite, one process)', postgres: false, limitMb: 500 },
  { name: `PostgreSQL, ${workers} worker processes`, postgres: true, limitMb: 300 },
].filter((s) => !only || (only === 'postgres') === s.postgres);

interface Sample {
  atS: number;
  rss: number;
  heap: number;
  wasm: number;
  v8Live: number | null;
  v8Held: number | null;
  load: number;
}
interface Series {
  role: string;
  samples: Sample[];
}

async function soak(s: Scenario): Promise<Series[]> {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-soak-'));
  const database = s.postgres ? await createTestDatabase('crossdock_soak') : null;
  const snapshots = !s.postgres && snapshotMinutes.length > 0;
  const args = [
    `--max-old-space-size=${heapMb}`,
    `--max-semi-space-size=${SEMI_SPACE_MB}`,
    '--trace-gc',
    ...(snapshots ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshotDir}`] : []),
    CLI,
    'demo',
    '--rate',
    rate,
    '--port',
    '0',
    ...(s.postgres ? ['--worker-processes', String(workers)] : []),
  ];
  const demo = spawn(process.execPath, args, {
    cwd: dir,
    env: { ...process.env, ...(database ? { DATABASE_URL: database } : {}), LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started = Date.now();
  const v8 = traceV8Heap(demo);
  let lastLine = '';
  const lastLines: string[] = []; // shown if the demo ends early
  demo.stderr!.on('data', (chunk: Buffer) => {
    const lines = chunk.toString().trim().split('\n');
    lastLine = lines.at(-1) ?? lastLine;
    lastLines.push(...lines);
    lastLines.splice(0, lastLines.length - 40);
    // What the simulated Odoo forgot (once a minute) and orders not placed, shown as they come.
    for (const line of lines.filter((l) => /the simulated Odoo forgot|could not be placed/.test(l)))
      console.error(`[${s.name} ${Math.round((Date.now() - started) / 1000)} s] ${line}`);
  });
  const series = new Map<string, Series>();
  const snapshotsDue = snapshots ? [...snapshotMinutes] : [];
  const workerPids = new Set<number>();
  try {
    while (Date.now() - started < minutes * 60_000 && demo.exitCode === null) {
      await new Promise((r) => setTimeout(r, sampleMs)); // the sampling period itself
      const atS = Math.round((Date.now() - started) / 1000);
      record(series, 'demo', atS, rssBreakdown(demo.pid!), v8.last);
      descendants(demo.pid!)
        .filter((p) => p.command.includes(' worker'))
        .forEach((p, i) => {
          workerPids.add(p.pid);
          record(series, `worker ${i + 1}`, atS, rssBreakdown(p.pid), null);
        });
      if (snapshotsDue.length > 0 && atS >= snapshotsDue[0]! * 60) {
        snapshotsDue.shift();
        demo.kill('SIGUSR2');
        console.error(`[${s.name} ${atS} s] heap snapshot requested (into ${snapshotDir})`);
      }
      if (atS % 60 < sampleMs / 1000)
        console.error(
          `[${s.name} ${atS} s] ${[...series.values()].map((x) => describe(x.role, x.samples.at(-1)!)).join(', ')} | load ${loadavg()[0]!.toFixed(1)} | ${lastLine}`,
        );
    }
    if (demo.exitCode !== null)
      throw new Error(`the demo exited early (${demo.exitCode}):\n${lastLines.join('\n')}`);
    return [...series.values()];
  } finally {
    await stop(demo);
    // A demo killed after 15 s leaves its worker processes behind (seen on a loaded machine).
    for (const pid of workerPids) if (stillWorker(pid)) process.kill(pid, 'SIGTERM');
    // A worker process may still be writing as it ends: retry instead of losing the figures.
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 500 });
    if (database) await dropTestDatabase(database);
  }
}

function record(
  series: Map<string, Series>,
  role: string,
  atS: number,
  sample: RssSample | null,
  v8: V8Heap | null,
): void {
  if (!sample) return;
  const entry = series.get(role) ?? series.set(role, { role, samples: [] }).get(role)!;
  entry.samples.push({
    atS,
    ...sample,
    v8Live: v8?.live ?? null,
    v8Held: v8?.held ?? null,
    load: loadavg()[0]!,
  });
}

function describe(role: string, p: Sample): string {
  const v8 =
    p.v8Live === null
      ? ''
      : ` (V8 live ${mb(p.v8Live)} of ${mb(p.v8Held!)}, C heap ${mb(p.heap)}, PGlite ${mb(p.wasm)})`;
  return `${role} ${mb(p.rss)} MB${v8}`;
}

interface V8Heap {
  live: number;
  held: number;
}

/**
 * The main thread's V8 heap after its latest full collection, from `--trace-gc` lines such as
 * `[pid:0x5a3c...] 1234 ms: Mark-Compact 120.1 (150.2) -> 80.3 (148.0) MB, ...`: live after
 * the collection and what V8 holds for the heap. Other threads (the module loader, the
 * expression isolate) have isolates of their own that collect far less often: the main
 * isolate is the one with the most collections.
 */
function traceV8Heap(child: ChildProcess): { readonly last: V8Heap | null } {
  const byIsolate = new Map<string, { collections: number; last: V8Heap | null }>();
  let rest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const isolate = /^\[\d+:(0x[0-9a-f]+)\]/.exec(line)?.[1];
      if (!isolate) continue;
      const entry =
        byIsolate.get(isolate) ??
        byIsolate.set(isolate, { collections: 0, last: null }).get(isolate)!;
      entry.collections++;
      const full =
        / Mark-Compact(?: \(reduce\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \(([\d.]+)\) MB/.exec(line);
      if (full) entry.last = { live: Number(full[1]) * MB, held: Number(full[2]) * MB };
    }
  });
  return {
    get last() {
      return [...byIsolate.values()].sort((a, b) => b.collections - a.collections)[0]?.last ?? null;
    },
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Whether `pid` is still a `crossdock worker` (and not a process that took its number since). */
function stillWorker(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('\0worker');
  } catch {
    return false;
  }
}

const mb = (bytes: number) => Math.round(bytes / MB);
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

function verdict(s: Scenario, x: Series): string {
  const after = x.samples.filter((p) => p.atS >= warmupMinutes * 60);
  const quarter = Math.max(1, Math.floor(after.length / 4));
  const first = median(after.slice(0, quarter).map((p) => p.rss));
  const last = median(after.slice(-quarter).map((p) => p.rss));
  const peak = Math.max(...x.samples.map((p) => p.rss));
  const growth = last - first;
  const flat = after.length >= 4 && growth <= Math.min(0.05 * first, 25 * MB);
  const limited = x.role === 'demo' && s.postgres ? null : peak <= s.limitMb * MB;
  const at = (min: number) => x.samples.find((p) => p.atS >= min * 60);
  const points = [1, 5, 10, 20, 30]
    .filter((m) => m <= minutes)
    .map((m) => `${m} min ${at(m) ? mb(at(m)!.rss) : '-'}`)
    .join(', ');
  const last1 = x.samples.at(-1)!;
  return `| ${s.name} | ${x.role} | ${points} | ${mb(peak)} | ${mb(first)} -> ${mb(last)} (${growth >= 0 ? '+' : ''}${mb(growth)}) | ${mb(last1.heap)} / ${mb(last1.wasm)} | ${flat ? 'yes' : 'NO'} | ${limited === null ? '-' : limited ? `yes (${s.limitMb})` : `NO (${s.limitMb})`} |`;
}

/** Each component's course: first sample, first and last quarter after the warm-up (medians), peak. */
function components(s: Scenario, x: Series): string[] {
  const after = x.samples.filter((p) => p.atS >= warmupMinutes * 60);
  const quarter = Math.max(1, Math.floor(after.length / 4));
  const parts: [string, (p: Sample) => number | null][] = [
    ['RSS', (p) => p.rss],
    ['V8 heap, live after full GC', (p) => p.v8Live],
    ['V8 heap, held', (p) => p.v8Held],
    ['C heap (malloc)', (p) => p.heap],
    ['PGlite WebAssembly memory', (p) => p.wasm],
  ];
  return parts.flatMap(([name, of]) => {
    const values = (list: Sample[]) => list.map(of).filter((v): v is number => v !== null);
    const all = values(x.samples);
    if (all.length === 0) return [];
    const med = (list: Sample[]) => (values(list).length > 0 ? `${mb(median(values(list)))}` : '-');
    return [
      `| ${s.name} | ${x.role} | ${name} | ${mb(all[0]!)} | ${med(after.slice(0, quarter))} | ${med(after.slice(-quarter))} | ${mb(Math.max(...all))} |`,
    ];
  });
}

console.log(
  `soak: ${minutes} min (warm-up ${warmupMinutes} min), demo rate ${rate} orders/s, V8 old space ${heapMb} MB, RSS every ${sampleMs / 1000} s; load average before: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const rows: string[] = [];
const parts: string[] = [];
for (const s of scenarios) {
  const series = await soak(s);
  rows.push(...series.map((x) => verdict(s, x)));
  parts.push(...series.flatMap((x) => components(s, x)));
  if (process.env.SOAK_SERIES_FILE)
    appendFileSync(
      process.env.SOAK_SERIES_FILE,
      `${JSON.stringify({ scenario: s.name, series })}\n`,
    );
  const loads = series[0]?.samples.map((p) => p.load) ?? [];
  console.log(
    `${s.name}: load average after: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ' ',
      )}; 1-minute load during the run ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}, median ${median(loads).toFixed(1)}`,
  );
}
console.log(
  '| scenario | process | RSS MB at | peak MB | after warm-up, first -> last quarter median MB | last malloc heap / PGlite memory MB | flat | under limit |',
);
console.log('| --- | --- | --- | ---: | --- | --- | --- | --- |');
rows.forEach((row) => console.log(row));
console.log('');
console.log(
  '| scenario | process | part | first sample MB | after warm-up, first quarter median MB | last quarter median MB | peak MB |',
);
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: |');
parts.forEach((row) => console.log(row));

/**
 * `npm run bench:demo`: orders through the order-release and dispatch packs on the
 * simulators (the bounded demo), in the same run on the embedded store and on the PostgreSQL
 * server with worker processes, so the two can be compared. Prints one Markdown row each.
 *
 * - orders/s = orders / (first order confirmed -> last carrier booked), the demo's own clock;
 * - p50/p99 = order confirmed in Odoo -> carrier booked (dispatch's book step ended);
 *   orders placed at BENCH_DEMO_RATE (default 20/s), so latency includes queueing when the
 *   system is slower than the stream.
 * Environment: BENCH_DEMO_ORDERS (default 200), BENCH_DEMO_RATE, BENCH_DEMO_ONLY=pglite|postgres,
 * BENCH_DEMO_WORKER_HEAP_MB (e.g. "256,4096": the PostgreSQL scenario once per heap limit of
 * the worker processes, in that order; default: CROSSDOCK_WORKER_HEAP_MB's default),
 * TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOutput } from '../src/cli/output.ts';
import type { DemoReport } from '../src/demo/report.ts';
import { runDemo } from '../src/demo/run.ts';
import { silentLogger } from '../src/observability/index.ts';
import { createTestDatabase, dropTestDatabase } from '../test/support/stores.ts';

const orders = Number(process.env.BENCH_DEMO_ORDERS ?? 200);
const rate = Number(process.env.BENCH_DEMO_RATE ?? 20);
const only = process.env.BENCH_DEMO_ONLY;

const workerHeaps = (process.env.BENCH_DEMO_WORKER_HEAP_MB ?? '')
  .split(',')
  .filter(Boolean)
  .map((mb) => Number(mb));

interface Scenario {
  name: string;
  workerProcesses: number;
  postgres: boolean;
  workerHeapMb?: number;
}
const scenarios: Scenario[] = [
  { name: 'PGlite, one process (npm start)', workerProcesses: 0, postgres: false },
  ...(workerHeaps.length === 0
    ? [{ name: 'PostgreSQL, 2 worker processes', workerProcesses: 2, postgres: true }]
    : workerHeaps.map((mb) => ({
        name: `PostgreSQL, 2 worker processes, heap limit ${mb} MB`,
        workerProcesses: 2,
        postgres: true,
        workerHeapMb: mb,
      }))),
].filter((s) => !only || (only === 'postgres') === s.postgres);

async function scenario(s: Scenario): Promise<{ report: DemoReport; seconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-bench-demo-'));
  const database = s.postgres ? await createTestDatabase('crossdock_bench') : null;
  try {
    const started = Date.now();
    const report = await runDemo({
      orders,
      ratePerSecond: rate,
      seed: 42,
      port: 0,
      dir,
      summaryEveryMs: 3_600_000,
      logger: silentLogger(),
      out: createOutput(false),
      workerProcesses: s.workerProcesses,
      settleTimeoutMs: 1_800_000,
      ...(database
        ? {
            env: {
              DATABASE_URL: database,
              ...(s.workerHeapMb ? { CROSSDOCK_WORKER_HEAP_MB: String(s.workerHeapMb) } : {}),
            },
          }
        : {}),
    });
    if (!report) throw new Error('a bounded demo reports');
    return { report, seconds: (Date.now() - started) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (database) await dropTestDatabase(database);
  }
}

console.log(
  `${orders} orders at ${rate}/s; load average before: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(
  '| scenario | orders | booked | orders/s (confirmed -> booked) | p50 ms | p99 ms | wall s | all accounted for |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const s of scenarios) {
  const { report, seconds } = await scenario(s);
  const l = report.latencyMs.confirmedToBooked;
  const throughput = report.throughput.ordersPerSecond;
  console.log(
    `| ${s.name} | ${report.orders} | ${report.dispatch.booked} | ${throughput === null ? '-' : throughput.toFixed(2)} | ${l.p50 ?? '-'} | ${l.p99 ?? '-'} | ${seconds.toFixed(0)} | ${report.accountedFor ? 'yes' : `NO: ${report.problems.slice(0, 3).join('; ')}`} |`,
  );
}
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);

/**
 * `npm run bench:hints`: confirm-to-booked latency when Odoo's webhook hints alone carry the
 * orders. The bounded demo (order-release and dispatch packs on the simulators, embedded
 * store) with the Odoo poller off, so an order whose hint were dropped would never be
 * booked, and a simulated Odoo that, like the recorded Odoo 17, keeps each confirmation
 * uncommitted for a while after sending its webhook (BENCH_HINTS_LAG_MS, default 100 ms):
 * the first re-read of most hints finds the draft committed in the same second.
 *
 * - p50/p99 = order confirmed in Odoo -> carrier booked (dispatch's book step ended);
 * - orders placed at BENCH_HINTS_RATE (default 20/s), BENCH_HINTS_ORDERS (default 20: the burst the
 *   real-server figures in bench/RESULTS.md were measured with; 200 measures queueing too).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOutput } from '../src/cli/output.ts';
import { runDemo } from '../src/demo/run.ts';
import { silentLogger } from '../src/observability/index.ts';

const orders = Number(process.env.BENCH_HINTS_ORDERS ?? 20);
const rate = Number(process.env.BENCH_HINTS_RATE ?? 20);
const lagMs = Number(process.env.BENCH_HINTS_LAG_MS ?? 100);

const dir = mkdtempSync(join(tmpdir(), 'crossdock-bench-hints-'));
console.log(
  `${new Date().toISOString()}  ${orders} orders at ${rate}/s, poller off, Odoo commits ${lagMs} ms after its webhook; load average before: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
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
    settleTimeoutMs: 300_000,
    odooPollIntervalMs: 0,
    odooCommitLagMs: lagMs,
  });
  if (!report) throw new Error('a bounded demo reports');
  const l = report.latencyMs.confirmedToBooked;
  console.log('| orders | booked | p50 ms | p99 ms | wall s | all accounted for |');
  console.log('| ---: | ---: | ---: | ---: | ---: | --- |');
  console.log(
    `| ${report.orders} | ${report.dispatch.booked} | ${l.p50 ?? '-'} | ${l.p99 ?? '-'} | ${((Date.now() - started) / 1000).toFixed(0)} | ${report.accountedFor ? 'yes' : `NO: ${report.problems.slice(0, 3).join('; ')}`} |`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);

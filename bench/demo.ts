/**
 * `npm run bench:demo`: orders through the order-release and dispatch packs on the
 * simulators (the bounded demo), in the same run on the embedded store and on the PostgreSQL
 * server with worker processes, so the two can be compared. Prints one Markdown row each.
 *
 * - orders/s = orders / (first order confirmed -> last carrier booked), the demo's own clock;
 * - p50/p99 = order confirmed in Odoo -> carrier booked (dispatch's book step ended);
 *   orders placed at BENCH_DEMO_RATE (default 20/s), so latency includes queueing when the
 *   system is slower than the stream.
 * - CPU of the process that runs the demo (Crossdock's API, and with the embedded store its
 *   workers, beside the simulators and the demo's approvers), split by a sampling profiler:
 *   samples with a simulator's frame (sim/) on the stack, with the demo's own (src/demo/: the
 *   approvers, the order placer), and the rest (Crossdock, with Node's runtime and garbage
 *   collection). Stacks begin at the event loop, so HTTP parsing before a simulator's handler
 *   counts as the rest: the simulators' share is a lower bound. Worker processes (PostgreSQL
 *   scenario) run only Crossdock and are not in it.
 * Environment: BENCH_DEMO_ORDERS (default 200), BENCH_DEMO_RATE, BENCH_DEMO_ONLY=pglite|postgres,
 * BENCH_DEMO_WORKER_HEAP_MB (e.g. "256,4096": the PostgreSQL scenario once per heap limit of
 * the worker processes, in that order; default: CROSSDOCK_WORKER_HEAP_MB's default),
 * TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), BENCH_DEMO_PROFILE=<file>
 * (the profile behind the CPU split, written for a profiler's viewer).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
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
/** BENCH_DEMO_PROFILE=<file>: the last scenario's CPU profile is kept there (.cpuprofile, for a profiler's viewer). */
const profileOut = process.env.BENCH_DEMO_PROFILE;

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

interface CpuShares {
  seconds: number;
  simulators: number;
  demo: number;
  rest: number;
}

/** Runs `work` under V8's sampling profiler; this process's CPU split as the header says. */
async function profiled<T>(work: () => Promise<T>): Promise<{ result: T; cpu: CpuShares }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 2_000 });
  await session.post('Profiler.start');
  const before = process.cpuUsage();
  let result: T;
  let profile: Awaited<ReturnType<typeof stop>>['profile'];
  const stop = () => session.post('Profiler.stop');
  try {
    result = await work();
  } finally {
    profile = (await stop()).profile;
    session.disconnect();
  }
  if (profileOut) writeFileSync(profileOut, JSON.stringify(profile));
  const used = process.cpuUsage(before);
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const kindOf = new Map<number, 'simulators' | 'demo' | 'rest' | 'idle'>();
  const classify = (id: number): 'simulators' | 'demo' | 'rest' | 'idle' => {
    let kind = kindOf.get(id);
    if (kind) return kind;
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') kind = 'idle';
    else {
      kind = 'rest';
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const url = byId.get(at)!.callFrame.url;
        if (url.includes('/sim/')) {
          kind = 'simulators';
          break;
        }
        if (url.includes('/src/demo/')) kind = 'demo';
      }
    }
    kindOf.set(id, kind);
    return kind;
  };
  const time = { simulators: 0, demo: 0, rest: 0, idle: 0 };
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) time[classify(samples[i]!)] += deltas[i] ?? 0;
  const busy = time.simulators + time.demo + time.rest || 1;
  const seconds = (used.user + used.system) / 1e6;
  const share = (t: number) => (seconds * t) / busy;
  return {
    result,
    cpu: {
      seconds,
      simulators: share(time.simulators),
      demo: share(time.demo),
      rest: share(time.rest),
    },
  };
}

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
  '| scenario | orders | booked | orders/s (confirmed -> booked) | p50 ms | p99 ms | wall s | all accounted for | CPU s of this process: simulators / demo approvers and orders / Crossdock and the rest |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |');
for (const s of scenarios) {
  const {
    result: { report, seconds },
    cpu,
  } = await profiled(() => scenario(s));
  const cpuCell = `${cpu.simulators.toFixed(1)} / ${cpu.demo.toFixed(1)} / ${cpu.rest.toFixed(1)} (of ${cpu.seconds.toFixed(1)})`;
  const l = report.latencyMs.confirmedToBooked;
  const throughput = report.throughput.ordersPerSecond;
  console.log(
    `| ${s.name} | ${report.orders} | ${report.dispatch.booked} | ${throughput === null ? '-' : throughput.toFixed(2)} | ${l.p50 ?? '-'} | ${l.p99 ?? '-'} | ${seconds.toFixed(0)} | ${report.accountedFor ? 'yes' : `NO: ${report.problems.slice(0, 3).join('; ')}`} | ${cpuCell} |`,
  );
}
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);

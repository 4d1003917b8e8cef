import { dirname, join } from 'node:path';
import type { CrossdockConfig } from '../config/index.ts';
import { createLogger } from '../observability/index.ts';
import { limitHeapGrowth } from './heap.ts';
import { untilSignal } from './serve.ts';
import { usageError, type Output } from './output.ts';

export interface DemoFlags {
  orders?: string;
  rate?: string;
  seed?: string;
  port?: string;
  'worker-processes'?: string;
  'kill-every'?: string;
  'max-backlog'?: string;
}

const USAGE =
  'usage: crossdock demo [--orders N] [--rate orders/s] [--max-backlog runs] [--seed S] [--port P] [--worker-processes N [--kill-every seconds]] (worker processes need DATABASE_URL)';

function whole(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) < min || Number(value) > max)
    throw usageError(`--${name} must be a number from ${min} to ${max}, not "${value}"\n${USAGE}`);
  return Number(value);
}

/**
 * `crossdock demo`: the whole system on simulators (see src/demo). Without --orders it runs
 * until Ctrl-C; with --orders N it places N orders, waits for every one to settle, prints the
 * report and exits 0 only when every order is accounted for.
 */
export async function demoCommand(
  config: CrossdockConfig,
  flags: DemoFlags,
  out: Output,
): Promise<number> {
  limitHeapGrowth(config.workers.heapGrowthPercent);
  // The demo runs on the simulators: loaded only when it runs, so no other command loads sim/.
  const { runDemo } = await import('../demo/run.ts');
  const { formatReport } = await import('../demo/report.ts');
  const orders = flags.orders === undefined ? null : whole(flags.orders, 'orders', 1, 100_000, 0);
  // The live summary is the demo's output; the engine logs only errors unless LOG_LEVEL asks for more.
  const logger = createLogger({
    level: config.logLevel === 'info' ? 'error' : config.logLevel,
    pretty: config.logFormat !== 'json',
  });
  const until = orders === null ? untilSignal(logger) : undefined;
  const dir = join(dirname(config.security.stateDir), 'demo');
  // Starting takes a few seconds (a new embedded database, the simulators, the packs): say so first.
  out.info(
    `Starting the demo: the Odoo and carrier simulators, a new embedded store in ${dir}, every pack (order release, dispatch, replenishment, supplier delays, delivery-to-cash, vendor bills, returns) ...`,
  );
  const report = await runDemo({
    orders,
    ratePerSecond: whole(flags.rate, 'rate', 0.1, 1_000, orders === null ? 2 : 50),
    // Orders wait while this many runs wait to be worked (0: never), so that a demo left
    // running holds its pace on a small machine (src/demo/pacing.ts).
    maxBacklog:
      whole(flags['max-backlog'], 'max-backlog', 0, 1_000_000, orders === null ? 200 : 0) || null,
    seed: whole(flags.seed, 'seed', 0, 2 ** 31, 42),
    port: whole(flags.port, 'port', 0, 65_535, config.http.port),
    // Beside data/ and state/ (./.crossdock/demo): the demo's own store, state and people's files.
    dir,
    summaryEveryMs: 2_000,
    workerProcesses: whole(flags['worker-processes'], 'worker-processes', 0, 16, 0),
    killEveryMs: whole(flags['kill-every'], 'kill-every', 0, 3_600, 0) * 1_000,
    logger,
    out,
    ...(until ? { until } : {}),
    // On a PostgreSQL server (DATABASE_URL) the demo uses that database, which must be empty;
    // its worker processes get the heap limit asked for here.
    ...(config.store.kind === 'postgres'
      ? {
          env: {
            DATABASE_URL: config.store.url,
            CROSSDOCK_WORKER_HEAP_MB: String(config.workers.heapMb),
          },
        }
      : {}),
  });
  if (report === null) return 0;
  out.result(report, () => formatReport(report));
  return report.accountedFor ? 0 : 1;
}

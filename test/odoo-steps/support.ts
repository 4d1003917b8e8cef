/**
 * A simulator, a test store and an engine whose registry holds the Odoo steps, wired the
 * way createCrossdock would: one client pool, the steps built over it. The clients talk
 * to the simulator over JSON-RPC; `loseAnswers` drops the answer of matching calls after
 * the simulator has committed them (a connection lost on the way back).
 */
import { httpRequestStep } from '../../src/connectors/http/index.ts';
import { httpCall } from '../../src/connectors/http/client.ts';
import type { HttpExchange } from '../../src/connectors/odoo/index.ts';
import {
  createClientPool,
  odooStepTypes,
  type OdooClientPool,
} from '../../src/connectors/odoo/steps/index.ts';
import {
  engineStepTypes,
  StepRegistry,
  type Clock,
  type Engine,
  type RunDetail,
  type WorkerOptions,
} from '../../src/engine/index.ts';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

export interface Harness {
  sim: OdooSimulator;
  engine: Engine;
  pool: OdooClientPool;
  steps: StepRegistry;
  /** Accepts a new event (its own key, so equal payloads are two events) and waits for the run it starts. */
  run(type: string, payload: Record<string, unknown>, source?: string): Promise<RunDetail>;
  /** Replays a failed run from `fromStep` and waits for its end. */
  replay(runId: string, fromStep: string): Promise<RunDetail>;
  /** The answers to the next `count` calls of model.method are lost after Odoo committed them. */
  loseAnswers(model: string, method: string, count: number): void;
  close(): Promise<void>;
}

/** One JSON-RPC execute_kw's model and method, from the request body. */
function modelMethodOf(body: unknown): string | null {
  if (typeof body !== 'string') return null;
  const args = (JSON.parse(body) as { params?: { args?: unknown[] } }).params?.args;
  return Array.isArray(args) && typeof args[3] === 'string' && typeof args[4] === 'string'
    ? `${args[3]}.${args[4]}`
    : null;
}

export interface HarnessOptions {
  clock?: Clock;
  /** Workers started (default 1). */
  workers?: number;
  worker?: Partial<WorkerOptions>;
  /** The Odoo client's timeout per call (default 5 s). */
  odooTimeoutMs?: number;
}

export async function startHarness(
  workflows: string[],
  options: HarnessOptions = {},
): Promise<Harness> {
  const sim = await startOdooSimulator();
  const store: TestStore = await openTestStore();
  const losses = new Map<string, number>();
  // Loses the answer of a call Odoo has already carried out, as a connection reset would.
  const lossyHttp: HttpExchange = async (call) => {
    const answer = await httpCall(call);
    const target = modelMethodOf(call.body);
    const left = target === null ? 0 : (losses.get(target) ?? 0);
    if (target === null || left === 0) return answer;
    losses.set(target, left - 1);
    throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  };
  const pool = createClientPool(
    [
      {
        name: 'odoo',
        url: sim.url,
        database: sim.database,
        login: 'admin',
        apiKey: 'sim-admin-api-key',
        protocol: 'jsonrpc',
        timeoutMs: options.odooTimeoutMs ?? 5_000,
        retry: { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0 },
      },
    ],
    { http: lossyHttp, sleep: async () => undefined },
  );
  const steps = new StepRegistry([...engineStepTypes(), httpRequestStep, ...odooStepTypes(pool)]);
  const engine = await engineWith(store.store, workflows, {
    steps,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.worker
      ? { worker: { pollIntervalMs: 50, leaseMs: 5_000, ...options.worker } }
      : {}),
  });
  engine.startWorkers(options.workers ?? 1);
  let events = 0;
  return {
    sim,
    engine,
    pool,
    steps,
    async run(type, payload, source = 'test') {
      events += 1;
      const accepted = await engine.accept({ source, type, key: `event-${events}`, payload });
      const runId = accepted.runIds[0];
      if (runId === undefined) throw new Error(`no workflow started for ${type}`);
      return waitForRun(engine, runId);
    },
    async replay(runId, fromStep) {
      await engine.runs.replay(runId, { fromStep });
      return waitForRun(engine, runId);
    },
    loseAnswers: (model, method, count) => void losses.set(`${model}.${method}`, count),
    async close() {
      await engine.stopWorkers();
      await sim.close();
      await store.dispose();
    },
  };
}

/** The outputs of the completed executions of one step, in order. */
export function outputsOf(run: RunDetail, stepId: string): unknown[] {
  return run.steps
    .filter((s) => s.stepId === stepId && s.status === 'completed')
    .map((s) => s.output);
}

/** The attempts of one step as [attempt, status, error code]. */
export function attemptsOf(run: RunDetail, stepId: string): [number, string, string | null][] {
  return run.steps
    .filter((s) => s.stepId === stepId)
    .map((s) => [s.attempt, s.status, (s.error as { code?: string } | null)?.code ?? null]);
}

/** A sale order for partner 12 (Ready Mat, has a phone) with `lines` of [product id, quantity]. */
export async function newOrder(
  sim: OdooSimulator,
  lines: [number, number][],
  extra: Record<string, unknown> = {},
): Promise<number> {
  return (await sim.db.call('sale.order', 'create', [
    {
      partner_id: 12,
      order_line: lines.map(([product_id, product_uom_qty]) => [
        0,
        0,
        { product_id, product_uom_qty },
      ]),
      ...extra,
    },
  ])) as number;
}

/** Confirms an order and returns its delivery's id. */
export async function confirmedDelivery(
  sim: OdooSimulator,
  lines: [number, number][],
): Promise<{ order: number; picking: number }> {
  const order = await newOrder(sim, lines);
  await sim.db.call('sale.order', 'action_confirm', [[order]]);
  const picking = sim.db.searchRead('stock.picking', [['sale_id', '=', order]], ['id'])[0]?.id;
  if (typeof picking !== 'number') throw new Error(`order ${order} has no delivery`);
  return { order, picking };
}

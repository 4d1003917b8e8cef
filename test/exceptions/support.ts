/**
 * The exception-queue harness: the Odoo simulator, a test store (PGlite or the PostgreSQL
 * server), an engine with the Odoo steps, `raise_exception` and one plugin step whose
 * failure the test switches on and off, and the HTTP API over the same store.
 */
import { httpRequestStep } from '../../src/connectors/http/index.ts';
import { createClientPool, odooStepTypes } from '../../src/connectors/odoo/steps/index.ts';
import { engineStepTypes, ManualClock, StepRegistry, type Engine } from '../../src/engine/index.ts';
import { CrossdockError } from '../../src/errors/index.ts';
import {
  auditCaseEvents,
  ExceptionsService,
  raiseExceptionStep,
} from '../../src/exceptions/index.ts';
import { dynamic, type StepType } from '../../src/workflows/index.ts';
import { z } from 'zod';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';
import { startTestApi, type TestApi } from '../api/support.ts';
import { waitForRun } from '../support/engine.ts';

const NO_WAIT = '{ max_attempts: 3, initial_delay_ms: 0, max_delay_ms: 0, jitter: 0 }';

export const WORKFLOWS = [
  `
id: ship
trigger: { event: ship }
steps:
  - id: validate
    type: odoo.validate_picking
    with: { picking_id: "= input.picking", backorder: none }
    retry: ${NO_WAIT}
`,
  `
id: reserve
trigger: { event: reserve }
steps:
  - id: prepare
    type: transform
    with: { sku: "= input.sku", qty: "= input.qty" }
  - id: reserve
    type: test.reserve
    with: { sku: "= steps.prepare.output.sku", qty: "= steps.prepare.output.qty" }
    retry: ${NO_WAIT}
`,
  `
id: credit
trigger: { event: credit }
steps:
  - id: flag
    type: raise_exception
    with:
      severity: high
      title: "= 'Credit hold on ' & input.name"
      subject: { model: sale.order, id: "= input.order", name: "= input.name" }
      owner: { team: finance }
      sla_hours: 4
      code: CREDIT_HOLD
      details: { limit: "= input.limit" }
  - id: after
    type: transform
    with: { case: "= steps.flag.output.caseId" }
`,
  `
id: credit-hold
trigger: { event: credit-hold }
steps:
  - id: flag
    type: raise_exception
    with:
      type: check
      title: "= 'Order ' & input.name & ' held: credit limit'"
      code: CREDIT_HOLD
      actions: [release, cancel]
  - id: wait
    type: wait
    with: { signal: case.action }
  - id: act
    type: switch
    with:
      cases:
        - { when: "steps.wait.output.payload.action = 'release'", next: released }
      default: cancelled
  - id: released
    type: transform
    with: { by: "= steps.wait.output.payload.by", note: "= steps.wait.output.payload.note" }
    end: true
  - id: cancelled
    type: transform
    with: { by: "= steps.wait.output.payload.by" }
    end: true
`,
  `
id: ship-by-hand
trigger: { event: ship-by-hand }
steps:
  - id: book
    type: fail
    with: { code: CARRIER_ALL_FAILED, message: "every carrier refused the booking" }
  - id: booked-by-hand
    type: transform
    with: { tracking_ref: "= input.case_action.tracking_ref" }
`,
  `
id: credit-then-fail
trigger: { event: credit-then-fail }
steps:
  - id: flag
    type: raise_exception
    with: { title: "= 'Credit hold on ' & input.name", code: CREDIT_HOLD }
  - id: stop
    type: fail
    with: { code: STOP_HERE, message: stops the run }
`,
];

/** Why the `test.reserve` step fails, per sku: a refusal (not retried) or an outage (retried). */
export type Fault = 'short' | 'outage';

export interface Harness {
  api: TestApi;
  engine: Engine;
  sim: OdooSimulator;
  clock: ManualClock;
  exceptions: ExceptionsService;
  faults: Map<string, Fault>;
  calls: Map<string, number>;
  operator: string;
  viewer: string;
  /** Starts a run and waits for its end. */
  run(type: string, payload: Record<string, unknown>): Promise<{ runId: string; status: string }>;
  caseOf(runId: string): Promise<{ id: string; status: string; type: string }[]>;
  close(): Promise<void>;
}

/** A plugin step (a TypeScript step type, as users write them) that reserves stock somewhere the test controls. */
function reserveStep(
  faults: Map<string, Fault>,
  calls: Map<string, number>,
): StepType<{ sku: string; qty: number }> {
  return {
    type: 'test.reserve',
    description: 'reserves stock in the test warehouse',
    sideEffect: true,
    config: z.strictObject({ sku: dynamic(z.string()), qty: dynamic(z.number()) }) as never,
    async execute(_ctx, config) {
      const c = config as { sku: string; qty: number };
      calls.set(c.sku, (calls.get(c.sku) ?? 0) + 1);
      const fault = faults.get(c.sku);
      if (fault === 'short')
        throw CrossdockError.foreign('STOCK_SHORT', `Only 0 of ${c.qty} ${c.sku} on hand`, {
          category: 'user',
          retryable: false,
        });
      if (fault === 'outage')
        throw CrossdockError.foreign(
          'WAREHOUSE_UNAVAILABLE',
          'The warehouse system did not answer',
          { category: 'transient', retryable: true },
        );
      return { kind: 'done', output: { reserved: c.qty, sku: c.sku } };
    },
  };
}

export async function startHarness(): Promise<Harness> {
  const sim = await startOdooSimulator();
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const faults = new Map<string, Fault>();
  const calls = new Map<string, number>();
  const pool = createClientPool(
    [
      {
        name: 'odoo',
        url: sim.url,
        database: sim.database,
        login: 'admin',
        apiKey: 'sim-admin-api-key',
        protocol: 'jsonrpc',
        timeoutMs: 5_000,
        retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      },
    ],
    { sleep: async () => undefined },
  );
  // The step uses the API's own service, made with the API below: a late-bound reference.
  let exceptions: ExceptionsService | undefined;
  const raise = raiseExceptionStep({
    openCase: (...args: Parameters<ExceptionsService['openCase']>) => exceptions!.openCase(...args),
  } as unknown as ExceptionsService);
  const steps = new StepRegistry([
    ...engineStepTypes(),
    httpRequestStep,
    ...odooStepTypes(pool),
    raise,
    reserveStep(faults, calls),
  ]);
  const api = await startTestApi({
    workflows: WORKFLOWS,
    engine: { steps, clock, caseEvents: auditCaseEvents(() => clock.now()) },
  });
  const engine = api.engine;
  exceptions = api.services.exceptions;
  engine.startWorkers(1);
  const operator = await api.tokenFor('operator');
  const viewer = await api.tokenFor('viewer');
  let events = 0;
  return {
    api,
    engine,
    sim,
    clock,
    exceptions,
    faults,
    calls,
    operator,
    viewer,
    async run(type, payload) {
      const { runIds } = await engine.accept({
        source: 'test',
        type,
        key: `e-${++events}`,
        payload,
      });
      const runId = runIds[0]!;
      const run = await waitForRun(engine, runId);
      return { runId, status: run.status };
    },
    async caseOf(runId) {
      const { sql } = await import('kysely');
      return (
        await sql<{
          id: string;
          status: string;
          type: string;
        }>`SELECT id::text AS id, status, type FROM exception_cases WHERE run_id = ${runId} ORDER BY exception_cases.id`.execute(
          api.t.store.db,
        )
      ).rows;
    },
    async close() {
      await api.close();
      await sim.close();
    },
  };
}

/** A confirmed delivery of one unit, reserved or not. */
export async function delivery(sim: OdooSimulator, reserved: boolean): Promise<number> {
  const order = (await sim.db.call('sale.order', 'create', [
    { partner_id: 12, order_line: [[0, 0, { product_id: 32, product_uom_qty: 1 }]] },
  ])) as number;
  await sim.db.call('sale.order', 'action_confirm', [[order]]);
  const picking = sim.db.searchRead('stock.picking', [['sale_id', '=', order]], ['id'])[0]!
    .id as number;
  if (!reserved) await sim.db.call('stock.picking', 'do_unreserve', [[picking]]);
  return picking;
}

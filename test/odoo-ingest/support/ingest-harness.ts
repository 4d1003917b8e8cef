import { sql } from 'kysely';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { sendError } from '../../../src/api/index.ts';
import { httpRequestStep } from '../../../src/connectors/http/index.ts';
import { createOdooClient, type OdooClient } from '../../../src/connectors/odoo/index.ts';
import {
  createOdooIngestion,
  OdooSourceSchema,
  setupRules,
  type OdooIngestion,
  type OdooSource,
} from '../../../src/connectors/odoo/ingest/index.ts';
import { engineStepTypes, StepRegistry, type Engine } from '../../../src/engine/index.ts';
import { silentLogger } from '../../../src/observability/index.ts';
import {
  startOdooSimulator,
  type OdooSimulator,
  type OdooSimulatorOptions,
} from '../../../sim/odoo/index.ts';
import { engineWith, waitForRun } from '../../support/engine.ts';
import { openTestStore, type TestStore } from '../../support/stores.ts';

/** The workflow that stands for what a pack does with a confirmed order: it records how it heard of it. */
const ON_CONFIRMED = `
id: on-confirmed
trigger: { event: sale.order.confirmed, source: odoo }
steps:
  - id: note
    type: transform
    with: { id: "= input.id", state: "= input.record.state", via: "= input.via" }
`;

export interface IngestHarness {
  sim: OdooSimulator;
  t: TestStore;
  engine: Engine;
  /** JSON-RPC client of the integration user (admin), as an RPC caller creating orders would use. */
  client: OdooClient;
  ingestion: OdooIngestion;
  /** Creates an order over RPC and confirms it in a second call; Odoo sends the webhook during the confirmation. */
  createAndConfirm(): Promise<number>;
  /** sale.order.confirmed events for the order, oldest first. */
  confirmedEvents(orderId: number): Promise<
    {
      id: string;
      payload: { via: string; record: { state: string; name: string }; write_date: string };
    }[]
  >;
  /** Runs of on-confirmed for the order. */
  consumerRuns(orderId: number): Promise<{ id: string; status: string }[]>;
  /** Waits until every run of the ingest workflow has ended. */
  settleIngest(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Crossdock's Odoo ingestion (webhook route, re-read workflow, poller) in-process over a test
 * store of the configured kind, against a simulator whose rule posts confirmations to it.
 */
export async function ingestHarness(options: {
  sim?: OdooSimulatorOptions;
  settleMs: number;
  workers?: number;
  /** What Odoo holds before Crossdock is set up (no rule sends anything yet). */
  prepare?: (sim: OdooSimulator) => Promise<void>;
}): Promise<IngestHarness> {
  const sim = await startOdooSimulator(options.sim);
  await options.prepare?.(sim);
  const t = await openTestStore();
  const client = createOdooClient({
    name: 'main',
    url: sim.url,
    database: sim.database,
    login: 'admin',
    apiKey: 'sim-admin-api-key',
    protocol: 'jsonrpc',
    maxConcurrency: 8,
  });
  const source: OdooSource = OdooSourceSchema.parse({
    name: 'odoo',
    connection: 'main',
    token: 'tok-0123456789abcdef0123456789',
    watch: [
      {
        model: 'sale.order',
        event: 'sale.order.confirmed',
        domain: [['state', '=', 'sale']],
        fields: ['name', 'state'],
        rule: { state: 'sale' },
        settle_ms: options.settleMs,
        poll_interval_ms: 0,
      },
    ],
  });
  let engine: Engine | undefined;
  const ingestion = createOdooIngestion([source], {
    store: t.store,
    clients: () => client,
    accept: (e) => engine!.accept(e),
    now: () => new Date(),
    logger: silentLogger(),
  });
  engine = await engineWith(t.store, [ON_CONFIRMED], {
    steps: new StepRegistry([...engineStepTypes(), httpRequestStep, ...ingestion.steps]),
  });
  await engine.installWorkflows([
    ...engine.catalog
      .current()
      .map((w) => ({ definition: w.definition, hash: w.hash, file: w.file })),
    ...ingestion.workflows,
  ]);
  engine.startWorkers(options.workers ?? 2);
  const app: FastifyInstance = Fastify();
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
  await app.register(ingestion.routes);
  await app.listen({ host: '127.0.0.1', port: 0 });
  await setupRules(
    client,
    source,
    `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
  );
  const db = t.store.db;
  const started = engine;
  return {
    sim,
    t,
    engine: started,
    client,
    ingestion,
    async createAndConfirm() {
      const id = await client.call<number>('sale.order', 'create', [
        { partner_id: 10, order_line: [[0, 0, { product_id: 32, product_uom_qty: 1 }]] },
      ]);
      await client.call('sale.order', 'action_confirm', [[id]]);
      return id;
    },
    async confirmedEvents(orderId) {
      const rows = await sql<{
        id: string;
        payload: never;
      }>`SELECT id, payload FROM events WHERE type = 'sale.order.confirmed' AND (payload->>'id')::int = ${orderId} ORDER BY id`.execute(
        db,
      );
      return rows.rows.map((r) => ({ id: String(r.id), payload: r.payload }));
    },
    async consumerRuns(orderId) {
      const rows = await sql<{
        id: string;
        status: string;
      }>`SELECT id, status FROM runs WHERE workflow_id = 'on-confirmed' AND (input->>'id')::int = ${orderId} ORDER BY id`.execute(
        db,
      );
      return rows.rows.map((r) => ({ id: String(r.id), status: r.status }));
    },
    async settleIngest() {
      const runs = await db
        .selectFrom('runs')
        .select('id')
        .where('workflow_id', '=', 'odoo-ingest-odoo')
        .execute();
      for (const run of runs)
        await waitForRun(started, String(run.id), ['completed', 'failed'], 30_000);
    },
    async close() {
      await started.stopWorkers();
      await app.close();
      await sim.close();
      await t.dispose();
    },
  };
}

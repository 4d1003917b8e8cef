import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { sendError } from '../../src/api/index.ts';
import { createOdooClient, type OdooClient } from '../../src/connectors/odoo/index.ts';
import {
  createOdooIngestion,
  OdooSourceSchema,
  setupRules,
  type OdooIngestion,
} from '../../src/connectors/odoo/ingest/index.ts';
import { engineStepTypes, StepRegistry, type Engine } from '../../src/engine/index.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

/**
 * Odoo 19 sends automation webhooks after the commit, and none on rollback. A hint from it
 * (over JSON-2) is re-read for the current values at once, with no settle wait: a record it
 * names that is missing was deleted since, and the hint is dropped on the first re-read
 * instead of being retried for settle_ms as an Odoo 17 hint would be.
 */
describe('Odoo 19 hints: committed when sent, re-read without waiting', () => {
  let sim: OdooSimulator;
  let t: TestStore;
  let engine: Engine;
  let client: OdooClient;
  let ingestion: OdooIngestion;
  let app: FastifyInstance;
  let base: string;
  const SETTLE_MS = 60_000;
  const source = OdooSourceSchema.parse({
    name: 'odoo',
    connection: 'main',
    token: 'tok-0123456789abcdef0123456789',
    watch: [
      {
        model: 'sale.order',
        event: 'sale.order.confirmed',
        domain: [['state', '=', 'sale']],
        fields: ['name', 'state', 'partner_id', 'client_order_ref'],
        rule: { state: 'sale' },
        settle_ms: SETTLE_MS,
        poll_interval_ms: 0,
      },
    ],
  });

  const newDraftOrder = async () =>
    (await sim.db.call('sale.order', 'create', [
      { partner_id: 10, order_line: [[0, 0, { product_id: 32, product_uom_qty: 1 }]] },
    ])) as number;
  const ingestRunFor = async (orderId: number) => {
    const hints = await t.store.db
      .selectFrom('events')
      .selectAll()
      .where('type', '=', 'odoo.hint')
      .execute();
    const hint = hints.find((e) => (e.payload as { id: number }).id === orderId);
    assert.ok(hint, `a hint for order ${orderId} was accepted`);
    const runs = await t.store.db
      .selectFrom('runs')
      .select(['id', 'event_id'])
      .where('workflow_id', '=', 'odoo-ingest-odoo')
      .execute();
    const run = runs.find((r) => String(r.event_id) === String(hint.id));
    assert.ok(run, 'the hint started the ingest workflow');
    return waitForRun(engine, String(run.id), ['completed', 'failed'], 20_000);
  };

  before(async () => {
    sim = await startOdooSimulator({ version: 19 });
    t = await openTestStore();
    client = createOdooClient({
      name: 'main',
      url: sim.url,
      database: sim.database,
      login: 'admin',
      apiKey: 'sim-admin-api-key',
      protocol: 'json2',
    });
    ingestion = createOdooIngestion([source], {
      store: t.store,
      clients: () => client,
      accept: (e) => engine.accept(e),
      now: () => new Date(),
      logger: silentLogger(),
    });
    engine = await engineWith(t.store, [], {
      steps: new StepRegistry([...engineStepTypes(), ...ingestion.steps]),
    });
    await engine.installWorkflows(ingestion.workflows);
    engine.startWorkers(1);
    app = Fastify();
    app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
    await app.register(ingestion.routes);
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    assert.deepEqual(
      (await setupRules(client, source, base)).map((r) => r.state),
      ['created'],
      'setup-rules works over JSON-2',
    );
  });
  after(async () => {
    await engine.stopWorkers();
    await app.close();
    await sim.close();
    await t.dispose();
  });

  test('a confirmation becomes one event on the first re-read, with the values read back from Odoo', async () => {
    const orderId = await newDraftOrder();
    await sim.db.call('sale.order', 'write', [[orderId], { client_order_ref: 'REF-19' }]);
    await sim.db.call('sale.order', 'action_confirm', [[orderId]]);
    const run = await ingestRunFor(orderId);
    assert.equal(run.status, 'completed');
    const rereads = run.steps.filter((s) => s.stepId === 'reread_0');
    assert.deepEqual(
      rereads.map((s) => s.status),
      ['completed'],
      'read once: the hint came after the commit',
    );
    const [event] = (
      await t.store.db
        .selectFrom('events')
        .selectAll()
        .where('type', '=', 'sale.order.confirmed')
        .execute()
    ).filter((e) => (e.payload as { id: number }).id === orderId);
    const record = (event?.payload as { record: Record<string, unknown> }).record;
    assert.equal(record.state, 'sale');
    assert.equal(record.client_order_ref, 'REF-19');
    assert.deepEqual(
      record.partner_id,
      [10, 'Deco Addict'],
      'a many2one as RPC reads it, not as the webhook sends it',
    );
  });

  test('a rolled-back confirmation sends no hint at all', async () => {
    const orderId = await newDraftOrder();
    const sentBefore = sim.webhooks.length;
    sim.faults.rollbackAfterWebhooks(1);
    await assert.rejects(sim.db.call('sale.order', 'action_confirm', [[orderId]]));
    assert.equal(
      sim.webhooks.length,
      sentBefore,
      'Odoo 19 dropped the webhook with the transaction',
    );
    const hints = await t.store.db
      .selectFrom('events')
      .selectAll()
      .where('type', '=', 'odoo.hint')
      .execute();
    assert.equal(hints.filter((e) => (e.payload as { id: number }).id === orderId).length, 0);
  });

  test('a hint whose record is gone by the re-read is dropped at once, not retried for settle_ms', async () => {
    const orderId = await newDraftOrder();
    await sim.db.call('sale.order', 'action_confirm', [[orderId]]);
    const hint = sim.webhooks.find((w) => w.recordId === orderId);
    assert.ok(hint, 'Odoo sent the webhook');
    await ingestRunFor(orderId);
    // The same notification for an order deleted since (cancelled, then unlinked).
    const startedAt = Date.now();
    const gone = { ...hint.body, _id: 999_999, id: 999_999 };
    const answer = await fetch(`${base}${ingestion.webhookPath('odoo', 'sale.order.confirmed')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(gone),
    });
    assert.equal(answer.status, 200);
    const run = await ingestRunFor(999_999);
    assert.ok(Date.now() - startedAt < SETTLE_MS, 'no settle wait');
    assert.equal(run.status, 'completed');
    assert.equal(run.steps.at(-1)!.stepId, 'dropped');
    const rereads = run.steps.filter((s) => s.stepId === 'reread_0');
    assert.deepEqual(
      rereads.map((s) => s.status),
      ['completed'],
      'one re-read, no retry',
    );
    assert.match(String((rereads[0]!.output as { reason: string }).reason), /does not exist/);
  });
});

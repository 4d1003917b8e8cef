import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { sendError } from '../../src/api/index.ts';
import { httpRequestStep } from '../../src/connectors/http/index.ts';
import { createOdooClient, type OdooClient } from '../../src/connectors/odoo/index.ts';
import {
  createOdooIngestion,
  setupRules,
  checkRules,
  OdooSourceSchema,
  type OdooIngestion,
} from '../../src/connectors/odoo/ingest/index.ts';
import { engineStepTypes, StepRegistry, type Engine } from '../../src/engine/index.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

const CONFIRMED = `
id: on-confirmed
trigger: { event: sale.order.confirmed, source: odoo }
steps:
  - id: note
    type: transform
    with: { order: "= input.record.name", state: "= input.record.state", via: "= input.via" }
`;

describe('Odoo event ingestion: webhook hints, re-read, poller', () => {
  let sim: OdooSimulator;
  let t: TestStore;
  let engine: Engine;
  let client: OdooClient;
  let ingestion: OdooIngestion;
  let app: FastifyInstance;
  let base: string;
  const source = OdooSourceSchema.parse({
    name: 'odoo',
    connection: 'main',
    token: 'tok-0123456789abcdef0123456789',
    watch: [
      {
        model: 'sale.order',
        event: 'sale.order.confirmed',
        domain: [['state', '=', 'sale']],
        fields: ['name', 'state', 'partner_id', 'amount_total'],
        rule: { state: 'sale' },
        settle_ms: 400,
        poll_interval_ms: 0,
      },
    ],
  });

  const newDraftOrder = async () =>
    (await sim.db.call('sale.order', 'create', [
      {
        partner_id: 10,
        order_line: [
          [
            0,
            0,
            {
              product_id: (sim.db.searchRead('product.product', [], ['id'])[0] as { id: number })
                .id,
              product_uom_qty: 1,
            },
          ],
        ],
      },
    ])) as number;
  const eventsOfType = async (type: string) =>
    t.store.db.selectFrom('events').selectAll().where('type', '=', type).execute();
  const runsOf = async (workflowId: string) =>
    t.store.db
      .selectFrom('runs')
      .selectAll()
      .where('workflow_id', '=', workflowId)
      .orderBy('id')
      .execute();
  const settle = async (workflowId: string) => {
    for (const run of await runsOf(workflowId))
      await waitForRun(engine, String(run.id), ['completed', 'failed'], 20_000);
  };

  before(async () => {
    sim = await startOdooSimulator();
    t = await openTestStore();
    client = createOdooClient({
      name: 'main',
      url: sim.url,
      database: sim.database,
      login: 'admin',
      apiKey: 'sim-admin-api-key',
      protocol: 'jsonrpc',
    });
    ingestion = createOdooIngestion([source], {
      store: t.store,
      clients: () => client,
      accept: (e) => engine.accept(e),
      now: () => new Date(),
      logger: silentLogger(),
    });
    const steps = new StepRegistry([...engineStepTypes(), httpRequestStep, ...ingestion.steps]);
    engine = await engineWith(t.store, [CONFIRMED], { steps });
    await engine.installWorkflows([
      ...engine.catalog
        .current()
        .map((w) => ({ definition: w.definition, hash: w.hash, file: w.file })),
      ...ingestion.workflows,
    ]);
    engine.startWorkers(1);
    app = Fastify();
    app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
    await app.register(ingestion.routes);
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const rules = await setupRules(client, source, base);
    assert.deepEqual(
      rules.map((r) => r.state),
      ['created'],
    );
    await ingestion.pollAll(); // the poller starts at the newest confirmed order
  });
  after(async () => {
    await engine.stopWorkers();
    await app.close();
    await sim.close();
    await t.dispose();
  });

  test('setup-rules is idempotent and check-rules reports the rule as ok', async () => {
    assert.deepEqual(
      (await setupRules(client, source, base)).map((r) => r.state),
      ['updated'],
    );
    const checked = await checkRules(client, source, base);
    assert.deepEqual(
      checked.map((r) => [r.state, r.url.includes('***')]),
      [['ok', true]],
    );
    assert.equal(
      sim.db.searchRead(
        'base.automation',
        [['name', '=', 'Crossdock odoo: sale.order.confirmed']],
        ['id'],
      ).length,
      1,
    );
  });

  test('a confirmation becomes one event and one run, though the hint arrives 3 times and the poller sees it too', async () => {
    const orderId = await newDraftOrder();
    const sentBefore = sim.webhooks.length;
    await sim.db.call('sale.order', 'action_confirm', [[orderId]]);
    const hint = sim.webhooks
      .slice(sentBefore)
      .find((w) => (w.body as { _id?: number })._id === orderId);
    assert.ok(hint, 'Odoo sent the webhook');
    for (let i = 0; i < 2; i++) {
      const again = await fetch(`${base}${ingestion.webhookPath('odoo', 'sale.order.confirmed')}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(hint.body),
      });
      assert.equal(again.status, 200);
      assert.equal(((await again.json()) as { duplicate: boolean }).duplicate, true);
    }
    await settle('odoo-ingest-odoo');
    const polled = await ingestion.pollAll();
    assert.equal(polled[0]!.result.emitted, 0);
    assert.equal(polled[0]!.result.duplicates, 1);
    const events = (await eventsOfType('sale.order.confirmed')).filter(
      (e) => (e.payload as { id: number }).id === orderId,
    );
    assert.equal(events.length, 1);
    const runs = (await runsOf('on-confirmed')).filter(
      (r) => String(r.event_id) === String(events[0]!.id),
    );
    assert.equal(runs.length, 1);
    const run = await waitForRun(engine, String(runs[0]!.id));
    assert.equal((run.output as { state: string }).state, 'sale');
    assert.equal((run.output as { via: string }).via, 'webhook');
  });

  test('a hint for a change that is rolled back starts no run', async () => {
    const orderId = await newDraftOrder();
    sim.faults.rollbackAfterWebhooks(1);
    await assert.rejects(sim.db.call('sale.order', 'action_confirm', [[orderId]]));
    await settle('odoo-ingest-odoo');
    const hints = (await eventsOfType('odoo.hint')).filter(
      (e) => (e.payload as { id: number }).id === orderId,
    );
    assert.equal(hints.length, 1, 'the hint itself was accepted');
    const ingest = (await runsOf('odoo-ingest-odoo')).find(
      (r) => String(r.event_id) === String(hints[0]!.id),
    )!;
    const detail = await engine.runs.show(String(ingest.id));
    assert.equal(detail.status, 'completed');
    assert.deepEqual(detail.steps.at(-1)!.stepId, 'dropped');
    const reread = detail.steps.filter((s) => s.stepId === 'reread_0');
    assert.match(String((reread.at(-1)!.output as { reason: string }).reason), /rolled back/); // missing, older than the hint, or no longer matching
    assert.equal(
      (await eventsOfType('sale.order.confirmed')).filter(
        (e) => (e.payload as { id: number }).id === orderId,
      ).length,
      0,
    );
  });

  test('Odoo unavailable for a while: the re-read retries with backoff and completes once it is back', async () => {
    const orderId = await newDraftOrder();
    await sim.faults.setDown(503);
    const sentBefore = sim.webhooks.length;
    await sim.db.call('sale.order', 'action_confirm', [[orderId]]); // the hint still goes out
    assert.ok(
      sim.webhooks.slice(sentBefore).some((w) => (w.body as { _id?: number })._id === orderId),
    );
    const hint = (await eventsOfType('odoo.hint')).find(
      (e) => (e.payload as { id: number }).id === orderId,
    )!;
    const ingest = (await runsOf('odoo-ingest-odoo')).find(
      (r) => String(r.event_id) === String(hint.id),
    )!;
    const failedOnce = await new Promise<void>((resolve) => {
      const off = engine.events.on('step:failed', (e) => {
        if (e.runId === String(ingest.id) && e.willRetry) {
          off();
          resolve();
        }
      });
    });
    void failedOnce;
    await sim.faults.setDown(false);
    const run = await waitForRun(engine, String(ingest.id), ['completed', 'failed'], 30_000);
    assert.equal(run.status, 'completed');
    const attempts = run.steps.filter((s) => s.stepId === 'reread_0');
    assert.ok(attempts.length >= 2 && attempts.slice(0, -1).every((s) => s.status === 'failed'));
    assert.equal(
      (await eventsOfType('sale.order.confirmed')).filter(
        (e) => (e.payload as { id: number }).id === orderId,
      ).length,
      1,
    );
  });

  test('a webhook with a wrong token or a malformed body is refused and stores nothing', async () => {
    const before = (await eventsOfType('odoo.hint')).length;
    const wrong = await fetch(`${base}/hooks/odoo/odoo/sale.order.confirmed/not-the-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"_model":"sale.order","_id":1}',
    });
    assert.equal(wrong.status, 401);
    const bad = await fetch(`${base}${ingestion.webhookPath('odoo', 'sale.order.confirmed')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"_model":"sale.order"}',
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(
      ((await bad.json()) as { error: { details: { path: string }[] } }).error.details.map(
        (d) => d.path,
      ),
      ['_id'],
    );
    assert.equal((await eventsOfType('odoo.hint')).length, before);
  });
});

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import Fastify from 'fastify';
import { sendError } from '../../src/api/errors.ts';
import { loadConfig } from '../../src/config/index.ts';
import { setupRules } from '../../src/connectors/odoo/ingest/index.ts';
import { createCrossdock, type Crossdock } from '../../src/main.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';
import { waitForRun } from '../support/engine.ts';
import { TEST_DATABASE_URL, TEST_STORE_KIND } from '../support/stores.ts';

const FOLLOW_UP = `
id: confirmed-order-follow-up
trigger: { event: sale.order.confirmed, source: odoo }
steps:
  - id: note
    type: odoo.message_post
    with:
      connection: main
      model: sale.order
      id: "= input.id"
      body: "= 'Crossdock: order ' & input.record.name & ' confirmed; release checks started.'"
  - id: todo
    type: odoo.activity_schedule
    with:
      connection: main
      model: sale.order
      id: "= input.id"
      summary: "= 'Check the delivery date of ' & input.record.name"
      user_id: 2
`;

/**
 * The whole path, as deployed: Odoo confirms an order -> its automation rule posts a hint to
 * Crossdock -> the hint is re-read -> a sale.order.confirmed event -> a workflow that posts a
 * chatter note and schedules an activity in Odoo. Each takes effect once, though the webhook
 * is delivered three times and the poller sees the change too.
 */
describe('end to end: Odoo confirmation -> chatter note and activity, exactly once', () => {
  let sim: OdooSimulator;
  let crossdock: Crossdock;
  let api: FastifyInstance;
  let dir: string;
  let base: string;
  let database: string | null = null;
  const TOKEN = 'e2e-token-0123456789abcdefghij';

  before(async () => {
    sim = await startOdooSimulator();
    dir = mkdtempSync(join(tmpdir(), 'crossdock-e2e-'));
    mkdirSync(join(dir, 'workflows'));
    writeFileSync(join(dir, 'workflows', 'follow-up.yaml'), FOLLOW_UP);
    writeFileSync(
      join(dir, 'odoo.yaml'),
      `
public_url: http://127.0.0.1:1
connections:
  - { name: main, url: "${sim.url}", database: ${sim.database}, login: admin, api_key_env: E2E_ODOO_KEY, protocol: jsonrpc }
sources:
  - name: odoo
    connection: main
    token_env: E2E_HOOK_TOKEN
    watch:
      - { model: sale.order, event: sale.order.confirmed, rule: { state: sale }, domain: [[state, "=", sale]], fields: [name, state, partner_id, amount_total], poll_interval_ms: 0 }
`,
    );
    process.env.E2E_ODOO_KEY = 'sim-admin-api-key';
    process.env.E2E_HOOK_TOKEN = TOKEN;
    const config = loadConfig({
      CROSSDOCK_WORKFLOWS_DIR: join(dir, 'workflows'),
      CROSSDOCK_ODOO_CONFIG: join(dir, 'odoo.yaml'),
      CROSSDOCK_POLL_INTERVAL_MS: '50',
      ...(TEST_STORE_KIND === 'postgres'
        ? { DATABASE_URL: (database = await freshDatabase()) }
        : { CROSSDOCK_DATA_DIR: join(dir, 'data') }),
    });
    crossdock = await createCrossdock(config, { logger: silentLogger() });
    await crossdock.engine.loadWorkflows(join(dir, 'workflows'));
    // The Odoo webhook routes as the API mounts them, with the API's error mapper.
    api = Fastify();
    api.setErrorHandler((error, request, reply) => sendError(request, reply, error));
    await api.register(crossdock.odoo!.routes);
    await api.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    crossdock.engine.startWorkers(1);
    const client = crossdock.odoo!.clients('main');
    await setupRules(client, crossdock.odoo!.ingestion.sources[0]!, base);
    await crossdock.odoo!.ingestion.pollAll(); // the poller starts at the newest confirmed order
  });
  after(async () => {
    await api.close();
    await crossdock.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
    if (database) await dropDatabase(database);
  });

  test('one note, one activity', { timeout: 60_000 }, async () => {
    const productId = (sim.db.searchRead('product.product', [], ['id'])[0] as { id: number }).id;
    const orderId = (await sim.db.call('sale.order', 'create', [
      { partner_id: 10, order_line: [[0, 0, { product_id: productId, product_uom_qty: 2 }]] },
    ])) as number;
    const started = new Promise<string>((resolve) => {
      const off = crossdock.engine.events.on('run:started', (e) => {
        if (e.workflowId === 'confirmed-order-follow-up') {
          off();
          resolve(e.runId);
        }
      });
    });
    const sent = sim.webhooks.length;
    await sim.db.call('sale.order', 'action_confirm', [[orderId]]);
    const hint = sim.webhooks.slice(sent).find((w) => (w.body as { _id?: number })._id === orderId);
    assert.ok(hint, 'Odoo sent the webhook');
    for (let i = 0; i < 2; i++) {
      const answer = await fetch(
        `${base}${crossdock.odoo!.ingestion.webhookPath('odoo', 'sale.order.confirmed')}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(hint.body),
        },
      );
      assert.equal(answer.status, 200);
    }
    const runId = await started;
    const run = await waitForRun(crossdock.engine, runId);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    const polled = await crossdock.odoo!.ingestion.pollAll();
    assert.deepEqual([polled[0]!.result.emitted, polled[0]!.result.duplicates], [0, 1]);

    const runs = await crossdock.engine.runs.list({ workflowId: 'confirmed-order-follow-up' });
    assert.equal(runs.length, 1, 'one run for the confirmation');
    const notes = sim.db.searchRead(
      'mail.message',
      [
        ['model', '=', 'sale.order'],
        ['res_id', '=', orderId],
        ['body', 'ilike', 'release checks started'],
      ],
      ['id'],
    );
    assert.equal(notes.length, 1, 'one chatter note');
    const activities = sim.db.searchRead(
      'mail.activity',
      [
        ['res_model', '=', 'sale.order'],
        ['res_id', '=', orderId],
      ],
      ['id', 'summary'],
    );
    assert.equal(activities.length, 1, 'one activity');
  });
});

async function freshDatabase(): Promise<string> {
  const { default: pg } = await import('pg');
  const name = `crossdock_e2e_${Date.now()}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(url: string): Promise<void> {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${new URL(url).pathname.slice(1)} WITH (FORCE)`);
  await admin.end();
}

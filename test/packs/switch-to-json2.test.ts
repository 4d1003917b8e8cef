import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createOutput } from '../../src/cli/output.ts';
import { loadConfig } from '../../src/config/index.ts';
import { setupRules } from '../../src/connectors/odoo/ingest/index.ts';
import { startDemoSystem, type DemoSystem } from '../../src/demo/system.ts';
import type { RunDetail } from '../../src/engine/index.ts';
import {
  createCrossdock,
  startInstance,
  type Crossdock,
  type RunningInstance,
} from '../../src/main.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { waitForRun } from '../support/engine.ts';
import { createTestDatabase, dropTestDatabase, TEST_STORE_KIND } from '../support/stores.ts';
import { eventually } from './support.ts';

/**
 * An integrator upgrades a customer to Odoo 19: Crossdock runs on /jsonrpc, then its Odoo
 * connection is switched to `protocol: json2` (one line of odoo.yaml) and Crossdock is
 * restarted on the same store. A routine order takes the same path through the
 * order-release and dispatch packs before and after, and what came before is still there.
 */
describe('switching a running configuration from jsonrpc to json2 on Odoo 19', () => {
  let system: DemoSystem;
  let dir: string;
  let database: string | null = null;
  let crossdock: Crossdock;
  let restarted: RunningInstance | null = null;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crossdock-switch-'));
    database = TEST_STORE_KIND === 'postgres' ? await createTestDatabase() : null;
    system = await startDemoSystem({
      dir: join(dir, 'demo'),
      port: 0,
      logger: silentLogger(),
      out: createOutput(false),
      randomCarrierFailures: false,
      seed: 7,
      odoo: { version: 19, protocol: 'jsonrpc' },
      ...(database ? { env: { DATABASE_URL: database } } : {}),
    });
    crossdock = system.crossdock;
  });
  after(async () => {
    await restarted?.stop();
    await system.close();
    if (database) await dropTestDatabase(database);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Places the same routine order as the order-release test, and returns what the packs did with it. */
  async function routineOrder(): Promise<{
    release: RunDetail;
    dispatch: RunDetail;
    notes: string[];
    tracking: unknown;
    bookings: number;
  }> {
    const product = (name: string) =>
      system.catalog.products.find((p) => p.name.startsWith(name))!.id;
    const customer = system.catalog.customers.find((c) => c.name.startsWith('Nordhafen'))!.id;
    const uid = system.catalog.salespersonUid;
    const lines = [
      [0, 0, { product_id: product('Ergonomic Office Chair'), product_uom_qty: 2 }],
      [0, 0, { product_id: product('LED Desk Lamp'), product_uom_qty: 2 }],
    ];
    const id = (await system.odoo.db.call(
      'sale.order',
      'create',
      [{ partner_id: customer, user_id: uid, order_line: lines }],
      {},
      uid,
    )) as number;
    await system.odoo.db.call('sale.order', 'action_confirm', [[id]], {}, uid);
    const runOf = (workflow: string, field: string) =>
      eventually(`a ${workflow} run for order ${id}`, async () => {
        const rows = await sql<{
          id: string;
        }>`SELECT id FROM runs WHERE workflow_id = ${workflow} AND input->>${field} = ${String(id)}`.execute(
          crossdock.store.db,
        );
        return rows.rows[0] ? String(rows.rows[0].id) : undefined;
      });
    const release = await waitForRun(
      crossdock.engine,
      await runOf('order-release', 'id'),
      ['completed', 'failed'],
      60_000,
    );
    const dispatch = await waitForRun(
      crossdock.engine,
      await runOf('dispatch', 'order_id'),
      ['completed', 'failed'],
      60_000,
    );
    const client = crossdock.odoo!.clients('odoo');
    const messages = await client.call<{ body: string }[]>(
      'mail.message',
      'search_read',
      [
        [
          ['model', '=', 'sale.order'],
          ['res_id', '=', id],
          ['message_type', '=', 'comment'],
        ],
      ],
      { fields: ['body'] },
    );
    const [picking] = await client.call<{ name: string; carrier_tracking_ref: unknown }[]>(
      'stock.picking',
      'search_read',
      [[['sale_id', '=', id]]],
      { fields: ['name', 'carrier_tracking_ref'] },
    );
    const bookings = system.carriers.profiles
      .flatMap((p) => system.carriers.bookings(p.code))
      .filter((b) => b.reference === picking!.name).length;
    return {
      release,
      dispatch,
      notes: messages.map((m) => m.body.replace(/<[^>]+>/g, '')),
      tracking: picking!.carrier_tracking_ref,
      bookings,
    };
  }

  const path = (run: RunDetail) =>
    run.steps.filter((s) => s.status === 'completed').map((s) => s.stepId);

  test('a routine order takes the same path over jsonrpc and, after the switch, over json2', async () => {
    assert.equal(crossdock.odoo!.clients('odoo').protocol, 'jsonrpc');
    const before = await routineOrder();
    assert.equal(before.release.status, 'completed', JSON.stringify(before.release.error));
    assert.equal(before.dispatch.status, 'completed', JSON.stringify(before.dispatch.error));

    // The switch: one line of the Odoo configuration, then a restart on the same store.
    await system.instance.stop();
    const file = join(system.env.CROSSDOCK_ODOO_CONFIG!);
    writeFileSync(file, readFileSync(file, 'utf8').replace('protocol: jsonrpc', 'protocol: json2'));
    const config = loadConfig(system.env);
    crossdock = await createCrossdock(config, { logger: silentLogger() });
    await crossdock.engine.loadWorkflows(config.workflowsDir);
    restarted = await startInstance(
      crossdock,
      config,
      { api: true, workers: 1, port: 0 },
      createOutput(false),
    );
    system.carriers.setWebhookUrl((code) => `${restarted!.url}/hooks/carriers/${code}`);
    // Only the URL Odoo's rule posts to changes (this restart listens on a new port).
    const source = crossdock.odoo!.ingestion.sources[0]!;
    assert.deepEqual(
      (await setupRules(crossdock.odoo!.clients('odoo'), source, restarted.url!)).map(
        (r) => r.state,
      ),
      source.watch.map(() => 'updated'),
    );
    assert.equal(crossdock.odoo!.clients('odoo').protocol, 'json2');
    assert.equal(
      (await crossdock.engine.runs.show(before.release.id)).status,
      'completed',
      'the run from before the switch is in the same store',
    );

    const afterSwitch = await routineOrder();
    assert.equal(
      afterSwitch.release.status,
      'completed',
      JSON.stringify(afterSwitch.release.error),
    );
    assert.equal(
      afterSwitch.dispatch.status,
      'completed',
      JSON.stringify(afterSwitch.dispatch.error),
    );
    assert.deepEqual(path(afterSwitch.release), path(before.release));
    assert.deepEqual(path(afterSwitch.dispatch), path(before.dispatch));
    for (const outcome of [before, afterSwitch]) {
      assert.ok(path(outcome.release).includes('released'));
      assert.equal(
        outcome.notes.filter((n) => n.includes('Crossdock released this order')).length,
        1,
        outcome.notes.join(' | '),
      );
      assert.ok(outcome.tracking, 'the tracking reference is on the delivery');
      assert.equal(outcome.bookings, 1, 'one booking for the delivery');
    }
  });
});

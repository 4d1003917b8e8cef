import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { startCarrierSimulator, type CarrierSimulator } from '../../sim/carriers/index.ts';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';
import { seedDemo, type DemoCatalog } from '../../src/demo/seed.ts';
import { runCrossdock } from '../support/cli.ts';

type DryRun = {
  workflowId: string;
  outcome: string;
  steps: { stepId: string; action: string; description: string; output: unknown }[];
};

/**
 * `crossdock simulate packs/<pack> --event e.json`: reads run against the configured Odoo and
 * carriers (here the simulators); every write, booking, approval and e-mail is described and
 * none is made, which the simulators' call logs and ledgers confirm.
 */
describe('dry run of a pack', () => {
  let odoo: OdooSimulator;
  let carriers: CarrierSimulator;
  let catalog: DemoCatalog;
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    odoo = await startOdooSimulator();
    carriers = await startCarrierSimulator();
    catalog = await seedDemo(odoo, { today: new Date() });
    dir = mkdtempSync(join(tmpdir(), 'crossdock-dry-'));
    writeFileSync(
      join(dir, 'odoo.yaml'),
      `public_url: http://127.0.0.1:1\nconnections:\n  - { name: odoo, url: "${odoo.url}", database: ${odoo.database}, login: admin, api_key_env: DRY_ODOO_KEY, protocol: jsonrpc }\n`,
    );
    env = {
      DRY_ODOO_KEY: odoo.users[0]!.apiKeys[0]!,
      CROSSDOCK_ODOO_CONFIG: join(dir, 'odoo.yaml'),
      CROSSDOCK_CARRIERS_CONFIG: join(dir, 'carriers.yaml'),
    };
    // The carriers file names environment variables for the secrets, as a deployment's does.
    const configs = carriers.profiles.map((p) => {
      const c = carriers.carrierConfig(p.code) as {
        auth: { api_key?: string; api_key_env?: string };
        webhook: { secret?: string; secret_env?: string };
      };
      const key = `DRY_${p.code.toUpperCase()}`;
      env[`${key}_KEY`] = c.auth.api_key!;
      env[`${key}_SECRET`] = c.webhook.secret!;
      return {
        ...c,
        auth: { ...c.auth, api_key: undefined, api_key_env: `${key}_KEY` },
        webhook: { ...c.webhook, secret: undefined, secret_env: `${key}_SECRET` },
      };
    });
    writeFileSync(
      join(dir, 'carriers.yaml'),
      stringify({ carriers: JSON.parse(JSON.stringify(configs)) }),
    );
  });
  after(async () => {
    await odoo.close();
    await carriers.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const confirmedOrder = async (customer: string, product: string, qty: number) => {
    const partner = catalog.customers.find((c) => c.name.startsWith(customer))!;
    const item = catalog.products.find((p) => p.name.startsWith(product))!;
    const id = (await odoo.db.call('sale.order', 'create', [
      {
        partner_id: partner.id,
        user_id: 8,
        order_line: [[0, 0, { product_id: item.id, product_uom_qty: qty }]],
      },
    ])) as number;
    await odoo.db.call('sale.order', 'action_confirm', [[id]]);
    return {
      id,
      partner,
      name: String(odoo.db.searchRead('sale.order', [['id', '=', id]], ['name'])[0]!.name),
    };
  };
  const writesTo = () =>
    odoo.calls.entries.filter((c) =>
      ['create', 'write', 'message_post', 'unlink', 'action_confirm'].includes(String(c.method)),
    ).length;
  const simulate = async (pack: string, event: unknown) => {
    const file = join(dir, `${pack}-event.json`);
    writeFileSync(file, JSON.stringify(event));
    const result = await runCrossdock(
      ['simulate', `packs/${pack}`, '--event', file, '--json'],
      env,
    );
    assert.ok(result.stdout.length > 0, result.stderr);
    return JSON.parse(result.stdout) as DryRun;
  };

  test('dispatch: rates are quoted, the booking, the write to the delivery and the e-mail are only described', async () => {
    const order = await confirmedOrder('Nordhafen', 'Steel Shelving', 1);
    const before = writesTo();
    const run = await simulate('dispatch', {
      source: 'crossdock',
      type: 'order.released',
      key: `order.released:${order.id}`,
      payload: {
        order_id: order.id,
        name: order.name,
        partner_id: order.partner.id,
        amount_total: 226.1,
        weight_kg: 22,
        hazardous: false,
        customer_class: 'A',
        tier: 'auto',
      },
    });
    assert.equal(run.workflowId, 'dispatch', JSON.stringify(run).slice(0, 600));
    assert.equal(
      run.outcome,
      'completed',
      JSON.stringify(run.steps.filter((s) => s.action === 'failed')),
    );
    const step = (id: string) =>
      run.steps.find((s) => s.stepId === id) ??
      assert.fail(`no step ${id} in ${run.steps.map((s) => s.stepId).join(' ')}`);
    assert.equal(step('rates').action, 'executed');
    assert.equal(step('book').action, 'would-call');
    assert.match(step('book').description, /swiftpost/);
    assert.equal(step('write-back').action, 'would-call');
    assert.match(step('write-back').description, /carrier_tracking_ref/);
    assert.equal(step('tell-customer').action, 'would-call');
    assert.equal(
      carriers.profiles.flatMap((p) => carriers.bookings(p.code)).length,
      0,
      'nothing was booked',
    );
    assert.equal(writesTo(), before, 'nothing was written to Odoo');
  });

  test('order release: the decision table runs, the approval it would ask for is described', async () => {
    const order = await confirmedOrder('Rheinland', 'Conference Table', 1);
    const before = writesTo();
    const run = await simulate('order-release', {
      source: 'crossdock',
      type: 'sale.order.release-requested',
      key: `dry:${order.id}`,
      payload: { id: order.id, name: order.name },
    });
    assert.equal(run.workflowId, 'order-release');
    const tier = run.steps.find((s) => s.stepId === 'tier')!;
    assert.equal(tier.action, 'executed');
    assert.equal((tier.output as { decision: { tier: string } }).decision.tier, 'manager');
    const approve = run.steps.find((s) => s.stepId === 'approve')!;
    assert.equal(approve.action, 'would-call');
    assert.match(approve.description, /would ask for approval/);
    assert.equal(writesTo(), before);
  });

  test("an event no workflow of the pack is triggered by is refused, naming the pack's workflows", async () => {
    const file = join(dir, 'unrelated.json');
    writeFileSync(
      file,
      JSON.stringify({ source: 'shop', type: 'cart.abandoned', key: 'c1', payload: {} }),
    );
    const result = await runCrossdock(['simulate', 'packs/dispatch', '--event', file], env);
    assert.notEqual(result.status, 0);
    assert.match(
      result.stderr + result.stdout,
      /No workflow in packs\/dispatch is triggered by a cart.abandoned event from shop; it has carrier-exception-mail, dispatch, reship, shipment-tracking/,
    );
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { RunDetail } from '../../src/engine/index.ts';
import { waitForRun } from '../support/engine.ts';
import { HOUR, JumpingClock, packHarness, type PackHarness } from './support.ts';

/**
 * The replenishment pack end to end on the simulators: reordering rules set up in Odoo
 * (a vendor price and a rule whose forecast is under its minimum), the hourly scan, a
 * hint and manual requests, and what a buyer then sees in Odoo over RPC: RFQs and purchase
 * orders, their state, chatter and activities.
 */
const WAREHOUSE = 1;
const WH_STOCK = 8;

describe('replenishment pack, end to end', () => {
  let h: PackHarness;
  const clock = new JumpingClock();
  let vendor = 0;
  before(async () => {
    h = await packHarness({ clock });
    vendor = (await h.odoo.db.call('res.partner', 'create', [
      { name: 'Hanse Büromöbel GmbH', is_company: true },
    ])) as number;
  });
  after(() => h.close());

  const productId = (name: string) =>
    h.catalog.products.find((p) => p.name.startsWith(name))?.id ??
    assert.fail(`no demo product ${name}`);

  /** A vendor price for the product and a manual reordering rule in WH/Stock `short` units under its minimum. */
  async function underMinimum(
    product: number,
    vendorLine: { price: number; min_qty: number; delay: number },
    rule: { short: number; span: number; multiple: number },
  ) {
    const [variant] = h.odoo.db.searchRead(
      'product.product',
      [['id', '=', product]],
      ['product_tmpl_id'],
    );
    const template = (variant!.product_tmpl_id as [number, string])[0];
    await h.odoo.db.call('product.supplierinfo', 'create', [
      { partner_id: vendor, product_tmpl_id: template, ...vendorLine },
    ]);
    const id = (await h.odoo.db.call('stock.warehouse.orderpoint', 'create', [
      {
        product_id: product,
        warehouse_id: WAREHOUSE,
        location_id: WH_STOCK,
        product_min_qty: 0,
        product_max_qty: 0,
        qty_multiple: rule.multiple,
        trigger: 'manual',
      },
    ])) as number;
    const [row] = h.odoo.db.searchRead(
      'stock.warehouse.orderpoint',
      [['id', '=', id]],
      ['qty_forecast'],
    );
    const forecast = Number(row!.qty_forecast);
    await h.odoo.db.call('stock.warehouse.orderpoint', 'write', [
      [id],
      {
        product_min_qty: forecast + rule.short,
        product_max_qty: forecast + rule.short + rule.span,
      },
    ]);
    return id;
  }

  /** Every replenishment run for a product so far. */
  async function runsFor(product: number): Promise<string[]> {
    const rows = await sql<{
      id: string;
    }>`SELECT id::text AS id FROM runs WHERE workflow_id = 'replenishment' AND input->>'product_id' = ${String(product)} ORDER BY runs.id`.execute(
      h.crossdock.store.db,
    );
    return rows.rows.map((r) => r.id);
  }

  async function settled(
    runId: string,
    statuses = ['completed', 'failed', 'waiting'],
  ): Promise<RunDetail> {
    return waitForRun(h.crossdock.engine, runId, statuses, 60_000);
  }

  function request(product: number, via: string) {
    return h.crossdock.engine.accept({
      source: 'manual',
      type: 'replenishment.need',
      key: `${via}:${product}:${Date.now()}`,
      payload: { product_id: product, warehouse_id: WAREHOUSE, via },
    });
  }

  const purchaseLines = (product: number) =>
    h.rpc<{ order_id: [number, string]; product_qty: number; price_unit: number; state: string }[]>(
      'purchase.order.line',
      'search_read',
      [[['product_id', '=', product]]],
      { fields: ['order_id', 'product_qty', 'price_unit', 'state'] },
    );

  test('under its minimum: a hint and then the scan, run twice, give exactly one RFQ, sized to the vendor minimum', async () => {
    const product = productId('Archive Box');
    await underMinimum(
      product,
      { price: 9, min_qty: 20, delay: 4 },
      { short: 5, span: 10, multiple: 5 },
    );
    // A delivery of the product done in Odoo: what the Odoo source emits for a watched stock.picking in state done.
    const picking = (await h.odoo.db.call('stock.picking', 'create', [
      {
        picking_type_id: 2,
        location_id: WH_STOCK,
        location_dest_id: 5,
        move_ids: [
          [
            0,
            0,
            {
              name: 'Archive Box',
              product_id: product,
              product_uom_qty: 1,
              location_id: WH_STOCK,
              location_dest_id: 5,
            },
          ],
        ],
      },
    ])) as number;
    const hint = await h.crossdock.engine.accept({
      source: 'odoo',
      type: 'stock.picking.done',
      key: `stock.picking.done:stock.picking:${picking}`,
      payload: {
        model: 'stock.picking',
        id: picking,
        write_date: '2026-12-05 10:00:00',
        record: {},
        via: 'webhook',
      },
    });
    // The transfer also starts held-order-recheck (order-release pack), which finds no held order here.
    const started = await Promise.all(
      hint.runIds.map((id) => settled(id, ['completed', 'failed'])),
    );
    const hinted = started.find((r) => r.workflowId === 'replenishment-hint')!;
    assert.ok(
      hinted,
      `the hint started replenishment-hint: ${started.map((r) => r.workflowId).join(', ')}`,
    );
    assert.equal(hinted.status, 'completed', JSON.stringify(hinted.error));
    assert.ok(
      h.path(hinted).includes('emit'),
      `the hint found the rule under its minimum: ${h.path(hinted).join(' > ')}`,
    );
    const hintedNeed = hinted.steps.find((st) => st.stepId === 'emit')!.output as {
      runIds: string[];
    };
    for (const id of hintedNeed.runIds) await settled(id, ['completed', 'failed']);
    for (let scan = 0; scan < 2; scan += 1) {
      clock.advance(HOUR);
      const scanned = await fireScan();
      assert.equal(scanned.status, 'completed', JSON.stringify(scanned.error));
      for (const id of await runsFor(product)) await settled(id, ['completed', 'failed']);
    }
    const runs = await Promise.all(
      (await runsFor(product)).map((id) => settled(id, ['completed', 'failed'])),
    );
    assert.ok(
      runs.every((r) => r.status === 'completed'),
      JSON.stringify(runs.map((r) => r.error)),
    );
    const created = runs.filter((r) => h.path(r).includes('rfq'));
    assert.equal(created.length, 1, 'one run created the RFQ');
    assert.ok(
      runs.filter((r) => r !== created[0]).every((r) => h.path(r).includes('nothing-to-do')),
      'any other run found it open in Odoo',
    );
    const lines = await purchaseLines(product);
    assert.equal(lines.length, 1, `one RFQ line for the product: ${JSON.stringify(lines)}`);
    // 15 short of the maximum, raised to the vendor's minimum of 20 (a multiple of 5); 180 is a draft for the buyer.
    assert.equal(lines[0]!.product_qty, 20);
    assert.equal(lines[0]!.price_unit, 9);
    assert.equal(lines[0]!.state, 'draft');
    const notes = await h.chatter('purchase.order', lines[0]!.order_id[0]);
    assert.ok(
      notes.some((n) => n.includes('Crossdock created this RFQ') && n.includes('ordering 20')),
      notes.join(' | '),
    );
  });

  test('a rule under its minimum for a product without a vendor price is held for a person, with no RFQ', async () => {
    // The simulator's demo rule OP/00004: Pedal Bin in Chicago, forecast 0 under 10, no vendor line; the scans above found it.
    const pedalBin = 20;
    const [runId] = await runsFor(pedalBin);
    assert.ok(runId !== undefined, 'the scan found the Chicago rule');
    const run = await settled(runId, ['completed', 'failed']);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.ok(h.path(run).includes('hold-case'), h.path(run).join(' > '));
    const { cases } = await h.crossdock.services.exceptions.list({
      status: 'open',
      workflowId: 'replenishment',
    });
    assert.ok(
      cases.some((c) => c.title.includes('Pedal Bin') && c.title.includes('no vendor price')),
      JSON.stringify(cases.map((c) => c.title)),
    );
    assert.deepEqual(await purchaseLines(pedalBin), []);
  });

  test('over the value threshold: buyer, then procurement manager; the order is confirmed only after the last approval', async () => {
    const product = productId('Laptop Docking Station');
    await underMinimum(
      product,
      { price: 980, min_qty: 1, delay: 10 },
      { short: 3, span: 12, multiple: 5 },
    );
    const accepted = await request(product, 'manual');
    const waiting = await settled(accepted.runIds[0]!);
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    const [line] = await purchaseLines(product);
    const order = line!.order_id[0];
    assert.equal(line!.product_qty, 15);
    const buyer = await h.pendingRequestFor(waiting.id);
    assert.equal(buyer.level, 'buyer');
    assert.match((await h.crossdock.services.approvals.show(buyer.id)).summary, /5000 to 25000/);
    await h.crossdock.services.approvals.decide(
      buyer.id,
      h.approver('bea.buyer@demo.crossdock.test'),
      'approve',
      null,
      'api',
    );
    const manager = await h.pendingRequestFor(waiting.id);
    assert.equal(manager.level, 'procurement-manager');
    const [between] = await h.rpc<{ state: string }[]>('purchase.order', 'read', [[order]], {
      fields: ['state'],
    });
    assert.equal(between!.state, 'draft', 'not confirmed after the first approval');
    await h.crossdock.services.approvals.decide(
      manager.id,
      h.approver('paul.procurement@demo.crossdock.test'),
      'approve',
      'stock-out risk',
      'api',
    );
    const done = await settled(waiting.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    const [confirmed] = await h.rpc<{ state: string; picking_ids: number[] }[]>(
      'purchase.order',
      'read',
      [[order]],
      { fields: ['state', 'picking_ids'] },
    );
    assert.equal(confirmed!.state, 'purchase');
    assert.equal(confirmed!.picking_ids.length, 1, 'Odoo created the receipt');
    const notes = await h.chatter('purchase.order', order);
    assert.ok(
      notes.some(
        (n) =>
          n.includes('Crossdock confirmed this purchase order after authorization') &&
          n.includes('under the minimum'),
      ),
      notes.join(' | '),
    );
    const activities = await h.rpc<{ summary: string }[]>(
      'mail.activity',
      'search_read',
      [
        [
          ['res_model', '=', 'purchase.order'],
          ['res_id', '=', order],
        ],
      ],
      { fields: ['summary'] },
    );
    assert.ok(
      activities.some((a) => a.summary.startsWith('Follow up the confirmed order')),
      JSON.stringify(activities),
    );
  });

  test('a rejection confirms nothing: the RFQ stays a draft, with a note and an activity for the buyer', async () => {
    const product = productId('Standing Desk Frame');
    await underMinimum(
      product,
      { price: 380, min_qty: 1, delay: 7 },
      { short: 2, span: 8, multiple: 1 },
    );
    const accepted = await request(product, 'manual');
    const waiting = await settled(accepted.runIds[0]!);
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    const buyer = await h.pendingRequestFor(waiting.id);
    assert.equal(buyer.level, 'buyer');
    await h.crossdock.services.approvals.decide(
      buyer.id,
      h.approver('bea.buyer@demo.crossdock.test'),
      'reject',
      'vendor quote expired',
      'api',
    );
    const done = await settled(waiting.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.ok(!h.path(done).includes('confirm'));
    const [line] = await purchaseLines(product);
    const [order] = await h.rpc<{ state: string; picking_ids: number[] }[]>(
      'purchase.order',
      'read',
      [[line!.order_id[0]]],
      { fields: ['state', 'picking_ids'] },
    );
    assert.equal(order!.state, 'draft');
    assert.deepEqual(order!.picking_ids, []);
    const notes = await h.chatter('purchase.order', line!.order_id[0]);
    assert.ok(
      notes.some((n) => n.includes('purchase authorization rejected (vendor quote expired)')),
      notes.join(' | '),
    );
  });

  /** Fires the scan's slot of the (moved) clock's hour and waits for that scan run to end: its needs are then accepted. */
  async function fireScan(): Promise<RunDetail> {
    await h.crossdock.engine.scheduler.tick();
    const slot = new Date(Math.floor(clock.now().getTime() / HOUR) * HOUR).toISOString();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const rows = await sql<{
        id: string;
      }>`SELECT id::text AS id FROM runs WHERE workflow_id = 'replenishment-scan' AND input->>'slot' = ${slot}`.execute(
        h.crossdock.store.db,
      );
      if (rows.rows[0]) return settled(rows.rows[0].id, ['completed', 'failed']);
      if (Date.now() > deadline) assert.fail(`no scan run for slot ${slot}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
});

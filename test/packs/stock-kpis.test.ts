import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { waitForRun } from '../support/engine.ts';
import { eventually, packHarness, type PackHarness } from './support.ts';

/**
 * The Overview's stock and procurement KPIs (GET /api/v1/kpis, `stock`) against what the
 * store and Odoo hold, end to end on the simulators: an order held because its stock is not
 * reserved, and a need that becomes a draft RFQ, is confirmed by the buyer in Odoo, and is
 * received. Each number is worked out again here from the runs, the cases and Odoo's records.
 */
const WAREHOUSE = 1;
const WH_STOCK = 8;

interface StockKpis {
  reservationFailures: { inRange: number; heldNow: number };
  replenishmentCycle: {
    received: number;
    needToConfirmedSeconds: { p50: number | null; mean: number | null };
    confirmedToReceivedSeconds: { p50: number | null; mean: number | null };
    needToReceivedSeconds: { p50: number | null; mean: number | null };
  };
  supplierOnTime: { receipts: number; onTime: number; rate: number | null };
}

describe('stock and procurement KPIs', () => {
  let h: PackHarness;
  let token: string;
  before(async () => {
    h = await packHarness();
    const { users, tokens } = h.crossdock.services;
    const viewer = await users.create({ email: 'kpi@demo.crossdock.test', role: 'viewer' });
    token = (await tokens.create({ id: viewer.id, role: 'viewer' }, { name: 'kpi' }, null)).token;
  });
  after(() => h.close());

  const kpis = async (): Promise<StockKpis> => {
    const response = await fetch(`${h.instance.url}/api/v1/kpis?last=24h`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as { stock: StockKpis };
    assert.equal(response.status, 200, JSON.stringify(body));
    return body.stock;
  };
  /** The order-release pack's stock holds in the store: opened in the last 24 h, and open now. */
  const stockHolds = async () => {
    const r = await sql<{ opened: string | number; open: string | number }>`
      SELECT count(*) FILTER (WHERE opened_at >= now() - interval '24 hours') AS opened,
             count(*) FILTER (WHERE status = 'open') AS open
      FROM exception_cases WHERE error_code = 'STOCK_HOLD'`.execute(h.crossdock.store.db);
    return { inRange: Number(r.rows[0]!.opened), heldNow: Number(r.rows[0]!.open) };
  };
  const odooTime = (text: string) => new Date(`${text.replace(' ', 'T')}Z`).getTime();

  test('reservation failures, replenishment cycle and supplier on-time agree with the store and Odoo', async () => {
    const before = await kpis();
    assert.deepEqual(before.reservationFailures, await stockHolds());
    assert.equal(before.reservationFailures.heldNow, 0);
    assert.equal(before.replenishmentCycle.received, 0);
    assert.equal(before.replenishmentCycle.needToReceivedSeconds.p50, null);

    // A product with no stock: an order for it is held for the warehouse.
    const template = (await h.odoo.db.call('product.template', 'create', [
      {
        name: 'Acoustic Wall Panel',
        type: 'product',
        list_price: 40,
        standard_price: 22,
        weight: 3,
      },
    ])) as number;
    const product = (await h.odoo.db.call('product.product', 'create', [
      { product_tmpl_id: template, standard_price: 22, default_code: `DEMO-${template}` },
    ])) as number;
    const uid = h.catalog.salespersonUid;
    const orderId = (await h.odoo.db.call(
      'sale.order',
      'create',
      [
        {
          partner_id: h.catalog.customers.find((c) => c.name.startsWith('Nordhafen'))!.id,
          user_id: uid,
          order_line: [[0, 0, { product_id: product, product_uom_qty: 4 }]],
        },
      ],
      {},
      uid,
    )) as number;
    await h.odoo.db.call('sale.order', 'action_confirm', [[orderId]], {}, uid);
    const held = await h.runFor('order-release', orderId);
    assert.equal(held.status, 'waiting', h.path(held).join(' > '));

    // A vendor line and a reordering rule 10 under its minimum; a manual need: a draft RFQ (small).
    const vendor = (await h.odoo.db.call('res.partner', 'create', [
      { name: 'Akustik Nord GmbH', is_company: true },
    ])) as number;
    await h.odoo.db.call('product.supplierinfo', 'create', [
      { partner_id: vendor, product_tmpl_id: template, price: 22, min_qty: 1, delay: 3 },
    ]);
    await h.odoo.db.call('stock.warehouse.orderpoint', 'create', [
      {
        product_id: product,
        warehouse_id: WAREHOUSE,
        location_id: WH_STOCK,
        product_min_qty: 10,
        product_max_qty: 20,
        qty_multiple: 1,
        trigger: 'manual',
      },
    ]);
    const need = await h.crossdock.engine.accept({
      source: 'manual',
      type: 'replenishment.need',
      key: `kpi:${product}`,
      payload: { product_id: product, warehouse_id: WAREHOUSE, via: 'test' },
    });
    const replenish = await waitForRun(h.crossdock.engine, need.runIds[0]!, ['completed'], 60_000);
    assert.ok(h.path(replenish).includes('draft-note'), h.path(replenish).join(' > '));
    const purchase = (replenish.steps.find((s) => s.stepId === 'rfq')!.output as { id: number }).id;

    // The buyer confirms it in Odoo, and the warehouse validates the receipt.
    await h.rpc('purchase.order', 'button_confirm', [[purchase]]);
    const [receipt] = await h.rpc<{ id: number }[]>(
      'stock.picking',
      'search_read',
      [[['purchase_id', '=', purchase]]],
      { fields: ['id'] },
    );
    assert.equal(
      await h.rpc('stock.picking', 'button_validate', [[receipt!.id]], {
        context: { skip_sms: true },
      }),
      true,
    );
    // What the Odoo source emits for a watched stock.picking in state done (docs/odoo-setup.md).
    await h.crossdock.engine.accept({
      source: 'odoo',
      type: 'stock.picking.done',
      key: `stock.picking.done:stock.picking:${receipt!.id}`,
      payload: {
        model: 'stock.picking',
        id: receipt!.id,
        write_date: '2026-12-05 10:00:00',
        record: {},
        via: 'webhook',
      },
    });
    const recorded = await eventually('the receipt recorded as purchase.received', async () => {
      const r = await sql<{ payload: Record<string, unknown> }>`
        SELECT payload FROM events WHERE source = 'crossdock' AND type = 'purchase.received'`.execute(
        h.crossdock.store.db,
      );
      return r.rows.length > 0 && r.rows;
    });
    assert.equal(recorded.length, 1, 'one receipt');
    assert.equal(recorded[0]!.payload.purchase_id, purchase);

    // The receipt brought the held order's stock: held-order-recheck releases it.
    await waitForRun(h.crossdock.engine, held.id, ['completed'], 60_000);

    // What the KPIs should say, worked out from the run, the cases and Odoo's own records.
    const [po] = await h.rpc<{ date_approve: string; date_planned: string }[]>(
      'purchase.order',
      'read',
      [[purchase], ['date_approve', 'date_planned']],
    );
    const [done] = await h.rpc<{ date_done: string }[]>('stock.picking', 'read', [
      [receipt!.id],
      ['date_done'],
    ]);
    // In whole seconds, as Odoo keeps its dates.
    const needAt = Math.floor(new Date(replenish.createdAt).getTime() / 1000) * 1000;
    const confirmedAt = odooTime(po!.date_approve);
    const receivedAt = odooTime(done!.date_done);
    const after = await kpis();
    assert.deepEqual(after.reservationFailures, await stockHolds());
    assert.ok(
      after.reservationFailures.inRange > before.reservationFailures.inRange,
      'the order held for stock counts',
    );
    // Released since: no longer held.
    assert.equal(after.reservationFailures.heldNow, 0);
    const s = (ms: number) => Math.round(ms / 1000);
    assert.deepEqual(after.replenishmentCycle, {
      received: 1,
      needToConfirmedSeconds: { p50: s(confirmedAt - needAt), mean: s(confirmedAt - needAt) },
      confirmedToReceivedSeconds: {
        p50: s(receivedAt - confirmedAt),
        mean: s(receivedAt - confirmedAt),
      },
      needToReceivedSeconds: { p50: s(receivedAt - needAt), mean: s(receivedAt - needAt) },
    });
    const onTime = receivedAt <= odooTime(po!.date_planned) ? 1 : 0;
    assert.deepEqual(after.supplierOnTime, { receipts: 1, onTime, rate: onTime * 100 });
    assert.equal(onTime, 1, 'received before the vendor lead time of 3 days');
  });
});

/**
 * A marketplace order's ship-by (packs/shop-orders: shop-order.yaml, shop-order-ship-by.yaml)
 * end to end on the demo's simulators: with the one worker busy, the order placed later that
 * must ship sooner becomes a sale order first; its delivery in Odoo carries the ship-by as its
 * deadline and is made Urgent, while the other stays Normal; the ship-by watch flags it at
 * risk and, when the ship-by passes with the delivery still open, opens a case for operations.
 * A ship-by that is not a date is refused at the door, naming the field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { ShopOrderInput } from '../../sim/shop/index.ts';
import { eventually, HOUR, JumpingClock, packHarness, type PackHarness } from './support.ts';

describe('shop orders: the ship-by sets priority, urgency and a deadline case', () => {
  let h: PackHarness;
  const clock = new JumpingClock();
  before(async () => {
    h = await packHarness({ clock });
  });
  after(async () => {
    await h?.close();
  });

  const anOrder = (email: string, shipBy?: string): ShopOrderInput => {
    const chair = h.catalog.products[0]!;
    return {
      email,
      customer: { first_name: 'Lena', last_name: 'Vogt' },
      shipping_address: {
        first_name: 'Lena',
        last_name: 'Vogt',
        address1: 'Hauptstraße 3',
        city: 'Köln',
        zip: '50667',
        country_code: 'DE',
      },
      line_items: [
        { sku: h.shop.skus[chair.name]!, title: chair.name, quantity: 1, price: '99.50' },
      ],
      ...(shipBy ? { latest_ship_date: shipBy } : {}),
    };
  };
  const saleOrder = async (ref: string) =>
    eventually(`sale order ${ref} confirmed`, async () => {
      const [found] = await h.rpc<{ id: number; state: string; commitment_date: string | false }[]>(
        'sale.order',
        'search_read',
        [[['client_order_ref', '=', ref]]],
        { fields: ['state', 'commitment_date'] },
      );
      return found?.state === 'sale' && found;
    });
  const delivery = async (saleOrderId: number) => {
    const [picking] = await h.rpc<
      {
        id: number;
        name: string;
        priority: string;
        date_deadline: string | false;
        scheduled_date: string;
      }[]
    >(
      'stock.picking',
      'search_read',
      [
        [
          ['sale_id', '=', saleOrderId],
          ['picking_type_code', '=', 'outgoing'],
        ],
      ],
      {
        fields: ['name', 'priority', 'date_deadline', 'scheduled_date'],
      },
    );
    return picking!;
  };
  const odooTime = (iso: string) => new Date(iso).toISOString().slice(0, 19).replace('T', ' ');

  test('with the worker busy, the later order that must ship sooner is made first; its delivery is urgent with the ship-by as deadline, the other stays normal', async () => {
    const engine = h.crossdock.engine;
    await engine.stopWorkers();
    const shop = h.shop.shop;
    const now = clock.now().getTime();
    const later = shop.placeOrder(
      anOrder('lena.vogt@example.com', new Date(now + 72 * HOUR).toISOString()),
    );
    const sooner = shop.placeOrder(
      anOrder('jonas.beck@example.com', new Date(now + 6 * HOUR).toISOString()),
    );
    for (const order of [later, sooner])
      assert.equal((await shop.sendWebhook('orders/create', order)).status, 200);
    engine.startWorkers(1, { concurrency: 1, claimBatch: 1 });

    const laterOrder = await saleOrder(`WEB${later.name}`);
    const soonerOrder = await saleOrder(`WEB${sooner.name}`);
    assert.ok(
      soonerOrder.id < laterOrder.id,
      `the order due sooner (${soonerOrder.id}) is made in Odoo before the one due later (${laterOrder.id})`,
    );
    assert.equal(soonerOrder.commitment_date, odooTime(sooner.latest_ship_date!));

    // Due in 6 h, within the 24 h urgency window: Urgent at once; the one due in 72 h is not yet.
    const urgent = await eventually('the sooner delivery is urgent', async () => {
      const picking = await delivery(soonerOrder.id);
      return picking.priority === '1' && picking;
    });
    assert.equal(urgent.date_deadline, odooTime(sooner.latest_ship_date!));
    assert.equal(urgent.scheduled_date, odooTime(sooner.latest_ship_date!));
    const normal = await delivery(laterOrder.id);
    assert.equal(normal.priority, '0');
    assert.equal(normal.date_deadline, odooTime(later.latest_ship_date!));

    // 2 h before the ship-by and not shipped: flagged at risk in the delivery's chatter.
    clock.advance(4 * HOUR + 60_000);
    h.wake();
    await eventually('the at-risk note', async () =>
      (await h.chatter('stock.picking', urgent.id)).some((m) => /^At risk: shop order/.test(m)),
    );
    assert.equal(
      (await h.chatter('stock.picking', normal.id)).filter((m) => /At risk/.test(m)).length,
      0,
    );

    // The ship-by passes with the delivery open: a case for operations naming order, shop and deadline.
    clock.advance(2 * HOUR);
    h.wake();
    const [missed] = await eventually('a case for the missed ship-by', async () => {
      const rows = (
        await sql<{ title: string; owner_team: string | null; code: string }>`
          SELECT title, owner_team, error_code AS code FROM exception_cases
          WHERE error_code = 'SHOP_SHIP_BY_MISSED'`.execute(h.crossdock.store.db)
      ).rows;
      return rows.length > 0 && rows;
    });
    assert.equal(missed!.owner_team, 'operations');
    assert.ok(missed!.title.includes(sooner.name), missed!.title);
    assert.ok(missed!.title.includes('Demo web shop'), missed!.title);
    assert.ok(
      missed!.title.includes(new Date(sooner.latest_ship_date!).toISOString()),
      missed!.title,
    );
  });

  test('a latest_ship_date that is not a date-time with an offset is refused, naming the field; nothing is stored', async () => {
    const shop = h.shop.shop;
    const order = shop.placeOrder(anOrder('mia.roth@example.com', '2026-03-04 17:00'));
    const answer = await shop.sendWebhook('orders/create', order);
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.code, 'SHOP_WEBHOOK_INVALID');
    assert.deepEqual(
      answer.body.error.details.map((d: { path: string }) => d.path),
      ['latest_ship_date'],
    );
    const stored = await sql<{ n: string }>`
      SELECT count(*) AS n FROM events WHERE dedupe_key = ${`orders/create:${order.id}`}`.execute(
      h.crossdock.store.db,
    );
    assert.equal(Number(stored.rows[0]!.n), 0);
  });
});

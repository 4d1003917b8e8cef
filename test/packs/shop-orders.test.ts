/**
 * The shop orders pack (packs/shop-orders) end to end, on the demo's simulators: the shop
 * simulator posts signed order webhooks to /hooks/shop/<shop> and takes the stock levels
 * Crossdock pushes under its leaky-bucket rate limit; the simulated Odoo holds the sale
 * orders and the stock. The same order sent five times (and under a new webhook id) is one
 * sale order; a cancellation before shipping stops the release; a SKU Odoo does not know is a
 * case with nothing created; a wrong signature is refused and stores nothing; the stock push
 * converges to Odoo's quantities through forced 429s.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { levelsAt, listLevels } from '../../src/connectors/shop/index.ts';
import {
  DEMO_SHIP_PRODUCT,
  DEMO_SHOP,
  DEMO_SHOP_LOCATION,
  DEMO_SHOP_ODOO_LOCATION,
} from '../../src/demo/shop.ts';
import type { ShopOrderInput } from '../../sim/shop/index.ts';
import { waitForRun } from '../support/engine.ts';
import { eventually, packHarness, type PackHarness } from './support.ts';

describe('shop orders: webhooks to sale orders, cancellations, stock to the shop', () => {
  let h: PackHarness;
  before(async () => {
    h = await packHarness();
  });
  after(async () => {
    await h?.close();
  });

  const db = () => h.crossdock.store.db;
  const ordersWithRef = (ref: string) =>
    h.rpc<
      {
        id: number;
        name: string;
        state: string;
        partner_id: [number, string];
        partner_shipping_id: [number, string];
      }[]
    >('sale.order', 'search_read', [[['client_order_ref', '=', ref]]], {
      fields: ['name', 'state', 'partner_id', 'partner_shipping_id'],
    });
  const runsOf = async (workflow: string, orderId: string) =>
    (
      await sql<{
        id: string;
        status: string;
      }>`SELECT id, status FROM runs WHERE workflow_id = ${workflow} AND input->>'order_id' = ${orderId} ORDER BY id`.execute(
        db(),
      )
    ).rows;
  const shopEvents = async () =>
    Number(
      (
        await sql<{
          n: string;
        }>`SELECT count(*) AS n FROM events WHERE source = ${`shop.${DEMO_SHOP}`}`.execute(db())
      ).rows[0]!.n,
    );
  const sku = (name: string) =>
    h.shop.skus[h.catalog.products.find((p) => p.name.startsWith(name))!.name]!;
  const anOrder = (email: string, lines: ShopOrderInput['line_items']): ShopOrderInput => ({
    email,
    customer: { first_name: 'Greta', last_name: 'Hansen' },
    shipping_address: {
      first_name: 'Greta',
      last_name: 'Hansen',
      address1: 'Mönckebergstraße 7',
      city: 'Hamburg',
      zip: '20095',
      country_code: 'DE',
    },
    line_items: lines,
    shipping: { title: 'Standard', price: '4.90' },
  });

  test('the same order webhook five times, and once more under a new webhook id, is one confirmed sale order at the shop prices', async () => {
    const shop = h.shop.shop;
    const chair = h.catalog.products[0]!;
    const placed = shop.placeOrder(
      anOrder('greta.hansen@example.com', [
        {
          sku: sku(chair.name),
          title: chair.name,
          quantity: 2,
          price: '99.50',
          total_discount: '19.90',
        },
      ]),
    );
    const webhookId = 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043';
    const answers = [];
    for (let i = 0; i < 5; i++)
      answers.push(await shop.sendWebhook('orders/create', placed, { webhookId }));
    answers.push(await shop.sendWebhook('orders/create', placed));
    assert.deepEqual(
      answers.map((a) => [a.status, a.body.duplicate]),
      [
        [200, false],
        [200, true],
        [200, true],
        [200, true],
        [200, true],
        [200, true],
      ],
    );

    const [order] = await eventually('the sale order is confirmed in Odoo', async () => {
      const found = await ordersWithRef(`WEB${placed.name}`);
      return found[0]?.state === 'sale' && found;
    });
    assert.equal((await ordersWithRef(`WEB${placed.name}`)).length, 1);
    const [customer] = await h.rpc<{ id: number; email: string; name: string }[]>(
      'res.partner',
      'search_read',
      [[['email', '=', 'greta.hansen@example.com']]],
      { fields: ['email', 'name'] },
    );
    assert.equal(order!.partner_id[0], customer!.id);
    assert.equal(customer!.name, 'Greta Hansen');
    const [shipTo] = await h.rpc<
      { parent_id: [number, string]; type: string; street: string; city: string }[]
    >('res.partner', 'read', [[order!.partner_shipping_id[0]]], {
      fields: ['parent_id', 'type', 'street', 'city'],
    });
    assert.deepEqual(
      [shipTo!.parent_id[0], shipTo!.type, shipTo!.street, shipTo!.city],
      [customer!.id, 'delivery', 'Mönckebergstraße 7', 'Hamburg'],
    );
    const lines = await h.rpc<
      {
        product_id: [number, string];
        product_uom_qty: number;
        price_unit: number;
        discount: number;
        price_subtotal: number;
      }[]
    >('sale.order.line', 'search_read', [[['order_id', '=', order!.id]]], {
      fields: ['product_id', 'product_uom_qty', 'price_unit', 'discount', 'price_subtotal'],
    });
    // 2 x 99.50 less the shop's 19.90 discount: 179.10, as the customer paid; and the
    // shipping charged, as a line of the shop's shipping product.
    const [ship] = await h.rpc<number[]>('product.product', 'search', [
      [['default_code', '=', DEMO_SHIP_PRODUCT]],
    ]);
    assert.deepEqual(
      lines.map((l) => [
        l.product_id[0],
        l.product_uom_qty,
        l.price_unit,
        l.discount,
        l.price_subtotal,
      ]),
      [
        [chair.id, 2, 99.5, 10, 179.1],
        [ship, 1, 4.9, 0, 4.9],
      ],
    );
    const runs = await runsOf('shop-order', String(placed.id));
    assert.equal(runs.length, 1, 'one run for six deliveries');
    const done = await waitForRun(h.crossdock.engine, runs[0]!.id, ['completed', 'failed'], 30_000);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    // Confirmed in Odoo, the order-release pack takes it.
    const release = await h.runFor('order-release', order!.id);
    assert.ok(['completed', 'waiting'].includes(release.status), release.status);
  });

  test('a wrong signature is refused with 401 and nothing is stored', async () => {
    const before = await shopEvents();
    const placed = h.shop.shop.placeOrder(
      anOrder('mallory@example.com', [
        { sku: sku(h.catalog.products[0]!.name), title: 'x', quantity: 1, price: '1.00' },
      ]),
    );
    const sent = await h.shop.shop.sendWebhook('orders/create', placed, { badSignature: true });
    assert.equal(sent.status, 401);
    assert.equal(sent.body.error.code, 'HOOK_SIGNATURE_INVALID');
    assert.equal(await shopEvents(), before);
    assert.equal((await runsOf('shop-order', String(placed.id))).length, 0);
  });

  test('a signed webhook that is not an order we can read is refused with 400 naming the field, and nothing is stored', async () => {
    const before = await shopEvents();
    const placed = h.shop.shop.placeOrder(
      anOrder('blank.sku@example.com', [{ sku: 'X', title: 'x', quantity: 1, price: '1.00' }]),
    );
    const sent = await h.shop.shop.sendWebhook('orders/create', {
      ...placed,
      line_items: [{ ...placed.line_items[0]!, sku: '' }],
    });
    assert.equal(sent.status, 400);
    assert.equal(sent.body.error.code, 'SHOP_WEBHOOK_INVALID');
    assert.deepEqual(
      sent.body.error.details.map((d: { path: string }) => d.path),
      ['line_items.0.sku'],
    );
    assert.equal(await shopEvents(), before);
  });

  test('a SKU Odoo does not know opens a case and creates nothing in Odoo', async () => {
    const placed = h.shop.shop.placeOrder(
      anOrder('new.customer@example.com', [
        { sku: sku(h.catalog.products[0]!.name), title: 'chair', quantity: 1, price: '99.50' },
        { sku: 'NOT-A-SKU-17', title: 'mystery', quantity: 1, price: '5.00' },
      ]),
    );
    assert.equal((await h.shop.shop.sendWebhook('orders/create', placed)).status, 200);
    const [run] = await eventually('the order run ends', async () => {
      const r = await runsOf('shop-order', String(placed.id));
      return r[0] && ['completed', 'failed'].includes(r[0].status) && r;
    });
    const detail = await h.crossdock.engine.runs.show(run!.id);
    assert.equal(detail.status, 'completed', JSON.stringify(detail.error));
    const cases = await sql<{
      code: string;
      title: string;
    }>`SELECT error_code AS code, title FROM exception_cases WHERE run_id = ${run!.id}`.execute(
      db(),
    );
    assert.deepEqual(
      cases.rows.map((c) => c.code),
      ['SHOP_ORDER_UNKNOWN_SKU'],
    );
    assert.match(cases.rows[0]!.title, /NOT-A-SKU-17/);
    assert.deepEqual(await ordersWithRef(`WEB${placed.name}`), []);
    assert.deepEqual(
      await h.rpc('res.partner', 'search', [[['email', '=', 'new.customer@example.com']]]),
      [],
    );
  });

  test('a cancellation before shipping cancels the sale order and stops its release', async () => {
    const shop = h.shop.shop;
    // A thin margin: the release waits for a sales manager's approval.
    const table = h.catalog.products.find((p) => p.name.startsWith('Conference Table'))!;
    const placed = shop.placeOrder(
      anOrder('lars.becker@example.com', [
        {
          sku: sku(table.name),
          title: table.name,
          quantity: 1,
          price: (table.cost * 1.01).toFixed(2),
        },
      ]),
    );
    assert.equal((await shop.sendWebhook('orders/create', placed)).status, 200);
    const [order] = await eventually('the sale order is confirmed', async () => {
      const found = await ordersWithRef(`WEB${placed.name}`);
      return found[0]?.state === 'sale' && found;
    });
    const release = await h.runFor('order-release', order!.id);
    assert.equal(release.status, 'waiting', 'the release is in flight');

    const cancelled = await shop.sendWebhook(
      'orders/cancelled',
      shop.cancelOrder(placed, 'customer'),
    );
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.type, 'shop.order.cancelled');
    await eventually(
      'the sale order is cancelled in Odoo',
      async () => (await ordersWithRef(`WEB${placed.name}`))[0]?.state === 'cancel',
    );
    await eventually(
      'the release run is cancelled',
      async () => (await h.crossdock.engine.runs.show(release.id)).status === 'cancelled',
    );
    const pickings = await h.rpc<{ state: string }[]>(
      'stock.picking',
      'search_read',
      [[['sale_id', '=', order!.id]]],
      { fields: ['state'] },
    );
    assert.ok(pickings.length > 0 && pickings.every((p) => p.state === 'cancel'));
    const [cancelRun] = await runsOf('shop-order-cancel', String(placed.id));
    const detail = await waitForRun(
      h.crossdock.engine,
      cancelRun!.id,
      ['completed', 'failed'],
      30_000,
    );
    assert.equal(detail.status, 'completed', JSON.stringify(detail.error));
    assert.deepEqual(h.path(detail).slice(-2), ['cancel', 'note']);
  });

  test('a cancellation after shipping leaves the sale order and opens a case', async () => {
    const shop = h.shop.shop;
    const box = h.catalog.products.find((p) => p.name.startsWith('Archive Box'))!;
    const placed = shop.placeOrder(
      anOrder('nora.vogel@example.com', [
        { sku: sku(box.name), title: box.name, quantity: 2, price: box.price.toFixed(2) },
      ]),
    );
    assert.equal((await shop.sendWebhook('orders/create', placed)).status, 200);
    const [order] = await eventually('the sale order is confirmed', async () => {
      const found = await ordersWithRef(`WEB${placed.name}`);
      return found[0]?.state === 'sale' && found;
    });
    const [picking] = await h.rpc<{ id: number; name: string }[]>(
      'stock.picking',
      'search_read',
      [
        [
          ['sale_id', '=', order!.id],
          ['picking_type_code', '=', 'outgoing'],
        ],
      ],
      { fields: ['name'], limit: 1 },
    );
    // The warehouse ships it.
    assert.equal(
      await h.rpc('stock.picking', 'button_validate', [[picking!.id]], {
        context: { skip_sms: true },
      }),
      true,
    );
    const sent = await shop.sendWebhook('orders/cancelled', shop.cancelOrder(placed, 'fraud'));
    assert.equal(sent.status, 200);
    const [run] = await eventually('the cancellation run ends', async () => {
      const r = await runsOf('shop-order-cancel', String(placed.id));
      return r[0] && ['completed', 'failed'].includes(r[0].status) && r;
    });
    assert.equal(run!.status, 'completed');
    const cases = await sql<{
      code: string;
      title: string;
      subject: { model: string; id: string | number };
    }>`SELECT error_code AS code, title, subject FROM exception_cases WHERE run_id = ${run!.id}`.execute(
      db(),
    );
    assert.deepEqual(
      cases.rows.map((c) => [c.code, c.subject.model, Number(c.subject.id)]),
      [['SHOP_CANCEL_AFTER_SHIPPING', 'sale.order', order!.id]],
    );
    assert.match(cases.rows[0]!.title, /after it shipped/);
    assert.equal((await ordersWithRef(`WEB${placed.name}`))[0]!.state, 'sale', 'left as it is');
  });

  test('a refund of an order not invoiced yet is noted on the sale order and opens a case saying why, with no credit note', async () => {
    const shop = h.shop.shop;
    const chair = h.catalog.products[0]!;
    const placed = shop.placeOrder(
      anOrder('ida.krause@example.com', [
        {
          sku: sku(chair.name),
          title: chair.name,
          quantity: 3,
          price: '100.00',
          total_discount: '30.00',
        },
      ]),
    );
    assert.equal((await shop.sendWebhook('orders/create', placed)).status, 200);
    const [order] = await eventually('the sale order is confirmed', async () => {
      const found = await ordersWithRef(`WEB${placed.name}`);
      return found[0]?.state === 'sale' && found;
    });
    const refund = shop.refundOrder(placed, [{ sku: sku(chair.name), quantity: 1 }], 'scratched');
    const sent = await shop.sendWebhook('refunds/create', refund);
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.equal(sent.body.type, 'shop.order.refunded');
    assert.equal((await shop.sendWebhook('refunds/create', refund)).body.duplicate, true);
    const [run] = await eventually('the refund run ends', async () => {
      const r = await runsOf('shop-order-refund', String(placed.id));
      return r[0] && ['completed', 'failed'].includes(r[0].status) && r;
    });
    const detail = await h.crossdock.engine.runs.show(run!.id);
    assert.equal(detail.status, 'completed', JSON.stringify(detail.error));
    const cases = await sql<{
      code: string;
      title: string;
      owner_team: string;
    }>`SELECT error_code AS code, title, owner_team FROM exception_cases WHERE run_id = ${run!.id}`.execute(
      db(),
    );
    assert.deepEqual(
      cases.rows.map((c) => [c.code, c.owner_team]),
      [['SHOP_REFUND_NOT_INVOICED', 'finance']],
    );
    // One chair of three at 100 less its share of the 30 discount: 90 paid, 90 refunded.
    assert.equal(
      cases.rows[0]!.title,
      `Shop refund of 90 EUR on ${order!.name} (WEB${placed.name}), which is not invoiced yet (invoice status to invoice): lower what will be invoiced, or credit it once invoiced`,
    );
    assert.deepEqual(
      await h.rpc('account.move', 'search', [[['invoice_origin', '=', order!.name]]]),
      [],
      'nothing invoiced, nothing credited',
    );
    const notes = await h.chatter('sale.order', order!.id);
    assert.ok(
      notes.some((n) =>
        n.includes(`Refunded in Demo web shop: 90 EUR for 1 x ${sku(chair.name)} (scratched)`),
      ),
      notes.join(' | '),
    );
  });

  test('a stock push under forced 429s converges to Odoo free quantities, with no update lost', async () => {
    // The earlier tests' orders are released and shipped first: their reservations change the
    // free quantities this test reads.
    await h.settled();
    const shop = h.shop.shop;
    // Odoo's free quantities per SKU, as a stock person reads them (on hand less reserved in WH/Stock).
    const expected = async () => {
      const [quants, locations, products] = await Promise.all([
        h.rpc<any[]>(
          'stock.quant',
          'search_read',
          [[['location_id', 'child_of', DEMO_SHOP_ODOO_LOCATION]]],
          {
            fields: ['product_id', 'location_id', 'quantity', 'reserved_quantity', 'write_date'],
          },
        ),
        h.rpc<any[]>(
          'stock.location',
          'search_read',
          [[['id', 'child_of', DEMO_SHOP_ODOO_LOCATION]]],
          {
            fields: ['location_id'],
          },
        ),
        h.rpc<any[]>('product.product', 'search_read', [[['default_code', '!=', false]]], {
          fields: ['default_code'],
        }),
      ]);
      return new Map(
        levelsAt(DEMO_SHOP_ODOO_LOCATION, quants, locations, products).map((l) => [
          l.sku,
          l.available,
        ]),
      );
    };
    const shopShows = () =>
      new Map(
        [...shop.inventory].flatMap(([k, v]) =>
          k.startsWith(`${DEMO_SHOP_LOCATION}:`)
            ? [[k.slice(DEMO_SHOP_LOCATION.length + 1), v]]
            : [],
        ),
      );
    const calls = shop.calls.length;
    shop.throttleNext(3, 1);
    await h.crossdock.engine.accept(
      {
        source: 'crossdock',
        type: 'shop.stock.requested',
        key: 'test:first',
        payload: { via: 'test' },
      },
      'engine',
    );
    const first = await expected();
    assert.ok(first.size >= 4, 'the demo sells several SKUs');
    // Stock changes while the shop answers 429: a receipt of 7 more of one product.
    const product = h.catalog.products[1]!;
    const code = h.shop.skus[product.name]!;
    const [held] = await h.rpc<{ quantity: number }[]>(
      'stock.quant',
      'search_read',
      [
        [
          ['product_id', '=', product.id],
          ['location_id', '=', DEMO_SHOP_ODOO_LOCATION],
        ],
      ],
      { fields: ['quantity'] },
    );
    // Inventory > Physical Inventory: counted 7 more than on hand, applied.
    const quantId = await h.rpc<number>(
      'stock.quant',
      'create',
      [
        {
          product_id: product.id,
          location_id: DEMO_SHOP_ODOO_LOCATION,
          inventory_quantity: (held?.quantity ?? 0) + 7,
        },
      ],
      { context: { inventory_mode: true } },
    );
    await h.rpc('stock.quant', 'action_apply_inventory', [[quantId]]);
    await h.crossdock.engine.accept(
      {
        source: 'crossdock',
        type: 'shop.stock.requested',
        key: 'test:second',
        payload: { via: 'test' },
      },
      'engine',
    );
    const want = await expected();
    assert.equal(want.get(code), (first.get(code) ?? 0) + 7);
    // Named on a failure: each SKU the shop shows otherwise, and what Odoo holds by then.
    let differs: [sku: string, want: number, shows: number | undefined][] = [];
    await eventually(
      'the shop shows Odoo free quantities',
      async () => {
        const shows = shopShows();
        differs = [...want].flatMap(([s, q]) => (shows.get(s) === q ? [] : [[s, q, shows.get(s)]]));
        return differs.length === 0;
      },
      45_000,
    ).catch(async (error: Error) => {
      const now = await expected();
      const named = differs.map(
        ([s, q, v]) => `${s}: read ${q}, shop ${v}, Odoo now ${now.get(s)}`,
      );
      throw new Error(`${error.message} (${named.join('; ')})`);
    });
    const during = shop.calls.slice(calls);
    assert.equal(
      during.filter((c) => c.status === 429).length,
      3,
      'the three forced 429s were met',
    );
    // Each 429 was followed by a wait of at least its Retry-After (1 s).
    for (let i = 0; i < during.length - 1; i++)
      if (during[i]!.status === 429)
        assert.ok(
          during[i + 1]!.at.getTime() - during[i]!.at.getTime() >= 950,
          'Retry-After waited',
        );
    // Whatever else synced meanwhile, the shop ends showing exactly what is stored, nothing due.
    const levels = await eventually(
      'nothing left due, the shop showing every stored level',
      async () => {
        const rows = await listLevels(db(), DEMO_SHOP);
        const shows = shopShows();
        return (
          rows.every(
            (l) => l.pushed_available === l.available && shows.get(l.sku) === l.available,
          ) && rows
        );
      },
    );
    assert.equal(levels.find((l) => l.sku === code)!.available, want.get(code));
  });
});

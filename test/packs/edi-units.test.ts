/**
 * What an EDI coordinator sees of orders in the partner's own units and of lines that cannot
 * all be taken as ordered (packs/edi-orders, the demo's partner: a case is 12 units, the second
 * item comes in cases of 2, prices within 1% are taken): the sale order in the product's unit,
 * the 855 line by line in the partner's unit (accepted, price changed, rejected with the
 * reason, backordered with the date the rest is expected), and the 856 and 810 back in cases.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { JumpingClock, eventually, packHarness, type PackHarness } from './support.ts';
import { confirmedOrder, segmentsOf } from './edi-support.ts';

const ymd = (iso: string) => iso.slice(0, 10).replaceAll('-', '');
/** A price as the partner writes it (cents), and an amount as our documents write it. */
const money = (n: number) => Math.round(n * 100) / 100;
const amount = (n: number) => String(Math.round(n * 10_000) / 10_000);

describe('EDI orders in cases, dozens and pallets; line-level answers', () => {
  let h: PackHarness;
  const clock = new JumpingClock();
  before(async () => {
    h = await packHarness({ clock });
  });
  after(async () => {
    await h?.close();
  });

  const orderOf = (ref: string) => confirmedOrder(h, ref);
  const linesOf = (orderId: number) =>
    h.rpc<{ product_id: [number, string]; product_uom_qty: number; price_unit: number }[]>(
      'sale.order.line',
      'search_read',
      [[['order_id', '=', orderId]]],
      { fields: ['product_id', 'product_uom_qty', 'price_unit'], order: 'id' },
    );
  const received = (kind: string, element: number, value: string) =>
    eventually(`the partner receives our ${kind} for ${value}`, async () =>
      h.edi.partner.received.find(
        (r) => r.kind === kind && segmentsOf(r.interchange)[0]![element] === value,
      ),
    );
  const caseOf = (code: string, po: string) =>
    eventually(`a case ${code} for ${po}`, async () => {
      const { rows } = await sql<{ title: string; owner_team: string }>`
        SELECT title, owner_team FROM exception_cases
        WHERE error_code = ${code} AND title LIKE ${`%${po}%`}`.execute(h.crossdock.store.db);
      return rows[0];
    });
  /** Stock enough on the shelf that nothing is backordered. */
  const stockUp = async (productId: number, quantity: number) =>
    h.odoo.db.call('stock.quant', 'create', [{ product_id: productId, location_id: 8, quantity }]);

  test('cases and dozens become units on the sale order; an unknown unit and an unknown item are rejected line by line; the 855, 856 and 810 speak in cases', async () => {
    const { partner, buyerParts } = h.edi;
    const [chair, , , box] = h.catalog.products as [
      (typeof h.catalog.products)[number],
      (typeof h.catalog.products)[number],
      (typeof h.catalog.products)[number],
      (typeof h.catalog.products)[number],
    ];
    // The lamp has no part number of theirs: they order it by ours (VP).
    const lamp = h.catalog.products.find((p) => p.name.startsWith('LED Desk Lamp'))!;
    const [{ default_code: lampCode }] = await h.rpc<[{ default_code: string }]>(
      'product.product',
      'read',
      [[lamp.id]],
      { fields: ['default_code'] },
    );
    for (const p of [lamp, box]) await stockUp(p.id, 50);
    // A case of archive boxes is 5 of them; the buyer's price is within their 1%.
    const boxCasePrice = money(box.price * 5 * 1.005);
    const boxUnitPrice = Math.round((boxCasePrice / 5) * 1e6) / 1e6;
    const sent = await partner.sendOrder({
      poNumber: 'NH-PO-6001',
      shipTo: { code: '0042', name: 'Store 0042' },
      lines: [
        { qty: 1, uom: 'CA', price: boxCasePrice, ids: [['BP', buyerParts[box.name]!]] },
        { qty: 1, uom: 'DZ', price: money(lamp.price * 12 + 50), ids: [['VP', lampCode]] },
        { qty: 1, uom: 'PL', price: 999, ids: [['BP', buyerParts[chair.name]!]] },
        { qty: 5, uom: 'EA', price: 10, ids: [['BP', 'NH-9999']] },
      ],
    });
    assert.equal(sent.body.status, 'accepted', JSON.stringify(sent.body));

    const order = await orderOf('NH-PO-6001');
    assert.deepEqual(
      (await linesOf(order.id)).map((l) => [l.product_id[0], l.product_uom_qty, l.price_unit]),
      [
        [box.id, 5, boxUnitPrice],
        [lamp.id, 12, lamp.price],
      ],
    );

    const ack = segmentsOf((await received('855', 3, 'NH-PO-6001')).interchange);
    assert.deepEqual(ack[0]!.slice(0, 4), ['BAK', '00', 'AC', 'NH-PO-6001']);
    assert.equal(ack[0]![8], order.name);
    assert.deepEqual(
      ack.filter((s) => s[0] === 'PO1').map((s) => s.slice(1, 5)),
      [
        ['1', '1', 'CA', amount(boxCasePrice)],
        ['2', '1', 'DZ', amount(lamp.price * 12)],
        ['3', '1', 'PL', '999'],
        ['4', '5', 'EA', '10'],
      ],
    );
    assert.deepEqual(
      ack.filter((s) => s[0] === 'ACK'),
      [
        ['ACK', 'IA', '1', 'CA'],
        ['ACK', 'IP', '1', 'DZ'],
        ['ACK', 'IR', '0', 'PL'],
        ['ACK', 'IR', '0', 'EA'],
      ],
    );
    const kase = await caseOf('EDI_ORDER_MAPPING', 'NH-PO-6001');
    assert.equal(kase.owner_team, 'edi');
    assert.match(kase.title, /line 2: ordered at \d+(\.\d+)?, our price is /);
    assert.match(kase.title, /line 3: unit PL has no conversion to .*'s unit for this partner/);
    assert.match(kase.title, /line 4: no product has an identifier we map/);

    // The other packs take the order: released, dispatched, picked up, delivered, invoiced.
    const release = await h.runFor('order-release', order.id, ['completed', 'failed']);
    assert.ok(h.path(release).includes('released'), h.path(release).join(' '));
    const dispatch = await h.runFor('dispatch', order.id, ['completed', 'failed']);
    assert.equal(dispatch.status, 'completed', JSON.stringify(dispatch.error));
    assert.ok(h.path(dispatch).includes('book'), h.path(dispatch).join(' '));
    const [picking] = await h.rpc<{ name: string }[]>(
      'stock.picking',
      'search_read',
      [
        [
          ['sale_id', '=', order.id],
          ['picking_type_code', '=', 'outgoing'],
        ],
      ],
      { fields: ['name'] },
    );
    const booking = h.carriers.profiles.flatMap((p) =>
      h.carriers
        .bookings(p.code)
        .filter((b) => b.reference === picking!.name)
        .map((b) => ({ carrier: p.code, ...b })),
    )[0]!;
    await h.carriers.sendTracking(booking.carrier, {
      tracking_ref: booking.tracking_ref,
      status: 'in_transit',
      location: 'Hamburg hub',
    });
    const asn = segmentsOf((await received('856', 2, picking!.name)).interchange);
    assert.deepEqual(
      asn.filter((s) => s[0] === 'SN1'),
      [
        ['SN1', '', '1', 'CA'],
        ['SN1', '', '1', 'DZ'],
      ],
    );
    await h.carriers.sendTracking(booking.carrier, {
      tracking_ref: booking.tracking_ref,
      status: 'delivered',
      signed_by: 'K. Store',
      proof_ref: `https://pod.test/${booking.tracking_ref}.jpg`,
    });
    const invoice = segmentsOf((await received('810', 4, 'NH-PO-6001')).interchange);
    assert.deepEqual(
      invoice.filter((s) => s[0] === 'IT1').map((s) => s.slice(2, 5)),
      [
        ['1', 'CA', amount(boxUnitPrice * 5)],
        ['1', 'DZ', amount(lamp.price * 12)],
      ],
    );
  });

  test('an order with no line we can take makes no sale order: an 855 rejects it and a case opens', async () => {
    const { partner, buyerParts } = h.edi;
    const chair = h.catalog.products[0]!;
    const sent = await partner.sendOrder({
      poNumber: 'NH-PO-6002',
      lines: [
        { qty: 1, uom: 'PL', price: 100, ids: [['BP', buyerParts[chair.name]!]] },
        { qty: 2, uom: 'EA', price: 10, ids: [['BP', 'NH-0000']] },
      ],
    });
    assert.equal(sent.body.status, 'accepted');
    const ack = segmentsOf((await received('855', 3, 'NH-PO-6002')).interchange);
    assert.deepEqual(ack[0]!.slice(0, 4), ['BAK', '00', 'RJ', 'NH-PO-6002']);
    assert.equal(ack[0]![8], '');
    assert.deepEqual(
      ack.filter((s) => s[0] === 'ACK'),
      [
        ['ACK', 'IR', '0', 'PL'],
        ['ACK', 'IR', '0', 'EA'],
      ],
    );
    const kase = await caseOf('EDI_ORDER_REFUSED', 'NH-PO-6002');
    assert.match(kase.title, /has no line we can take: line 1: unit PL .*; line 2: no product/);
    assert.deepEqual(
      await h.rpc('sale.order', 'search', [[['client_order_ref', '=', 'NH-PO-6002']]]),
      [],
    );
  });

  test('the backordered rest carries the date it is expected: the incoming receipt, else the vendor lead time', async () => {
    // The earlier orders' runs are done first: the acknowledgement is checked against the free
    // quantities read here.
    await h.settled();
    const { partner, buyerParts } = h.edi;
    const [, , third, fourth] = h.catalog.products;
    const freeOf = async (id: number) =>
      Math.floor(
        (
          await h.rpc<{ free_qty: number }[]>('product.product', 'read', [[id]], {
            fields: ['free_qty'],
          })
        )[0]!.free_qty,
      );
    const vendor = (await h.odoo.db.call('res.partner', 'create', [
      { name: 'Regalbau Nord GmbH', is_company: true },
    ])) as number;
    // The third product is on its way: a confirmed purchase of 20, due on the 18th.
    const purchase = (await h.odoo.db.call('purchase.order', 'create', [
      {
        partner_id: vendor,
        order_line: [
          [
            0,
            0,
            {
              product_id: third!.id,
              product_qty: 20,
              price_unit: 20,
              date_planned: '2026-12-18 09:00:00',
            },
          ],
        ],
      },
    ])) as number;
    await h.rpc('purchase.order', 'button_confirm', [[purchase]]);
    // The fourth is bought from a vendor that delivers in 9 days; nothing is ordered yet.
    const [variant] = await h.rpc<{ product_tmpl_id: [number, string] }[]>(
      'product.product',
      'read',
      [[fourth!.id]],
      { fields: ['product_tmpl_id'] },
    );
    await h.odoo.db.call('product.supplierinfo', 'unlink', [
      await h.rpc<number[]>('product.supplierinfo', 'search', [
        [['product_tmpl_id', '=', variant!.product_tmpl_id[0]]],
      ]),
    ]);
    await h.odoo.db.call('product.supplierinfo', 'create', [
      { partner_id: vendor, product_tmpl_id: variant!.product_tmpl_id[0], price: 5, delay: 9 },
    ]);
    const [free3, free4] = [await freeOf(third!.id), await freeOf(fourth!.id)];
    const sent = await partner.sendOrder({
      poNumber: 'NH-PO-6003',
      requested: new Date('2026-12-10T00:00:00Z'),
      lines: [
        // In cases of 12: the whole cases on the shelf ship now, the one more comes with the receipt.
        {
          qty: Math.floor(free3 / 12) + 1,
          uom: 'CA',
          price: money(third!.price * 12),
          ids: [['BP', buyerParts[third!.name]!]],
        },
        { qty: free4 + 2, price: fourth!.price, ids: [['BP', buyerParts[fourth!.name]!]] },
      ],
    });
    assert.equal(sent.body.status, 'accepted');
    const ack = segmentsOf((await received('855', 3, 'NH-PO-6003')).interchange);
    const inNineDays = new Date(`${clock.now().toISOString().slice(0, 10)}T00:00:00Z`);
    inNineDays.setUTCDate(inNineDays.getUTCDate() + 9);
    const promised = (free: number, uom: string, rest: string[]) =>
      free > 0 ? [['ACK', 'IA', String(free), uom, '068', '20261210'], rest] : [rest];
    assert.deepEqual(
      ack.filter((s) => s[0] === 'ACK'),
      [
        ...promised(Math.floor(free3 / 12), 'CA', ['ACK', 'IB', '1', 'CA', '068', '20261218']),
        ...promised(free4, 'EA', [
          'ACK',
          'IB',
          free4 > 0 ? '2' : String(free4 + 2),
          'EA',
          '068',
          ymd(inNineDays.toISOString()),
        ]),
      ],
    );
  });
});

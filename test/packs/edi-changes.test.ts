/**
 * A partner's 860 purchase order change (packs/edi-orders, edi-purchase-order-change): applied
 * to the sale order while nothing has shipped, answered by a 997 and an 865 line by line; the
 * same interchange again changes nothing more; a change to an order already shipped is refused
 * in the 865 and opens a case.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { JumpingClock, eventually, packHarness, type PackHarness } from './support.ts';
import { confirmedOrder, segmentsOf } from './edi-support.ts';

describe('EDI order changes: 860 in, 997 and 865 out', () => {
  let h: PackHarness;
  const clock = new JumpingClock();
  before(async () => {
    h = await packHarness({ clock });
  });
  after(async () => {
    await h?.close();
  });

  const orderOf = (ref: string) => confirmedOrder(h, ref);
  const linesOf = async (orderId: number) =>
    (
      await h.rpc<{ product_id: [number, string]; product_uom_qty: number }[]>(
        'sale.order.line',
        'search_read',
        [[['order_id', '=', orderId]]],
        { fields: ['product_id', 'product_uom_qty'], order: 'id' },
      )
    ).map((l) => [l.product_id[0], l.product_uom_qty]);
  const all = (kind: string, element: number, value: string) =>
    h.edi.partner.received.filter(
      (r) => r.kind === kind && segmentsOf(r.interchange)[0]![element] === value,
    );
  const received = (kind: string, element: number, value: string) =>
    eventually(`the partner receives our ${kind} for ${value}`, async () =>
      all(kind, element, value).at(0),
    );
  const caseOf = (code: string, po: string) =>
    eventually(`a case ${code} for ${po}`, async () => {
      const { rows } = await sql<{ title: string; owner_team: string }>`
        SELECT title, owner_team FROM exception_cases
        WHERE error_code = ${code} AND title LIKE ${`%${po}%`}`.execute(h.crossdock.store.db);
      return rows[0];
    });
  const runsDone = (po: string) =>
    eventually(`the change runs of ${po} end`, async () => {
      const { rows } = await sql<{ status: string }>`
        SELECT status FROM runs WHERE workflow_id = 'edi-purchase-order-change'
        AND input->>'po_number' = ${po}`.execute(h.crossdock.store.db);
      return rows.length > 0 && rows.every((r) => r.status === 'completed') && rows;
    });
  const stockUp = async (productId: number, quantity: number) =>
    h.odoo.db.call('stock.quant', 'create', [{ product_id: productId, location_id: 8, quantity }]);

  test('an 860 before shipping changes quantities, cancels and adds lines and moves the date; the 865 answers each line; a repeat changes nothing more', async () => {
    const { partner, buyerParts } = h.edi;
    const [chair, , shelving, box] = h.catalog.products;
    const poDate = new Date('2026-12-01T00:00:00Z');
    const placed = await partner.sendOrder({
      poNumber: 'NH-PO-7001',
      lines: [
        { qty: 2, price: chair!.price, ids: [['BP', buyerParts[chair!.name]!]] },
        { qty: 1, uom: 'CA', price: box!.price * 5, ids: [['BP', buyerParts[box!.name]!]] },
      ],
    });
    assert.equal(placed.body.status, 'accepted');
    const order = await orderOf('NH-PO-7001');
    await received('855', 3, 'NH-PO-7001');
    assert.deepEqual(await linesOf(order.id), [
      [chair!.id, 2],
      [box!.id, 5],
    ]);

    const change = {
      poNumber: 'NH-PO-7001',
      poDate,
      sequence: '1',
      requested: new Date('2026-12-24T00:00:00Z'),
      lines: [
        { line: '1', change: 'QI', qty: 4, uom: 'EA', ids: [['BP', buyerParts[chair!.name]!]] },
        { line: '2', change: 'DI', ids: [['BP', buyerParts[box!.name]!]] },
        { line: '3', change: 'AI', qty: 1, uom: 'CA', ids: [['BP', buyerParts[shelving!.name]!]] },
        { line: '7', change: 'QD', qty: 1, uom: 'EA', ids: [['BP', 'NH-9999']] },
      ] as { line: string; change: string; qty?: number; uom?: string; ids: [string, string][] }[],
      control: 880001,
    };
    const sent = await partner.sendChange(change);
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.equal(sent.body.status, 'accepted');
    assert.deepEqual(sent.body.changes, ['NH-PO-7001']);
    const ack = await received('997', 2, '880001');
    assert.deepEqual(segmentsOf(ack.interchange), [
      ['AK1', 'PC', '880001'],
      ['AK2', '860', '0001'],
      ['AK5', 'A'],
      ['AK9', 'A', '1', '1', '1'],
    ]);

    const run = await eventually('the change run ends', async () => {
      const { rows } = await sql<{ status: string; error: unknown }>`
        SELECT status, error FROM runs WHERE workflow_id = 'edi-purchase-order-change'
        AND input->>'po_number' = 'NH-PO-7001'`.execute(h.crossdock.store.db);
      return rows.find((r) => ['completed', 'failed', 'waiting'].includes(r.status));
    });
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    const answer = segmentsOf((await received('865', 3, 'NH-PO-7001')).interchange);
    assert.deepEqual(answer[0]!.slice(0, 10), [
      'BCA',
      '04',
      'AC',
      'NH-PO-7001',
      '',
      '1',
      '20261201',
      '',
      '',
      order.name,
    ]);
    assert.deepEqual(
      answer.filter((s) => s[0] === 'DTM' || s[0] === 'ACK'),
      [
        ['DTM', '002', '20261224'],
        ['ACK', 'IA', '4', 'EA'],
        ['ACK', 'IA', '0', 'CA'],
        ['ACK', 'IA', '1', 'CA'],
        ['ACK', 'IR', '0', 'EA'],
      ],
    );
    // The box line stays at 0 (a confirmed order keeps its lines); a case of shelving is 12.
    assert.deepEqual(await linesOf(order.id), [
      [chair!.id, 4],
      [box!.id, 0],
      [shelving!.id, 12],
    ]);
    const [read] = await h.rpc<{ commitment_date: string; origin: string }[]>(
      'sale.order',
      'read',
      [[order.id]],
      { fields: ['commitment_date', 'origin'] },
    );
    assert.equal(read!.commitment_date, '2026-12-24 12:00:00');
    assert.match(read!.origin, / \| 860 000880001\/880001\/0001$/);
    const kase = await caseOf('EDI_CHANGE_PARTLY_REFUSED', 'NH-PO-7001');
    assert.equal(kase.owner_team, 'edi');
    assert.match(kase.title, /line 7: the order has no line 7/);
    await runsDone('NH-PO-7001');

    // The same interchange again: a duplicate; no second change, no second 865.
    const again = await partner.sendChange(change);
    assert.equal(again.body.duplicate, true);
    await runsDone('NH-PO-7001');
    assert.equal(all('865', 3, 'NH-PO-7001').length, 1);
    assert.deepEqual(await linesOf(order.id), [
      [chair!.id, 4],
      [box!.id, 0],
      [shelving!.id, 12],
    ]);
  });

  test('a change to an order already shipped is refused in the 865 and opens a case; the order stays as it was', async () => {
    const { partner } = h.edi;
    const lamp = h.catalog.products.find((p) => p.name.startsWith('LED Desk Lamp'))!;
    const [{ default_code: lampCode }] = await h.rpc<[{ default_code: string }]>(
      'product.product',
      'read',
      [[lamp.id]],
      { fields: ['default_code'] },
    );
    await stockUp(lamp.id, 20);
    await partner.sendOrder({
      poNumber: 'NH-PO-7002',
      lines: [{ qty: 3, price: lamp.price, ids: [['VP', lampCode]] }],
    });
    const order = await orderOf('NH-PO-7002');
    await received('855', 3, 'NH-PO-7002');
    // The warehouse ships it: the delivery is validated in Odoo.
    const [delivery] = await h.rpc<number[]>('stock.picking', 'search', [
      [
        ['sale_id', '=', order.id],
        ['picking_type_code', '=', 'outgoing'],
      ],
    ]);
    await h.rpc('stock.picking', 'action_assign', [[delivery]]);
    await h.rpc('stock.picking', 'button_validate', [[delivery]], {
      context: { skip_sms: true, skip_backorder: true },
    });
    const [picking] = await h.rpc<{ name: string; state: string }[]>(
      'stock.picking',
      'read',
      [[delivery]],
      { fields: ['name', 'state'] },
    );
    assert.equal(picking!.state, 'done');

    const sent = await partner.sendChange({
      poNumber: 'NH-PO-7002',
      poDate: new Date('2026-12-02T00:00:00Z'),
      lines: [{ line: '1', change: 'QI', qty: 6, uom: 'EA', ids: [['VP', lampCode]] }],
    });
    assert.equal(sent.body.status, 'accepted');
    const answer = segmentsOf((await received('865', 3, 'NH-PO-7002')).interchange);
    assert.deepEqual(answer[0]!.slice(0, 4), ['BCA', '04', 'RJ', 'NH-PO-7002']);
    assert.equal(answer[0]![9], order.name);
    assert.deepEqual(
      answer.filter((s) => s[0] === 'ACK'),
      [['ACK', 'IR', '0', 'EA']],
    );
    const kase = await caseOf('EDI_CHANGE_REFUSED', 'NH-PO-7002');
    assert.ok(
      kase.title.startsWith('EDI change of order NH-PO-7002 from ') &&
        kase.title.endsWith(` refused: delivery ${picking!.name} has been shipped`),
      kase.title,
    );
    assert.deepEqual(await linesOf(order.id), [[lamp.id, 3]]);
  });
});

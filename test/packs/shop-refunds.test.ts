/**
 * Shop refunds become credit notes (packs/shop-orders, shop-order-refund.yaml) end to end, on
 * the demo's simulators: a shop order is made a sale order, shipped, delivered and invoiced by
 * the packs; the shop then refunds it in parts. Each refund is one credit note of the invoice
 * for the refunded quantities and the shipping given back, however often its webhook comes;
 * above the shop's `post_up_to` it stays draft for finance; a refund of more than is left to
 * credit is refused into a case naming both amounts, and nothing is written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { DEMO_REFUND_POST_UP_TO, DEMO_SHIP_PRODUCT } from '../../src/demo/shop.ts';
import type { ShopOrder, ShopRefund } from '../../sim/shop/index.ts';
import { waitForRun } from '../support/engine.ts';
import { deliverAndInvoice, eventually, packHarness, type PackHarness } from './support.ts';

interface Move {
  id: number;
  name: string;
  state: string;
  ref: string | false;
  amount_total: number;
  amount_residual: number;
  payment_state: string;
}

describe('shop refunds: credit notes of the invoice, once per refund', () => {
  let h: PackHarness;
  let placed: ShopOrder;
  let order: { id: number; name: string };
  let invoice: { id: number; name: string; amount_total: number };
  let chairSku: string;
  let chairId: number;
  let shipId: number;
  before(async () => {
    h = await packHarness();
    const chair = h.catalog.products[0]!;
    chairSku = h.shop.skus[chair.name]!;
    chairId = chair.id;
    const [ship] = await h.rpc<number[]>('product.product', 'search', [
      [['default_code', '=', DEMO_SHIP_PRODUCT]],
    ]);
    shipId = ship!;
    placed = h.shop.shop.placeOrder({
      email: 'jonas.richter@example.com',
      customer: { first_name: 'Jonas', last_name: 'Richter' },
      shipping_address: {
        first_name: 'Jonas',
        last_name: 'Richter',
        address1: 'Königsallee 12',
        city: 'Düsseldorf',
        zip: '40212',
        country_code: 'DE',
      },
      line_items: [
        { sku: chairSku, title: chair.name, quantity: 4, price: '200.00', total_discount: '40.00' },
      ],
      shipping: { title: 'Standard', price: '4.90' },
    });
    assert.equal((await h.shop.shop.sendWebhook('orders/create', placed)).status, 200);
    const [confirmed] = await eventually('the shop order is a confirmed sale order', async () => {
      const found = await h.rpc<{ id: number; name: string; state: string }[]>(
        'sale.order',
        'search_read',
        [[['client_order_ref', '=', `WEB${placed.name}`]]],
        { fields: ['name', 'state'] },
      );
      return found[0]?.state === 'sale' && found;
    });
    ({ order, invoice } = await deliverAndInvoice(h, confirmed!));
  });
  after(async () => {
    await h?.close();
  });

  const db = () => h.crossdock.store.db;
  const refundRuns = async (refundId: number) =>
    (
      await sql<{
        id: string;
        status: string;
      }>`SELECT id, status FROM runs WHERE workflow_id = 'shop-order-refund' AND input->>'refund_id' = ${String(refundId)} ORDER BY id`.execute(
        db(),
      )
    ).rows;
  const finished = async (refundId: number) => {
    const [run] = await eventually(`the run of refund ${refundId} ends`, async () => {
      const runs = await refundRuns(refundId);
      return runs[0] && ['completed', 'failed'].includes(runs[0].status) && runs;
    });
    const detail = await waitForRun(h.crossdock.engine, run!.id, ['completed', 'failed'], 30_000);
    assert.equal(detail.status, 'completed', JSON.stringify(detail.error));
    return detail;
  };
  const casesOf = async (runId: string) =>
    (
      await sql<{
        code: string;
        title: string;
        owner_team: string;
        subject: { model: string; id: string | number };
      }>`SELECT error_code AS code, title, owner_team, subject FROM exception_cases WHERE run_id = ${runId} ORDER BY id`.execute(
        db(),
      )
    ).rows;
  const creditNotes = () =>
    h.rpc<Move[]>(
      'account.move',
      'search_read',
      [
        [
          ['reversed_entry_id', '=', invoice.id],
          ['move_type', '=', 'out_refund'],
        ],
      ],
      {
        fields: ['name', 'state', 'ref', 'amount_total', 'amount_residual', 'payment_state'],
        order: 'id',
      },
    );
  const productLines = (moveId: number) =>
    h.rpc<
      { product_id: [number, string]; quantity: number; price_unit: number; discount: number }[]
    >(
      'account.move.line',
      'search_read',
      [
        [
          ['move_id', '=', moveId],
          ['display_type', '=', 'product'],
        ],
      ],
      { fields: ['product_id', 'quantity', 'price_unit', 'discount'], order: 'id' },
    );
  const send = async (refund: ShopRefund, o: { webhookId?: string } = {}) => {
    const sent = await h.shop.shop.sendWebhook('refunds/create', refund, o);
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    return sent.body.duplicate as boolean;
  };

  test('a partial refund with part of the shipping, its webhook five times and its event once more under another key, is one posted credit note for that chair and that shipping', async () => {
    const refund = h.shop.shop.refundOrder(
      placed,
      [{ sku: chairSku, quantity: 1 }],
      'arrived scratched',
      { shipping: '2.00' },
    );
    const webhookId = '0d6a3c1e-8f0e-4d3a-9d5b-4b1f6f2a7c11';
    const duplicates = [];
    for (let i = 0; i < 5; i++) duplicates.push(await send(refund, { webhookId }));
    assert.deepEqual(duplicates, [false, true, true, true, true]);
    const first = await finished(refund.id);
    // The same refund accepted again as another event (as if the shop had keyed it anew) runs
    // again: the credit note step finds its credit note by the refund in its ref.
    const [run] = await refundRuns(refund.id);
    const again = await h.crossdock.engine.accept(
      {
        source: 'shop.webshop',
        type: 'shop.order.refunded',
        key: `refunds/create:${refund.id}:again`,
        payload: (await h.crossdock.engine.runs.show(run!.id)).input as Record<string, unknown>,
      },
      'engine',
    );
    assert.equal(again.duplicate, false);
    await eventually('the second run of the refund ends', async () => {
      const runs = await refundRuns(refund.id);
      return runs.length === 2 && runs.every((r) => r.status === 'completed');
    });

    const notes = await creditNotes();
    assert.equal(notes.length, 1, 'one credit note for the refund');
    const [note] = notes;
    assert.equal(note!.ref, `Reversal of: ${invoice.name}, shop webshop refund ${refund.id}`);
    assert.equal(note!.state, 'posted', `${refund.transactions[0]!.amount} is within the policy`);
    // One chair of four at 200 less its 5% share of the discount, and 2.00 of the 4.90 shipping.
    assert.deepEqual(
      (await productLines(note!.id)).map((l) => [
        l.product_id[0],
        l.quantity,
        l.price_unit,
        l.discount,
      ]),
      [
        [chairId, 1, 200, 5],
        [shipId, 1, 2, 0],
      ],
    );
    assert.equal(refund.transactions[0]!.amount, '192.00');
    assert.equal(note!.payment_state, 'paid', 'reconciled with the invoice at posting');
    const [after] = await h.rpc<Move[]>('account.move', 'read', [[invoice.id]], {
      fields: ['amount_residual', 'payment_state'],
    });
    assert.equal(
      after!.amount_residual,
      Math.round((invoice.amount_total - note!.amount_total) * 100) / 100,
    );
    // The run names the credit note; the sale order's chatter too.
    assert.deepEqual(first.output, {
      refund: String(refund.id),
      order: order.name,
      invoice: invoice.name,
      credit_note: note!.name,
      credit_note_id: note!.id,
      state: 'posted',
      amount_total: note!.amount_total,
    });
    const chatter = await h.chatter('sale.order', order.id);
    assert.ok(
      chatter.some((m) => m.includes(`Credit note ${note!.name} (posted`)),
      chatter.join(' | '),
    );
    assert.ok(
      chatter.some((m) =>
        m.includes(
          `Refunded in Demo web shop: 192 EUR for 1 x ${chairSku} and 2 shipping (arrived scratched)`,
        ),
      ),
      chatter.join(' | '),
    );
  });

  test('a refund above the shop policy leaves its credit note draft and asks finance to post it', async () => {
    const refund = h.shop.shop.refundOrder(placed, [{ sku: chairSku, quantity: 3 }]);
    assert.ok(Number(refund.transactions[0]!.amount) > DEMO_REFUND_POST_UP_TO);
    assert.equal(await send(refund), false);
    const run = await finished(refund.id);
    const notes = await creditNotes();
    const note = notes.find(
      (n) => n.ref === `Reversal of: ${invoice.name}, shop webshop refund ${refund.id}`,
    );
    assert.equal(note?.state, 'draft');
    assert.deepEqual(
      (await productLines(note!.id)).map((l) => [l.product_id[0], l.quantity]),
      [[chairId, 3]],
    );
    const cases = await casesOf(run.id);
    assert.deepEqual(
      cases.map((c) => [c.code, c.owner_team, c.subject.model, Number(c.subject.id)]),
      [['SHOP_REFUND_CREDIT_NOTE_DRAFT', 'finance', 'account.move', note!.id]],
    );
    assert.equal(
      cases[0]!.title,
      `Shop refund of 570 EUR on ${order.name}: its draft credit note is above ${DEMO_REFUND_POST_UP_TO}, check and post it`,
    );
    assert.equal((run.output as { state: string }).state, 'draft');
  });

  test('a refund of more than is left to credit is refused into a case naming both amounts, and nothing is written', async () => {
    const before = await creditNotes();
    const refund = h.shop.shop.refundOrder(placed, [{ sku: chairSku, quantity: 1 }]);
    refund.transactions[0]!.amount = '5000.00';
    assert.equal(await send(refund), false);
    const run = await finished(refund.id);
    const credited = before.reduce((sum, n) => sum + n.amount_total, 0);
    const left = Math.round((invoice.amount_total - credited) * 100) / 100;
    const cases = await casesOf(run.id);
    assert.deepEqual(
      cases.map((c) => [c.code, c.owner_team, c.subject.model, Number(c.subject.id)]),
      [['SHOP_REFUND_OVER_INVOICED', 'finance', 'sale.order', order.id]],
    );
    assert.equal(
      cases[0]!.title,
      `Shop refund on ${order.name} (WEB${placed.name}) not credited: the refund of 5000.00 is more than the ${left.toFixed(2)} left to credit (invoiced ${invoice.amount_total.toFixed(2)}, credited ${credited.toFixed(2)})`,
    );
    assert.deepEqual(await creditNotes(), before);
  });
});

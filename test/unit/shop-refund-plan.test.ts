/**
 * `shop.plan_refund`: what a shop refund becomes against the order's posted invoices, the
 * credit notes already made of them, and the shop's posting limit.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planRefund } from '../../src/connectors/shop/index.ts';

const CHAIR = 43;
const LAMP = 44;
const SHIP = 40;
const products = [
  { id: CHAIR, default_code: 'CHAIR' },
  { id: LAMP, default_code: 'LAMP' },
  { id: SHIP, default_code: 'SHIP-STD' },
];
const invoice = { id: 29, name: 'INV/2026/00005', amount_total: 925.64 };
const invoiceLines = [
  {
    move_id: [29, 'INV/2026/00005'] as [number, string],
    product_id: [CHAIR, 'Chair'] as [number, string],
    quantity: 4,
    price_unit: 200,
  },
  {
    move_id: [29, 'INV/2026/00005'] as [number, string],
    product_id: [SHIP, 'Shipping'] as [number, string],
    quantity: 1,
    price_unit: 4.9,
  },
];
const refund = (extra: Partial<Parameters<typeof planRefund>[0]> = {}) =>
  planRefund({
    reason: 'shop webshop refund 7',
    amount: 190,
    lines: [{ sku: 'CHAIR', quantity: 1 }],
    shipping_amount: 0,
    shipping_product: 'SHIP-STD',
    post_up_to: 500,
    products,
    invoices: [invoice],
    invoice_lines: invoiceLines,
    credit_notes: [],
    ...extra,
  });

describe('shop refund plan', () => {
  test('refunded quantities and the whole shipping are credited on the invoice, posted within the limit', () => {
    const plan = refund({ amount: 194.9, shipping_amount: 4.9 });
    assert.equal(plan.decision, 'credit');
    assert.equal(plan.invoice_id, 29);
    assert.deepEqual(plan.credit_lines, [
      { product_id: CHAIR, quantity: 1 },
      { product_id: SHIP, quantity: 1 },
    ]);
    assert.equal(plan.post, true);
  });

  test('part of the shipping is credited at the amount given back', () => {
    assert.deepEqual(refund({ amount: 192, shipping_amount: 2 }).credit_lines, [
      { product_id: CHAIR, quantity: 1 },
      { product_id: SHIP, quantity: 1, price_unit: 2 },
    ]);
  });

  test('above the limit the credit note is made but not posted; without a limit every one is', () => {
    assert.equal(refund({ amount: 570, lines: [{ sku: 'CHAIR', quantity: 3 }] }).post, false);
    assert.equal(
      refund({ amount: 570, lines: [{ sku: 'CHAIR', quantity: 3 }], post_up_to: null }).post,
      true,
    );
  });

  test('no posted invoice: not invoiced, nothing to credit', () => {
    const plan = refund({ invoices: [], invoice_lines: [] });
    assert.equal(plan.decision, 'not-invoiced');
    assert.deepEqual(plan.credit_lines, []);
  });

  test("more than is left to credit is refused naming both amounts; the refund's own credit note does not count", () => {
    const credit_notes = [
      { ref: 'Reversal of: INV/2026/00005, shop webshop refund 5', amount_total: 700 },
      { ref: 'Reversal of: INV/2026/00005, shop webshop refund 7', amount_total: 218.5 },
    ];
    const plan = refund({ amount: 250, credit_notes });
    assert.equal(plan.decision, 'over-invoiced');
    assert.equal(
      plan.why,
      'the refund of 250.00 is more than the 225.64 left to credit (invoiced 925.64, credited 700.00)',
    );
    assert.equal(refund({ amount: 190, credit_notes }).decision, 'credit');
  });

  test('a SKU no product has, a product on no invoice, more than invoiced, or shipping with no shipping product: not credited, saying which', () => {
    assert.deepEqual(
      [refund({ lines: [{ sku: 'GHOST', quantity: 1 }] })].map((p) => [p.decision, p.why]),
      [['not-on-invoice', 'GHOST is no product in Odoo']],
    );
    assert.equal(refund({ lines: [{ sku: 'LAMP', quantity: 1 }] }).decision, 'not-on-invoice');
    assert.equal(refund({ lines: [{ sku: 'CHAIR', quantity: 5 }] }).decision, 'not-on-invoice');
    assert.equal(
      refund({ shipping_amount: 4.9, shipping_product: null }).why,
      'shipping is refunded, but the shop has no shipping product configured',
    );
    assert.equal(refund({ amount: 10, shipping_amount: 10 }).decision, 'not-on-invoice');
  });

  test('an amount with no line and no shipping is left to a person', () => {
    assert.equal(refund({ lines: [], amount: 20 }).decision, 'nothing-to-credit');
  });

  test('of two invoices, the first that carries every refunded line is credited', () => {
    const second = { id: 31, name: 'INV/2026/00007', amount_total: 57.5 };
    const plan = refund({
      amount: 50,
      lines: [{ sku: 'LAMP', quantity: 1 }],
      invoices: [invoice, second],
      invoice_lines: [
        ...invoiceLines,
        { move_id: [31, second.name], product_id: [LAMP, 'Lamp'], quantity: 1, price_unit: 50 },
      ],
    });
    assert.deepEqual([plan.decision, plan.invoice], ['credit', second.name]);
  });
});

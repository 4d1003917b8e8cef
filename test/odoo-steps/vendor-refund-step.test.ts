/**
 * odoo.return_picking on a receipt and odoo.vendor_refund through the engine against the
 * simulator, which answers the return to the vendor as the recorded Odoo 17 did (ret-20..29):
 * the return is an outgoing picking that keeps the order, validating it lowers the received
 * quantity, and action_create_invoice then makes a vendor refund. The refund step finds its
 * own refund again when Odoo's answer was lost after the call, makes nothing when the order
 * still has goods to bill (Odoo would mix them into one bill) or nothing billed to refund.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { attemptsOf, outputsOf, startHarness, type Harness } from './support.ts';

const RETRY = '{ max_attempts: 4, initial_delay_ms: 1, max_delay_ms: 5, jitter: 0 }';

const WORKFLOWS = [
  `
id: to-vendor
trigger: { event: to-vendor }
steps:
  - id: return
    type: odoo.return_picking
    with: { picking_id: "= input.receipt", reference: "= input.reference", lines: "= input.lines" }
    retry: ${RETRY}
  - id: validate
    type: odoo.validate_picking
    with: { picking_id: "= steps.return.output.return_id", backorder: create }
  - id: refund
    type: odoo.vendor_refund
    with: { order_id: "= input.order", reference: "= input.reference", lines: "= input.lines" }
    retry: ${RETRY}
`,
];

describe('odoo.vendor_refund after a return to the vendor', () => {
  let h: Harness;
  before(async () => (h = await startHarness(WORKFLOWS)));
  after(() => h.close());

  /** A purchase order from vendor 9 (cabinets 21 at 120.5, drawers 32 at 95.5), received; billed when asked. */
  async function received(lines: [number, number][], billed: boolean) {
    const order = (await h.sim.db.call('purchase.order', 'create', [
      {
        partner_id: 9,
        partner_ref: `WC-${lines.join('-')}`,
        order_line: lines.map(([product, qty]) => [
          0,
          0,
          { product_id: product, product_qty: qty, price_unit: product === 21 ? 120.5 : 95.5 },
        ]),
      },
    ])) as number;
    await h.sim.db.call('purchase.order', 'button_confirm', [[order]]);
    const [receipt] = h.sim.db.searchRead('stock.picking', [['purchase_id', '=', order]], ['id']);
    await h.sim.db.call('stock.picking', 'button_validate', [[receipt!.id]]);
    if (billed) {
      const bill = (await h.sim.db.call('purchase.order', 'action_create_invoice', [[order]])) as {
        res_id: number;
      };
      await h.sim.db.call('account.move', 'write', [[bill.res_id], { invoice_date: '2026-12-04' }]);
      await h.sim.db.call('account.move', 'action_post', [[bill.res_id]]);
    }
    return { order, receipt: receipt!.id as number };
  }
  const refundsOf = (order: number) => {
    const [po] = h.sim.db.searchRead('purchase.order', [['id', '=', order]], ['name']);
    return h.sim.db.searchRead(
      'account.move',
      [
        ['invoice_origin', '=', po!.name],
        ['move_type', '=', 'in_refund'],
      ],
      ['state', 'ref', 'amount_total'],
    );
  };

  test('an answer lost after action_create_invoice: the retry takes the unmarked draft refund and marks it; one refund, at the order price', async () => {
    const { order, receipt } = await received(
      [
        [21, 10],
        [32, 5],
      ],
      true,
    );
    h.loseAnswers('purchase.order', 'action_create_invoice', 1);
    const run = await h.run('to-vendor', {
      order,
      receipt,
      reference: 'NCR-1',
      lines: [{ product_id: 21, quantity: 2 }],
    });
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    const [back] = h.sim.db.searchRead(
      'stock.picking',
      [['return_id', '=', receipt]],
      ['picking_type_code', 'state', 'purchase_id'],
    );
    assert.equal(back?.picking_type_code, 'outgoing');
    assert.equal(back?.state, 'done');
    assert.equal((back?.purchase_id as [number, string])[0], order);
    assert.deepEqual(
      attemptsOf(run, 'refund').map(([attempt, status]) => [attempt, status]),
      [
        [1, 'failed'],
        [2, 'completed'],
      ],
    );
    const refunds = refundsOf(order);
    assert.equal(refunds.length, 1, 'one refund');
    assert.equal(refunds[0]!.state, 'draft');
    assert.equal(refunds[0]!.amount_total, 277.15, '2 x 120.5 and 15 % tax');
    assert.equal(refunds[0]!.ref, `WC-21,10-32,5, return NCR-1`);
    const [output] = outputsOf(run, 'refund') as { created: boolean; exact: boolean }[];
    assert.deepEqual([output?.created, output?.exact], [false, true]);
    assert.equal(
      h.sim.calls.count({ model: 'purchase.order', method: 'action_create_invoice' }),
      2,
    );
  });

  test('goods returned before they were billed: nothing to refund, nothing made', async () => {
    const { order, receipt } = await received([[32, 4]], false);
    const run = await h.run('to-vendor', {
      order,
      receipt,
      reference: 'NCR-2',
      lines: [{ product_id: 32, quantity: 1 }],
    });
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.deepEqual(outputsOf(run, 'refund'), [{ status: 'nothing-to-refund', refund_id: null }]);
    assert.deepEqual(refundsOf(order), []);
  });

  test('an order with goods still to bill on another line: no mixed bill is made', async () => {
    const { order, receipt } = await received(
      [
        [21, 2],
        [32, 4],
      ],
      false,
    );
    // The vendor billed the cabinets only: the drawers are still to bill.
    const bill = (await h.sim.db.call('purchase.order', 'action_create_invoice', [[order]])) as {
      res_id: number;
    };
    const drawers = h.sim.db.searchRead(
      'account.move.line',
      [
        ['move_id', '=', bill.res_id],
        ['product_id', '=', 32],
      ],
      ['id'],
    );
    await h.sim.db.call('account.move', 'write', [
      [bill.res_id],
      { invoice_date: '2026-12-04', invoice_line_ids: drawers.map((l) => [2, l.id]) },
    ]);
    await h.sim.db.call('account.move', 'action_post', [[bill.res_id]]);
    const run = await h.run('to-vendor', {
      order,
      receipt,
      reference: 'NCR-3',
      lines: [{ product_id: 21, quantity: 1 }],
    });
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.deepEqual(outputsOf(run, 'refund'), [{ status: 'mixed', refund_id: null }]);
    assert.deepEqual(refundsOf(order), []);
  });
});

/**
 * odoo.validate_picking and odoo.invoice_from_order through the engine against the
 * simulator, which answers button_validate as the recorded Odoo 17 did: the SMS wizard
 * on the company's first delivery to a partner with a phone, the backorder wizard below
 * the demand, true otherwise, a UserError when nothing is reserved.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { attemptsOf, confirmedDelivery, outputsOf, startHarness, type Harness } from './support.ts';

const RETRY = '{ max_attempts: 4, initial_delay_ms: 1, max_delay_ms: 5, jitter: 0 }';
const STOP = `
  - id: stop
    type: fail
    with: { code: STOP_HERE, message: stops the run so that it can be replayed }`;

const WORKFLOWS = [
  `
id: ship
trigger: { event: ship }
steps:
  - id: validate
    type: odoo.validate_picking
    with: { picking_id: "= input.picking", backorder: "= input.backorder" }
    retry: ${RETRY}${STOP}
`,
  `
id: deliver-and-invoice
trigger: { event: deliver-and-invoice }
steps:
  - id: validate
    type: odoo.validate_picking
    with: { picking_id: "= input.picking", backorder: none }
  - id: invoice
    type: odoo.invoice_from_order
    with: { order_id: "= input.order" }
    retry: ${RETRY}${STOP}
`,
  `
id: invoice-and-post
trigger: { event: invoice-and-post }
steps:
  - id: invoice
    type: odoo.invoice_from_order
    with: { order_id: "= input.order" }
  - id: post
    type: odoo.call
    with:
      model: account.move
      method: action_post
      args: "= [[steps.invoice.output.invoice_id]]"
      done_when: [[state, "=", posted]]
`,
];

describe('odoo.validate_picking and odoo.invoice_from_order', () => {
  let h: Harness;
  before(async () => (h = await startHarness(WORKFLOWS)));
  after(() => h.close());

  const callsOn = (model: string, method: string, id: number) =>
    h.sim.calls.count({
      model,
      method,
      where: (e) => JSON.stringify(e.args) === JSON.stringify([[id]]),
    });
  const pickingState = (id: number) =>
    h.sim.db.searchRead('stock.picking', [['id', '=', id]], ['state'])[0]?.state;
  const setPicked = async (picking: number, quantity: number) => {
    const [move] = h.sim.db.searchRead('stock.move', [['picking_id', '=', picking]], ['id']);
    await h.sim.db.call('stock.move', 'write', [[move?.id], { quantity, picked: true }]);
  };

  // First in this file: the company has not answered the SMS question yet (flow-a-08).
  test('the SMS wizard is answered with dont_send_sms; replayed, the done picking is not validated again', async () => {
    const { picking } = await confirmedDelivery(h.sim, [[32, 2]]);
    const first = await h.run('ship', { picking, backorder: 'create' });
    assert.deepEqual(outputsOf(first, 'validate'), [
      { picking_id: picking, state: 'done', validated: true, already: false, backorder_ids: [] },
    ]);
    assert.equal(h.sim.calls.count({ model: 'confirm.stock.sms', method: 'dont_send_sms' }), 1);
    const again = await h.replay(first.id, 'validate');
    assert.deepEqual(outputsOf(again, 'validate')[1], {
      picking_id: picking,
      state: 'done',
      validated: true,
      already: true,
      backorder_ids: [],
    });
    assert.equal(callsOn('stock.picking', 'button_validate', picking), 1);
    assert.equal(pickingState(picking), 'done');
  });

  test('a fully reserved delivery validates with true', async () => {
    const { picking } = await confirmedDelivery(h.sim, [[32, 1]]);
    const run = await h.run('ship', { picking, backorder: 'none' });
    assert.deepEqual(outputsOf(run, 'validate'), [
      { picking_id: picking, state: 'done', validated: true, already: false, backorder_ids: [] },
    ]);
    assert.equal(callsOn('stock.picking', 'button_validate', picking), 1);
    assert.equal(h.sim.calls.count({ model: 'stock.backorder.confirmation' }), 0);
  });

  test('below the demand, backorder "create" processes the wizard and keeps the rest in a backorder', async () => {
    const { picking } = await confirmedDelivery(h.sim, [[32, 5]]);
    await setPicked(picking, 3);
    const run = await h.run('ship', { picking, backorder: 'create' });
    const [output] = outputsOf(run, 'validate') as { state: string; backorder_ids: number[] }[];
    assert.equal(output?.state, 'done');
    assert.equal(output?.backorder_ids.length, 1);
    const backorder = h.sim.db.searchRead(
      'stock.picking',
      [['backorder_id', '=', picking]],
      ['state', 'move_ids'],
    );
    assert.deepEqual(
      backorder.map((row) => row.id),
      output?.backorder_ids,
    );
    assert.equal(
      h.sim.calls.count({ model: 'stock.backorder.confirmation', method: 'process' }),
      1,
    );
  });

  test('below the demand, backorder "none" cancels the rest', async () => {
    const { picking } = await confirmedDelivery(h.sim, [[32, 4]]);
    await setPicked(picking, 1);
    const run = await h.run('ship', { picking, backorder: 'none' });
    assert.deepEqual(outputsOf(run, 'validate'), [
      { picking_id: picking, state: 'done', validated: true, already: false, backorder_ids: [] },
    ]);
    assert.equal(
      h.sim.calls.count({
        model: 'stock.backorder.confirmation',
        method: 'process_cancel_backorder',
      }),
      1,
    );
    const moves = h.sim.db.searchRead(
      'stock.move',
      [['sale_line_id.order_id.picking_ids', 'in', [picking]]],
      ['state', 'quantity'],
    );
    assert.deepEqual(moves.map((m) => [m.state, m.quantity]).sort(), [
      ['cancel', 0],
      ['done', 1],
    ]);
  });

  test("nothing reserved: the UserError fails the run at once with Odoo's message", async () => {
    const { picking } = await confirmedDelivery(h.sim, [[32, 1]]);
    await h.sim.db.call('stock.picking', 'do_unreserve', [[picking]]);
    const run = await h.run('ship', { picking, backorder: 'create' });
    assert.equal(run.status, 'failed');
    assert.deepEqual(attemptsOf(run, 'validate'), [[1, 'failed', 'ODOO_USER_ERROR']]);
    assert.match(
      (run.error as { message: string }).message,
      /stock\.picking\.button_validate .*You cannot validate a transfer if no quantities are reserved/,
    );
    assert.notEqual(pickingState(picking), 'done');
  });

  test('invoice_from_order run twice (replayed) makes one invoice for the delivered order', async () => {
    const { order, picking } = await confirmedDelivery(h.sim, [[32, 2]]);
    const first = await h.run('deliver-and-invoice', { order, picking });
    assert.equal(first.status, 'failed'); // at the stop step
    const again = await h.replay(first.id, 'invoice');
    const [made, found] = outputsOf(again, 'invoice') as {
      invoice_id: number;
      invoice_ids: number[];
      created: boolean;
    }[];
    assert.equal(made?.created, true);
    assert.deepEqual(found, {
      invoice_id: made?.invoice_id,
      invoice_ids: [made?.invoice_id],
      created: false,
    });
    const invoices = h.sim.db.searchRead(
      'account.move',
      [
        [
          'invoice_origin',
          '=',
          h.sim.db.searchRead('sale.order', [['id', '=', order]], ['name'])[0]?.name,
        ],
      ],
      ['move_type', 'state'],
    );
    assert.deepEqual(invoices, [
      { id: made?.invoice_id, move_type: 'out_invoice', state: 'draft' },
    ]);
    assert.equal(
      h.sim.calls.count({ model: 'sale.advance.payment.inv', method: 'create_invoices' }),
      1,
    );
  });

  test('a backorder delivered after the first invoice was posted gets an invoice of its own, once', async () => {
    const { order, picking } = await confirmedDelivery(h.sim, [[32, 5]]);
    await setPicked(picking, 3);
    const shipped = await h.run('ship', { picking, backorder: 'create' });
    const [first] = outputsOf(shipped, 'validate') as { backorder_ids: number[] }[];
    const backorder = first!.backorder_ids[0]!;
    const invoiced = await h.run('invoice-and-post', { order });
    assert.equal(invoiced.status, 'completed', JSON.stringify(invoiced.error));
    // Nothing more delivered: a second request finds the posted invoice and makes none.
    const repeat = await h.run('invoice-and-post', { order });
    const [again] = outputsOf(repeat, 'invoice') as { created: boolean }[];
    assert.equal(again?.created, false);
    // The backorder ships: its two units get an invoice of their own.
    const rest = await h.run('ship', { picking: backorder, backorder: 'none' });
    assert.equal(outputsOf(rest, 'validate').length, 1);
    const second = await h.run('invoice-and-post', { order });
    const [made] = outputsOf(second, 'invoice') as { created: boolean; invoice_ids: number[] }[];
    assert.equal(made?.created, true);
    assert.equal(made?.invoice_ids.length, 2);
    const name = h.sim.db.searchRead('sale.order', [['id', '=', order]], ['name'])[0]?.name;
    const invoices = h.sim.db
      .searchRead('account.move', [['invoice_origin', '=', name]], ['state'])
      .sort((a, b) => Number(a.id) - Number(b.id));
    const quantities = invoices.map((invoice) =>
      h.sim.db
        .searchRead(
          'account.move.line',
          [
            ['move_id', '=', invoice.id],
            ['display_type', '=', 'product'],
          ],
          ['quantity'],
        )
        .map((line) => line.quantity),
    );
    assert.deepEqual(
      invoices.map((invoice, i) => [invoice.state, quantities[i]]),
      [
        ['posted', [3]],
        ['posted', [2]],
      ],
    );
    const [line] = h.sim.db.searchRead(
      'sale.order.line',
      [['order_id', '=', order]],
      ['qty_invoiced', 'qty_to_invoice'],
    );
    assert.deepEqual([line?.qty_invoiced, line?.qty_to_invoice], [5, 0]);
  });
});

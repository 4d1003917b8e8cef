/**
 * odoo.return_picking, odoo.credit_note and odoo.scrap through the engine against the
 * simulator, which answers the return wizard, the credit-note wizard and scrap as the
 * recorded Odoo 17 did (ret-01..18, inv-09..15): a picking that is not done cannot be
 * returned, a move that is not posted cannot be reversed, and each step finds its own record
 * again when an answer was lost after Odoo had committed the call.
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
id: give-back
trigger: { event: give-back }
steps:
  - id: return
    type: odoo.return_picking
    with: { picking_id: "= input.picking", reference: "= input.reference", lines: "= input.lines" }
    retry: ${RETRY}${STOP}
`,
  `
id: credit
trigger: { event: credit }
steps:
  - id: credit-note
    type: odoo.credit_note
    with: { invoice_id: "= input.invoice", reason: "= input.reason", lines: "= input.lines" }
    retry: ${RETRY}
  - id: post
    type: odoo.call
    with:
      model: account.move
      method: action_post
      args: "= [[steps.\`credit-note\`.output.credit_note_id]]"
      done_when: [[state, "=", posted]]${STOP}
`,
  `
id: scrap
trigger: { event: scrap }
steps:
  - id: scrap
    type: odoo.scrap
    with: { scraps: "= input.scraps" }
    retry: ${RETRY}${STOP}
`,
];

describe('odoo.return_picking, odoo.credit_note and odoo.scrap', () => {
  let h: Harness;
  before(async () => (h = await startHarness(WORKFLOWS)));
  after(() => h.close());

  /** A delivered order of drawers (32) and cabinets (21), its delivery done. */
  const delivered = async (lines: [number, number][]) => {
    const { order, picking } = await confirmedDelivery(h.sim, lines);
    await h.sim.db.call('stock.picking', 'button_validate', [[picking]], {
      context: { skip_sms: true },
    });
    return { order, picking };
  };
  /** The order's invoice on delivered quantities, posted (flow-a-12..15). */
  const postedInvoice = async (order: number) => {
    const context = { active_model: 'sale.order', active_ids: [order], active_id: order };
    const wizard = await h.sim.db.call(
      'sale.advance.payment.inv',
      'create',
      [{ advance_payment_method: 'delivered' }],
      { context },
    );
    const action = (await h.sim.db.call('sale.advance.payment.inv', 'create_invoices', [[wizard]], {
      context,
    })) as { res_id: number };
    await h.sim.db.call('account.move', 'action_post', [[action.res_id]]);
    return action.res_id;
  };
  const returnsOf = (picking: number) =>
    h.sim.db.searchRead('stock.picking', [['return_id', '=', picking]], ['origin', 'state']);
  const movesOf = (picking: number) =>
    h.sim.db
      .searchRead('stock.move', [['picking_id', '=', picking]], ['product_id', 'product_uom_qty'])
      .map((m) => [(m.product_id as [number, string])[0], m.product_uom_qty]);

  test("a delivery that is not done cannot be returned: Odoo's UserError fails the run at once", async () => {
    const { picking } = await confirmedDelivery(h.sim, [[32, 1]]);
    const run = await h.run('give-back', {
      picking,
      reference: 'RMA-1',
      lines: [{ product_id: 32, quantity: 1 }],
    });
    assert.equal(run.status, 'failed');
    assert.deepEqual(attemptsOf(run, 'return'), [[1, 'failed', 'ODOO_USER_ERROR']]);
    assert.match((run.error as { message: string }).message, /You may only return Done pickings\./);
    assert.deepEqual(returnsOf(picking), []);
  });

  test('the return carries the requested quantities and the reference; replayed, it is found, not made again', async () => {
    const { picking } = await delivered([
      [32, 3],
      [21, 2],
    ]);
    const first = await h.run('give-back', {
      picking,
      reference: 'RMA-2',
      lines: [{ product_id: 32, quantity: 1 }],
    });
    const again = await h.replay(first.id, 'return');
    const [made, found] = outputsOf(again, 'return') as {
      return_id: number;
      name: string;
      created: boolean;
    }[];
    assert.equal(made?.created, true);
    assert.match(made!.name, /^WH\/IN\/\d+$/);
    assert.deepEqual(found, { ...made, created: false });
    const [deliveryName] = h.sim.db.searchRead('stock.picking', [['id', '=', picking]], ['name']);
    assert.deepEqual(returnsOf(picking), [
      {
        id: made!.return_id,
        origin: `Return of ${String(deliveryName?.name)}, request RMA-2`,
        state: 'assigned',
      },
    ]);
    assert.deepEqual(movesOf(made!.return_id), [[32, 1]], 'the cabinets are not returned');
    assert.equal(h.sim.calls.count({ model: 'stock.return.picking', method: 'create_returns' }), 1);
  });

  test('an answer lost after create_returns: the retry takes the unmarked return with exactly these lines and marks it', async () => {
    const { picking } = await delivered([[32, 2]]);
    const returnsBefore = h.sim.calls.count({
      model: 'stock.return.picking',
      method: 'create_returns',
    });
    h.loseAnswers('stock.return.picking', 'create_returns', 1);
    const run = await h.run('give-back', {
      picking,
      reference: 'RMA-3',
      lines: [{ product_id: 32, quantity: 2 }],
    });
    assert.deepEqual(
      attemptsOf(run, 'return').map(([attempt, status]) => [attempt, status]),
      [
        [1, 'failed'],
        [2, 'completed'],
      ],
    );
    const returns = returnsOf(picking);
    assert.equal(returns.length, 1, 'one return');
    assert.match(String(returns[0]!.origin), /, request RMA-3$/);
    const [output] = outputsOf(run, 'return') as { return_id: number; created: boolean }[];
    assert.equal(output?.return_id, returns[0]!.id);
    assert.equal(output?.created, false, 'found, not made again');
    assert.equal(
      h.sim.calls.count({ model: 'stock.return.picking', method: 'create_returns' }),
      returnsBefore + 1,
      'create_returns called once',
    );
  });

  test('more than the delivery carried is refused before anything is returned', async () => {
    const { picking } = await delivered([[32, 1]]);
    const run = await h.run('give-back', {
      picking,
      reference: 'RMA-4',
      lines: [{ product_id: 32, quantity: 2 }],
    });
    assert.equal(run.status, 'failed');
    assert.deepEqual(attemptsOf(run, 'return'), [[1, 'failed', 'ODOO_RETURN_LINES_INVALID']]);
    assert.match((run.error as { message: string }).message, /product 32 short by 1/);
    assert.deepEqual(returnsOf(picking), []);
  });

  test('the credit note reverses the invoice for the given quantities; an answer lost after refund_moves makes no second one; posted, Odoo reconciles it', async () => {
    const { order } = await delivered([
      [32, 3],
      [21, 2],
    ]);
    const invoice = await postedInvoice(order);
    h.loseAnswers('account.move.reversal', 'refund_moves', 1);
    const run = await h.run('credit', {
      invoice,
      reason: 'return WH/IN/1, request RMA-5',
      lines: [{ product_id: 32, quantity: 1 }],
    });
    assert.deepEqual(
      attemptsOf(run, 'credit-note').map(([attempt, status]) => [attempt, status]),
      [
        [1, 'failed'],
        [2, 'completed'],
      ],
    );
    const notes = h.sim.db.searchRead(
      'account.move',
      [['reversed_entry_id', '=', invoice]],
      ['move_type', 'state', 'ref', 'payment_state', 'invoice_line_ids'],
    );
    assert.equal(notes.length, 1, 'one credit note');
    const note = notes[0]!;
    assert.equal(note.move_type, 'out_refund');
    assert.equal(note.state, 'posted');
    assert.equal(note.payment_state, 'paid');
    assert.match(
      String(note.ref),
      /^Reversal of: INV\/\d{4}\/\d{5}, return WH\/IN\/1, request RMA-5$/,
    );
    const lines = h.sim.db.searchRead(
      'account.move.line',
      [
        ['move_id', '=', note.id],
        ['display_type', '=', 'product'],
      ],
      ['product_id', 'quantity'],
    );
    assert.deepEqual(
      lines.map((l) => [(l.product_id as [number, string])[0], l.quantity]),
      [[32, 1]],
    );
    const [inv] = h.sim.db.searchRead('account.move', [['id', '=', invoice]], ['payment_state']);
    assert.equal(inv?.payment_state, 'partial');
  });

  test('a draft invoice cannot be reversed: the UserError fails the run at once', async () => {
    const { order } = await delivered([[32, 1]]);
    const context = { active_model: 'sale.order', active_ids: [order], active_id: order };
    const wizard = await h.sim.db.call(
      'sale.advance.payment.inv',
      'create',
      [{ advance_payment_method: 'delivered' }],
      { context },
    );
    const { res_id: draft } = (await h.sim.db.call(
      'sale.advance.payment.inv',
      'create_invoices',
      [[wizard]],
      { context },
    )) as { res_id: number };
    const run = await h.run('credit', {
      invoice: draft,
      reason: 'return X',
      lines: [{ product_id: 32, quantity: 1 }],
    });
    assert.deepEqual(attemptsOf(run, 'credit-note'), [[1, 'failed', 'ODOO_USER_ERROR']]);
    assert.match((run.error as { message: string }).message, /You can only reverse posted moves\./);
  });

  test('a scrap replayed is found by origin and product, validated once', async () => {
    const scraps = [
      { product_id: 32, quantity: 1, location_id: 8, origin: 'WH/IN/9 (returned damaged)' },
    ];
    const first = await h.run('scrap', { scraps });
    const again = await h.replay(first.id, 'scrap');
    const [made, found] = outputsOf(again, 'scrap') as { scrap_ids: number[]; created: number }[];
    assert.equal(made?.created, 1);
    assert.deepEqual(found, { scrap_ids: made?.scrap_ids, created: 0 });
    const rows = h.sim.db.searchRead(
      'stock.scrap',
      [['origin', '=', 'WH/IN/9 (returned damaged)']],
      ['state', 'scrap_qty'],
    );
    assert.deepEqual(rows, [{ id: made?.scrap_ids[0], state: 'done', scrap_qty: 1 }]);
    assert.equal(h.sim.calls.count({ model: 'stock.scrap', method: 'action_validate' }), 1);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunDetail } from '../../src/engine/index.ts';
import { eventually, packHarness, type PackHarness } from './support.ts';

/**
 * The return to the vendor end to end on the simulators: a purchase order confirmed, received
 * and billed in Odoo, then goods that failed inspection reported for return
 * (`vendor.return.requested`); each test reads the result back from Odoo over RPC (the
 * return picking, the order's received quantities, the vendor refund, the chatter and the
 * buyer's activity) and from Crossdock's approvals and exception queue.
 */
describe('return to vendor (returns pack), end to end', () => {
  let h: PackHarness;
  let vendor = 0;
  before(async () => {
    h = await packHarness();
    vendor = (await h.odoo.db.call('res.partner', 'create', [
      { name: 'Nordholz Lieferungen GmbH', is_company: true },
    ])) as number;
  });
  after(() => h.close());

  const productId = (name: string) =>
    h.catalog.products.find((p) => p.name.startsWith(name))?.id ??
    assert.fail(`no demo product ${name}`);

  interface Line {
    product_id: [number, string];
    qty_received: number;
    qty_invoiced: number;
    qty_to_invoice: number;
  }
  interface Move {
    id: number;
    name: string;
    state: string;
    move_type: string;
    amount_total: number;
    ref: string;
  }

  /** A purchase order confirmed, fully received and billed (the bill posted) in Odoo. */
  async function receivedAndBilled(lines: [product: string, qty: number, price: number][]) {
    const order = (await h.odoo.db.call('purchase.order', 'create', [
      {
        partner_id: vendor,
        partner_ref: `NH-${lines.map(([, q]) => q).join('-')}-${Date.now()}`,
        order_line: lines.map(([name, qty, price]) => [
          0,
          0,
          { product_id: productId(name), product_qty: qty, price_unit: price },
        ]),
      },
    ])) as number;
    await h.odoo.db.call('purchase.order', 'button_confirm', [[order]]);
    const [receipt] = h.odoo.db.searchRead(
      'stock.picking',
      [['purchase_id', '=', order]],
      ['id', 'name'],
    );
    assert.equal(await h.odoo.db.call('stock.picking', 'button_validate', [[receipt!.id]]), true);
    const bill = (await h.odoo.db.call('purchase.order', 'action_create_invoice', [[order]])) as {
      res_id: number;
    };
    await h.odoo.db.call('account.move', 'write', [[bill.res_id], { invoice_date: '2026-12-01' }]);
    await h.odoo.db.call('account.move', 'action_post', [[bill.res_id]]);
    const [po] = h.odoo.db.searchRead('purchase.order', [['id', '=', order]], ['name']);
    return {
      order,
      name: String(po!.name),
      receipt: { id: receipt!.id as number, name: String(receipt!.name) },
    };
  }

  const request = (source: string, key: string, payload: Record<string, unknown>) =>
    h.crossdock.engine.accept({ source, type: 'vendor.return.requested', key, payload });
  const runsOf = async (workflowId: string, reference: string) => {
    const runs = await h.crossdock.engine.runs.list({ workflowId });
    const details = await Promise.all(runs.map((run) => h.crossdock.engine.runs.show(run.id)));
    return details.filter((run) => (run.input as { reference?: string }).reference === reference);
  };
  const runOf = (reference: string, statuses = ['completed', 'failed']): Promise<RunDetail> =>
    eventually(`a vendor-return run of ${reference} ${statuses.join(' or ')}`, async () =>
      (await runsOf('vendor-return', reference)).find((run) => statuses.includes(run.status)),
    );
  const returnsOf = (receiptId: number) =>
    h.rpc<
      {
        id: number;
        name: string;
        state: string;
        origin: string;
        picking_type_code: string;
        purchase_id: [number, string] | false;
        location_dest_id: [number, string];
      }[]
    >('stock.picking', 'search_read', [[['return_id', '=', receiptId]]], {
      fields: ['name', 'state', 'origin', 'picking_type_code', 'purchase_id', 'location_dest_id'],
    });
  const orderLines = (order: number) =>
    h.rpc<Line[]>('purchase.order.line', 'search_read', [[['order_id', '=', order]]], {
      fields: ['product_id', 'qty_received', 'qty_invoiced', 'qty_to_invoice'],
      order: 'id',
    });
  const refundsOf = (name: string) =>
    h.rpc<Move[]>(
      'account.move',
      'search_read',
      [
        [
          ['invoice_origin', '=', name],
          ['move_type', '=', 'in_refund'],
        ],
      ],
      { fields: ['name', 'state', 'move_type', 'amount_total', 'ref'] },
    );
  const openCasesOn = async (order: number) => {
    const { cases } = await h.crossdock.services.exceptions.list({ status: 'open' });
    return cases.filter(
      (c) => c.subject?.model === 'purchase.order' && String(c.subject.id) === String(order),
    );
  };

  test('a damaged delivery reported twice by two channels: one return to the vendor, validated, received quantities down, one posted vendor refund, a note and an activity on the order', async () => {
    const po = await receivedAndBilled([
      ['Archive Box', 10, 12.5],
      ['LED Desk Lamp', 4, 30],
    ]);
    const payload = {
      order: po.name,
      reference: 'NCR-101',
      lines: [{ product: productId('Archive Box'), quantity: 2 }],
      reason: 'crushed in transit',
      requested_by: 'bea.buyer@demo.crossdock.test',
    };
    await request('quality', 'qc-101', payload);
    await request('quality', 'qc-101', payload);
    await request('warehouse', 'wh-77', { ...payload, order: undefined, receipt: po.receipt.name });
    const run = await runOf('NCR-101');
    assert.equal(
      run.status,
      'completed',
      JSON.stringify(run.steps.map((s) => [s.stepId, s.output, s.error])),
    );
    assert.ok(h.path(run).includes('post'), h.path(run).join(' '));
    await eventually(
      'both channels went through the gate',
      async () =>
        (await runsOf('vendor-return-gate', 'NCR-101')).filter((r) => r.status === 'completed')
          .length === 2,
    );
    assert.equal((await runsOf('vendor-return', 'NCR-101')).length, 1, 'one run per reference');

    const returns = await returnsOf(po.receipt.id);
    assert.equal(returns.length, 1, 'one return');
    const ret = returns[0]!;
    assert.equal(ret.picking_type_code, 'outgoing', 'a return to the vendor is outgoing');
    assert.equal(ret.state, 'done');
    assert.equal(ret.origin, `Return of ${po.receipt.name}, request NCR-101`);
    assert.deepEqual(ret.purchase_id && ret.purchase_id[0], po.order, 'it keeps the order');
    assert.equal(ret.location_dest_id[1], 'Partners/Vendors');

    const [box, lamp] = await orderLines(po.order);
    assert.deepEqual([box!.qty_received, box!.qty_invoiced, box!.qty_to_invoice], [8, 8, 0]);
    assert.deepEqual([lamp!.qty_received, lamp!.qty_invoiced, lamp!.qty_to_invoice], [4, 4, 0]);

    const refunds = await refundsOf(po.name);
    assert.equal(refunds.length, 1, 'one vendor refund');
    assert.equal(refunds[0]!.move_type, 'in_refund');
    assert.equal(refunds[0]!.state, 'posted', 'below 250: posted by policy');
    assert.equal(refunds[0]!.amount_total, 28.75, '2 x 12.50 and 15 % tax');
    assert.match(refunds[0]!.ref, /, return NCR-101$/);

    const notes = await h.chatter('purchase.order', po.order);
    assert.ok(
      notes.some((n) =>
        /^Crossdock returned to Nordholz.*NCR-101, crushed in transit.*vendor refund 28\.75 .* posted/.test(
          n,
        ),
      ),
      notes.join(' | '),
    );
    const activities = await h.rpc<{ summary: string; user_id: [number, string] }[]>(
      'mail.activity',
      'search_read',
      [
        [
          ['res_model', '=', 'purchase.order'],
          ['res_id', '=', po.order],
        ],
      ],
      { fields: ['summary', 'user_id'] },
    );
    assert.deepEqual(
      activities.map((a) => a.summary),
      [`Follow up the return to Nordholz Lieferungen GmbH (${ret.name})`],
    );
  });

  test('a quantity above what was received less what already went back is refused with the figures, a note and a case; nothing is returned', async () => {
    const po = await receivedAndBilled([['Archive Box', 5, 10]]);
    await request('quality', 'qc-201', {
      order: po.name,
      reference: 'NCR-201',
      lines: [{ product: productId('Archive Box'), quantity: 3 }],
      reason: 'wrong colour',
    });
    assert.equal((await runOf('NCR-201')).status, 'completed');
    await request('quality', 'qc-202', {
      receipt: po.receipt.name,
      reference: 'NCR-202',
      lines: [{ product: productId('Archive Box'), quantity: 3 }],
      reason: 'wrong colour, the rest',
    });
    const run = await runOf('NCR-202');
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.ok(h.path(run).includes('refused'), h.path(run).join(' '));
    assert.equal((await returnsOf(po.receipt.id)).length, 1, 'only the first return');
    const notes = await h.chatter('purchase.order', po.order);
    assert.ok(
      notes.some((n) =>
        n.includes(
          'Crossdock refused return to vendor NCR-202 (3 x ' +
            productId('Archive Box') +
            '): quantity above what was received less what was already returned (' +
            productId('Archive Box') +
            ': 3 asked, 5 received, 3 already returned)',
        ),
      ),
      notes.join(' | '),
    );
    const cases = await openCasesOn(po.order);
    assert.equal(cases.length, 1);
    assert.match(cases[0]!.title, /NCR-202 .* refused: quantity above what was received/);
    const [line] = await orderLines(po.order);
    assert.equal(line!.qty_received, 2, 'only the first return counted');
  });

  test('goods of a receipt not validated yet cannot go back: refused with a case, nothing returned', async () => {
    const order = (await h.odoo.db.call('purchase.order', 'create', [
      {
        partner_id: vendor,
        order_line: [
          [0, 0, { product_id: productId('Archive Box'), product_qty: 4, price_unit: 10 }],
        ],
      },
    ])) as number;
    await h.odoo.db.call('purchase.order', 'button_confirm', [[order]]);
    const [receipt] = h.odoo.db.searchRead(
      'stock.picking',
      [['purchase_id', '=', order]],
      ['id', 'name', 'state'],
    );
    assert.equal(receipt!.state, 'assigned');
    await request('warehouse', 'wh-401', {
      receipt: receipt!.name,
      reference: 'NCR-401',
      lines: [{ product: productId('Archive Box'), quantity: 1 }],
      reason: 'wrong item',
    });
    const run = await runOf('NCR-401');
    assert.ok(h.path(run).includes('refused'), h.path(run).join(' '));
    const [cased] = await openCasesOn(order);
    assert.match(cased!.title, /NCR-401 .* refused: the receipt is not done$/);
    assert.deepEqual(await returnsOf(receipt!.id as number), []);
  });

  test('a return of 1 000 or more needs a purchasing manager, never the requester; approved, the refund waits in draft for accounts payable', async () => {
    const mine = await receivedAndBilled([['Standing Desk Frame', 6, 400]]);
    const paul = h.approver('paul.procurement@demo.crossdock.test');
    await request('quality', 'qc-301', {
      order: mine.name,
      reference: 'NCR-301',
      lines: [{ product: productId('Standing Desk Frame'), quantity: 3 }],
      reason: 'frames bent',
      requested_by: 'paul.procurement@demo.crossdock.test',
    });
    const selfRun = await runOf('NCR-301', ['waiting', 'failed']);
    const selfRequest = await h.pendingRequestFor(selfRun.id);
    await assert.rejects(
      h.crossdock.services.approvals.decide(selfRequest.id, paul, 'approve', 'ok', 'api'),
      { code: 'APPROVAL_SELF_APPROVAL' },
    );
    assert.deepEqual(await returnsOf(mine.receipt.id), [], 'nothing returned before approval');

    const po = await receivedAndBilled([['Standing Desk Frame', 6, 400]]);
    await request('quality', 'qc-302', {
      order: po.name,
      reference: 'NCR-302',
      lines: [{ product: productId('Standing Desk Frame'), quantity: 3 }],
      reason: 'frames bent',
      requested_by: 'bea.buyer@demo.crossdock.test',
    });
    const waiting = await runOf('NCR-302', ['waiting', 'failed']);
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    const pending = await h.pendingRequestFor(waiting.id);
    assert.equal(pending.level, 'procurement-manager');
    assert.deepEqual(pending.assignees, ['paul.procurement@demo.crossdock.test']);
    await h.crossdock.services.approvals.decide(pending.id, paul, 'approve', 'checked', 'api');
    const run = await runOf('NCR-302');
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    const done = (await returnsOf(po.receipt.id)).filter((r) => r.state === 'done');
    assert.equal(done.length, 1);
    const [line] = await orderLines(po.order);
    // The draft refund already counts as billed back (Odoo counts drafts): nothing left to bill.
    assert.deepEqual([line!.qty_received, line!.qty_invoiced, line!.qty_to_invoice], [3, 3, 0]);
    const refunds = await refundsOf(po.name);
    assert.equal(refunds.length, 1);
    assert.equal(refunds[0]!.state, 'draft', 'left for accounts payable');
    assert.equal(refunds[0]!.amount_total, 1380, '3 x 400 and 15 % tax');
    assert.ok(
      (await h.chatter('purchase.order', po.order)).some(
        (n) => n.includes('draft vendor refund 1,380.00') && n.includes(`request ${pending.id}`),
      ),
    );
  });
});

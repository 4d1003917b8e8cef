import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunDetail } from '../../src/engine/index.ts';
import { eventually, packHarness, type PackHarness, invoicedOrder } from './support.ts';

/**
 * The returns pack end to end: orders are released, shipped, delivered with their proof and
 * invoiced by the other packs; a return request then arrives as a portal or customer service
 * would send it, the goods are scanned back in, and each test reads the result back from
 * Odoo over RPC (the return, its moves, scraps, the credit note and the invoice) and from
 * Crossdock's approvals and exception queue.
 */
describe('returns pack, end to end', () => {
  let h: PackHarness;
  before(async () => {
    h = await packHarness();
  });
  after(() => h.close());

  type Move = { id: number; name: string; state: string; move_type: string; amount_total: number };
  const productId = (name: string) => h.catalog.products.find((p) => p.name.startsWith(name))!.id;

  const invoiced = (customer: string, lines: [string, number][]) =>
    invoicedOrder(h, customer, lines);
  const movesOf = (origin: string, moveType: string) =>
    h.rpc<Move[]>(
      'account.move',
      'search_read',
      [
        [
          ['invoice_origin', '=', origin],
          ['move_type', '=', moveType],
        ],
      ],
      { fields: ['name', 'state', 'move_type', 'amount_total'] },
    );
  const returnsOf = (deliveryId: number) =>
    h.rpc<{ id: number; name: string; state: string; origin: string; picking_type_code: string }[]>(
      'stock.picking',
      'search_read',
      [[['return_id', '=', deliveryId]]],
      { fields: ['name', 'state', 'origin', 'picking_type_code'] },
    );
  const requestReturn = (
    source: string,
    key: string,
    payload: { order: string; reference: string; lines: unknown[]; reason: string } & Record<
      string,
      unknown
    >,
  ) => h.crossdock.engine.accept({ source, type: 'return.requested', key, payload });
  const runsOf = async (workflowId: string, match: (input: Record<string, unknown>) => boolean) => {
    const runs = await h.crossdock.engine.runs.list({ workflowId });
    const details = await Promise.all(runs.map((run) => h.crossdock.engine.runs.show(run.id)));
    return details.filter((run) => match(run.input as Record<string, unknown>));
  };
  /** The run of `workflowId` whose input matches, once it has reached one of `statuses`. */
  const runOf = (
    workflowId: string,
    match: (input: Record<string, unknown>) => boolean,
    statuses = ['completed', 'failed'],
  ): Promise<RunDetail> =>
    eventually(`a ${workflowId} run ${statuses.join(' or ')}`, async () =>
      (await runsOf(workflowId, match)).find((run) => statuses.includes(run.status)),
    );
  const requestRun = (reference: string, statuses?: string[]) =>
    runOf('return-request', (input) => input.reference === reference, statuses);
  const casesOn = async (orderId: number) => {
    const { cases } = await h.crossdock.services.exceptions.list({ status: 'open' });
    return cases.filter(
      (c) => c.subject?.model === 'sale.order' && String(c.subject.id) === String(orderId),
    );
  };

  test('a clean return requested twice: one return, the goods scanned in twice (one damaged, scrapped), one posted credit note reconciled with the invoice', async () => {
    const { order, delivery, invoice } = await invoiced('Rheinland', [
      ['Archive Box', 3],
      ['LED Desk Lamp', 2],
    ]);
    const request = {
      order: order.name,
      reference: 'RMA-1001',
      lines: [
        { product: productId('Archive Box'), quantity: 1 },
        { product: productId('LED Desk Lamp'), quantity: 1 },
      ],
      reason: 'not needed',
    };
    // The portal sends it twice (one delivery of the webhook repeated), customer service keys it in again.
    await requestReturn('portal', 'portal-77', request);
    await requestReturn('portal', 'portal-77', request);
    await requestReturn('customer-service', 'ticket-9', request);
    const run = await requestRun('RMA-1001');
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.ok(h.path(run).includes('accepted'), h.path(run).join(' '));
    await eventually(
      'both channels went through the gate',
      async () =>
        (await runsOf('return-request-gate', (input) => input.reference === 'RMA-1001')).filter(
          (r) => r.status === 'completed',
        ).length === 2,
    );
    assert.equal((await runsOf('return-request', (i) => i.reference === 'RMA-1001')).length, 1);

    const returns = await returnsOf(delivery.id);
    assert.equal(returns.length, 1, 'one return for the request');
    const ret = returns[0]!;
    assert.equal(ret.picking_type_code, 'incoming', 'a customer return is a Receipt');
    assert.equal(ret.origin, `Return of ${delivery.name}, request RMA-1001`);
    assert.equal(ret.state, 'assigned');
    const returnMoves = await h.rpc<{ product_id: [number, string]; product_uom_qty: number }[]>(
      'stock.move',
      'search_read',
      [[['picking_id', '=', ret.id]]],
      { fields: ['product_id', 'product_uom_qty'], order: 'product_id' },
    );
    assert.deepEqual(
      returnMoves.map((m) => [m.product_id[0], m.product_uom_qty]).sort(),
      [
        [productId('Archive Box'), 1],
        [productId('LED Desk Lamp'), 1],
      ].sort(),
    );
    assert.deepEqual(
      await movesOf(order.name, 'out_refund'),
      [],
      'no credit note before the goods arrive',
    );

    // The warehouse scans the goods in, the lamp broken; the scanner sends it twice.
    const [lamp] = await h.rpc<{ default_code: string | false }[]>(
      'product.product',
      'read',
      [[productId('LED Desk Lamp')]],
      { fields: ['default_code'] },
    );
    const scan = {
      return: ret.name,
      lines: [
        {
          product: lamp!.default_code === false ? productId('LED Desk Lamp') : lamp!.default_code,
          condition: 'scrap',
        },
      ],
    };
    await h.crossdock.engine.accept({
      source: 'scanner',
      type: 'return.received',
      key: 'scan-1',
      payload: scan,
    });
    await h.crossdock.engine.accept({
      source: 'scanner',
      type: 'return.received',
      key: 'scan-2',
      payload: scan,
    });
    // Both scans, and Odoo's own report of the return validated by the first (the source
    // watches transfers done: return-receipt-hint), meet in return-receipt.
    await eventually("both scans and Odoo's report handled", async () => {
      const runs = await runsOf('return-receipt', (input) => input.return === ret.name);
      const from = (via: string) =>
        runs.filter((r) => ((r.input as { via?: string }).via ?? 'scan') === via).length;
      return from('scan') === 2 && from('odoo') === 1 && runs.every((r) => r.status === 'completed')
        ? runs
        : undefined;
    });

    assert.equal(
      (await returnsOf(delivery.id))[0]!.state,
      'done',
      'the return is received in Odoo',
    );
    const scraps = await h.rpc<
      {
        product_id: [number, string];
        scrap_qty: number;
        state: string;
        picking_id: [number, string];
      }[]
    >('stock.scrap', 'search_read', [[['picking_id', '=', ret.id]]], {
      fields: ['product_id', 'scrap_qty', 'state', 'picking_id'],
    });
    assert.deepEqual(
      scraps.map((s) => [s.product_id[0], s.scrap_qty, s.state]),
      [[productId('LED Desk Lamp'), 1, 'done']],
      'the damaged lamp is scrapped once, the box restocked',
    );

    const creditNotes = await movesOf(order.name, 'out_refund');
    assert.equal(creditNotes.length, 1, 'one credit note');
    const creditNote = creditNotes[0]!;
    assert.equal(creditNote.state, 'posted');
    assert.match(creditNote.name, /^RINV\/\d{4}\/\d{5}$/);
    // 1 box at 24 and 1 lamp at 65, with the 15 % tax.
    assert.equal(creditNote.amount_total, 27.6 + 74.75);
    const lines = await h.rpc<{ product_id: [number, string]; quantity: number }[]>(
      'account.move.line',
      'search_read',
      [
        [
          ['move_id', '=', creditNote.id],
          ['display_type', '=', 'product'],
        ],
      ],
      { fields: ['product_id', 'quantity'] },
    );
    assert.deepEqual(
      lines.map((l) => [l.product_id[0], l.quantity]).sort(),
      [
        [productId('Archive Box'), 1],
        [productId('LED Desk Lamp'), 1],
      ].sort(),
    );
    const [cn, inv] = await h.rpc<
      {
        payment_state: string;
        amount_residual: number;
        reversed_entry_id: [number, string] | false;
      }[]
    >('account.move', 'read', [[creditNote.id, invoice.id]], {
      fields: ['payment_state', 'amount_residual', 'reversed_entry_id'],
    });
    assert.equal(cn!.payment_state, 'paid', 'reconciled with the invoice at posting');
    assert.deepEqual(cn!.reversed_entry_id, [invoice.id, invoice.name]);
    assert.equal(inv!.payment_state, 'partial');
    assert.equal(
      inv!.amount_residual,
      Math.round((invoice.amount_total - creditNote.amount_total) * 100) / 100,
    );
    assert.ok(
      (await h.chatter('sale.order', order.id)).some((n) =>
        n.startsWith('Crossdock accepted return request RMA-1001'),
      ),
    );
  });

  test('a quantity above what was delivered, and a request outside the return window, are refused with their reason and no return', async () => {
    const { order, delivery } = await invoiced('Bayern', [['Archive Box', 2]]);
    await requestReturn('portal', 'over-1', {
      order: order.name,
      reference: 'RMA-2001',
      lines: [{ product: productId('Archive Box'), quantity: 3 }],
      reason: 'wrong size',
    });
    const over = await requestRun('RMA-2001');
    assert.equal(over.status, 'completed', JSON.stringify(over.error));
    assert.ok(h.path(over).includes('refused'), h.path(over).join(' '));
    const [overCase] = (await casesOn(order.id)).filter((c) => c.workflowId === 'return-request');
    assert.ok(overCase, 'a case for customer service');
    assert.match(
      overCase.title,
      /refused: quantity above what was delivered, less what was already returned$/,
    );
    assert.equal(overCase.owner.team, 'customer-service');

    // The delivery was made 40 days before the next request.
    await h.odoo.db.call(
      'stock.picking',
      'write',
      [
        [delivery.id],
        {
          date_done: new Date(Date.now() - 40 * 86_400_000)
            .toISOString()
            .slice(0, 19)
            .replace('T', ' '),
        },
      ],
      {},
      2,
    );
    await requestReturn('portal', 'late-1', {
      order: order.name,
      reference: 'RMA-2002',
      lines: [{ product: productId('Archive Box'), quantity: 1 }],
      reason: 'changed my mind',
    });
    const late = await requestRun('RMA-2002');
    assert.equal(late.status, 'completed', JSON.stringify(late.error));
    assert.ok(h.path(late).includes('refused'), h.path(late).join(' '));
    assert.equal((await casesOn(order.id)).length, 1, 'the window refusal is a note, not a case');
    const notes = (await h.chatter('sale.order', order.id)).filter((n) =>
      n.startsWith('Crossdock refused return request'),
    );
    assert.equal(notes.length, 2, notes.join(' | '));
    assert.match(notes[0]!, /RMA-2001.*quantity above what was delivered/);
    assert.match(notes[1]!, /RMA-2002.*outside the 30-day return window/);
    assert.deepEqual(await returnsOf(delivery.id), [], 'nothing returned in Odoo');
  });

  test('a refund above the dual threshold needs two distinct approvers, never the requester; then the return is made', async () => {
    const { order, delivery } = await invoiced('Atelier', [['Standing Desk Frame', 2]]);
    const fiona = h.approver('fiona.finance@demo.crossdock.test');
    const dora = h.approver('dora.director@demo.crossdock.test');
    const carl = h.approver('carl.controller@demo.crossdock.test');
    await requestReturn('customer-service', 'cs-3001', {
      order: order.name,
      reference: 'RMA-3001',
      lines: [{ product: productId('Standing Desk Frame'), quantity: 2 }],
      reason: 'frames bent',
      requested_by: 'fiona.finance@demo.crossdock.test',
    });
    const waiting = await requestRun('RMA-3001', ['waiting', 'failed']);
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    const request = await h.pendingRequestFor(waiting.id);
    assert.equal(request.level, 'refunds-dual');
    assert.deepEqual(request.assignees.sort(), [
      'carl.controller@demo.crossdock.test',
      'dora.director@demo.crossdock.test',
    ]);
    const decide = (who: typeof fiona) =>
      h.crossdock.services.approvals.decide(request.id, who, 'approve', 'checked', 'api');
    await assert.rejects(decide(fiona), { code: 'APPROVAL_SELF_APPROVAL' });
    await decide(dora);
    await assert.rejects(decide(dora), { code: 'APPROVAL_ALREADY_VOTED' });
    assert.equal((await h.crossdock.services.approvals.show(request.id)).status, 'pending');
    assert.deepEqual(await returnsOf(delivery.id), [], 'no return on one approval');
    await decide(carl);
    const run = await requestRun('RMA-3001');
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.ok(h.path(run).includes('accepted'), h.path(run).join(' '));
    const returns = await returnsOf(delivery.id);
    assert.equal(returns.length, 1);
    assert.ok(
      (await h.chatter('sale.order', order.id)).some(
        (n) =>
          n.startsWith('Crossdock accepted return request RMA-3001') &&
          n.includes(`request ${request.id}`),
      ),
    );
  });

  test('a claimed refund above the order value is a fraud signal: finance reviews it, a rejection refuses the return', async () => {
    const { order, delivery } = await invoiced('Van Dijk', [['LED Desk Lamp', 1]]);
    await requestReturn('shop', 'shop-4001', {
      order: order.name,
      reference: 'RMA-4001',
      lines: [{ product: productId('LED Desk Lamp'), quantity: 1 }],
      reason: 'arrived broken',
      amount: 500,
    });
    const waiting = await requestRun('RMA-4001', ['waiting', 'failed']);
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    const request = await h.pendingRequestFor(waiting.id);
    assert.equal(request.level, 'finance');
    const shown = await h.crossdock.services.approvals.show(request.id);
    assert.match(shown.summary, /refund above the order's value$/);
    await h.crossdock.services.approvals.decide(
      request.id,
      h.approver('fiona.finance@demo.crossdock.test'),
      'reject',
      'claim does not match the lamp',
      'api',
    );
    const run = await requestRun('RMA-4001');
    assert.ok(h.path(run).includes('rejected'), h.path(run).join(' '));
    assert.deepEqual(await returnsOf(delivery.id), []);
    assert.ok(
      (await h.chatter('sale.order', order.id)).some((n) =>
        n.includes('the refund was not approved (claim does not match the lamp'),
      ),
    );
  });
  test('a return validated in Odoo counts as received (everything restocked, credited once); a return a person started in Odoo is checked as a request, then credited', async () => {
    const { order, delivery } = await invoiced('Milano', [
      ['Archive Box', 2],
      ['LED Desk Lamp', 1],
    ]);
    await requestReturn('portal', 'portal-5001', {
      order: order.name,
      reference: 'RMA-5001',
      lines: [{ product: productId('Archive Box'), quantity: 1 }],
      reason: 'one too many',
    });
    assert.equal((await requestRun('RMA-5001')).status, 'completed');
    const [ours] = await returnsOf(delivery.id);
    // A person returns the lamp with Odoo's own Return button.
    const admin = 2;
    const context = {
      active_id: delivery.id,
      active_ids: [delivery.id],
      active_model: 'stock.picking',
    };
    const wizard = (await h.odoo.db.call(
      'stock.return.picking',
      'create',
      [{ picking_id: delivery.id }],
      { context },
      admin,
    )) as number;
    const wizardLines = (await h.odoo.db.call(
      'stock.return.picking.line',
      'search_read',
      [[['wizard_id', '=', wizard]]],
      { fields: ['product_id'] },
      admin,
    )) as { id: number; product_id: [number, string] }[];
    await h.odoo.db.call(
      'stock.return.picking',
      'write',
      [
        [wizard],
        {
          product_return_moves: wizardLines.map((l) => [
            1,
            l.id,
            { quantity: l.product_id[0] === productId('LED Desk Lamp') ? 1 : 0 },
          ]),
        },
      ],
      { context },
      admin,
    );
    const action = (await h.odoo.db.call(
      'stock.return.picking',
      'create_returns',
      [[wizard]],
      { context },
      admin,
    )) as { res_id: number };
    // The warehouse validates both returns in Odoo; the Odoo source reports each transfer done (twice for ours).
    for (const id of [ours!.id, action.res_id])
      assert.equal(
        await h.odoo.db.call('stock.picking', 'button_validate', [[id]], {}, admin),
        true,
      );
    for (const id of [ours!.id, action.res_id, ours!.id]) {
      await h.crossdock.engine.accept({
        source: 'odoo',
        type: 'stock.picking.done',
        key: `stock.picking.done:stock.picking:${id}`,
        payload: {
          model: 'stock.picking',
          id,
          write_date: '2026-12-05 10:00:00',
          record: {},
          via: 'webhook',
        },
      });
    }
    const credited = await runOf('return-receipt', (input) => input.return === ours!.name);
    assert.equal(credited.status, 'completed', JSON.stringify(credited.error));
    assert.ok(h.path(credited).includes('refunded'), h.path(credited).join(' '));
    const [other] = (await returnsOf(delivery.id)).filter((r) => r.id === action.res_id);
    const checked = await requestRun(other!.name);
    assert.ok(h.path(checked).includes('checked'), h.path(checked).join(' '));
    const startedInOdoo = await runOf('return-receipt', (input) => input.return === other!.name);
    assert.ok(h.path(startedInOdoo).includes('refunded'), h.path(startedInOdoo).join(' '));

    const creditNotes = await movesOf(order.name, 'out_refund');
    assert.equal(creditNotes.length, 2, 'one credit note per return');
    assert.deepEqual(
      creditNotes.map((m) => m.state),
      ['posted', 'posted'],
    );
    assert.ok(
      creditNotes.some((m) => m.amount_total === 27.6),
      'the Archive Box returned on request',
    );
    const { cases } = await h.crossdock.services.exceptions.list({ status: 'open' });
    const started = cases.find(
      (c) => c.subject?.model === 'stock.picking' && String(c.subject.id) === String(action.res_id),
    );
    assert.equal(started, undefined, 'no case: the return started in Odoo was checked');
    const scraps = await h.rpc<unknown[]>(
      'stock.scrap',
      'search_read',
      [[['picking_id', '=', ours!.id]]],
      { fields: ['id'] },
    );
    assert.deepEqual(scraps, [], 'validated in Odoo without a scan: restocked');
  });
  test('a third refund for one customer within 30 days is a fraud signal: finance reviews it, though small', async () => {
    const { order, delivery } = await invoiced('Oficinas', [['Archive Box', 3]]);
    const box = productId('Archive Box');
    for (const reference of ['RMA-6001', 'RMA-6002']) {
      await requestReturn('portal', reference, {
        order: order.name,
        reference,
        lines: [{ product: box, quantity: 1 }],
        reason: 'not needed',
      });
      const run = await requestRun(reference);
      assert.ok(h.path(run).includes('accepted'), `${reference}: ${h.path(run).join(' ')}`);
      assert.ok(!h.path(run).includes('review'), `${reference} needed no review`);
      const ret = (await returnsOf(delivery.id)).find((r) => r.origin.endsWith(reference))!;
      await h.crossdock.engine.accept({
        source: 'scanner',
        type: 'return.received',
        key: `scan-${reference}`,
        payload: { return: ret.name, lines: [] },
      });
      const received = await runOf('return-receipt', (input) => input.return === ret.name);
      assert.ok(h.path(received).includes('refunded'), h.path(received).join(' '));
    }
    assert.equal(
      (await movesOf(order.name, 'out_refund')).filter((m) => m.state === 'posted').length,
      2,
    );
    await requestReturn('portal', 'RMA-6003', {
      order: order.name,
      reference: 'RMA-6003',
      lines: [{ product: box, quantity: 1 }],
      reason: 'not needed',
    });
    const waiting = await requestRun('RMA-6003', ['waiting', 'failed']);
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    const request = await h.pendingRequestFor(waiting.id);
    assert.equal(request.level, 'finance');
    const shown = await h.crossdock.services.approvals.show(request.id);
    assert.match(shown.summary, /several refunds for this customer within 30 days$/);
    assert.equal((await returnsOf(delivery.id)).length, 2, 'no third return before the review');
  });
});

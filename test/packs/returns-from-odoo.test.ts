import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunDetail } from '../../src/engine/index.ts';
import { eventually, packHarness, type PackHarness, invoicedOrder } from './support.ts';

/**
 * A customer return a person makes in Odoo with its Return button (the wizard, as fixtures
 * ret-01..ret-10 record it) and validates: Crossdock checks it as a return request (window,
 * quantities, invoice, policy) and credits it once, or opens a case for finance with the reason.
 */
describe('returns pack, a return made in Odoo', () => {
  let h: PackHarness;
  before(async () => {
    h = await packHarness();
  });
  after(() => h.close());

  /** The warehouse user who makes the return in Odoo. */
  const admin = 2;
  type Move = {
    id: number;
    name: string;
    state: string;
    amount_total: number;
    amount_residual: number;
  };
  const productId = (name: string) => h.catalog.products.find((p) => p.name.startsWith(name))!.id;
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
      { fields: ['name', 'state', 'amount_total', 'amount_residual'] },
    );

  const invoiced = (customer: string, lines: [string, number][]) =>
    invoicedOrder(h, customer, lines);

  /** A person returns `quantity` of `product` with Odoo's Return button and validates the return. */
  const returnInOdoo = async (deliveryId: number, product: string, quantity: number) => {
    const context = {
      active_id: deliveryId,
      active_ids: [deliveryId],
      active_model: 'stock.picking',
    };
    const call = (model: string, method: string, args: unknown[], kwargs = {}) =>
      h.odoo.db.call(model, method, args, kwargs, admin);
    const wizard = (await call('stock.return.picking', 'create', [{ picking_id: deliveryId }], {
      context,
    })) as number;
    const lines = (await call(
      'stock.return.picking.line',
      'search_read',
      [[['wizard_id', '=', wizard]]],
      { fields: ['product_id'] },
    )) as { id: number; product_id: [number, string] }[];
    await call(
      'stock.return.picking',
      'write',
      [
        [wizard],
        {
          product_return_moves: lines.map((l) => [
            1,
            l.id,
            { quantity: l.product_id[0] === productId(product) ? quantity : 0 },
          ]),
        },
      ],
      { context },
    );
    const action = (await call('stock.return.picking', 'create_returns', [[wizard]], {
      context,
    })) as { res_id: number };
    assert.equal(await call('stock.picking', 'button_validate', [[action.res_id]]), true);
    const [ret] = await h.rpc<{ id: number; name: string }[]>(
      'stock.picking',
      'read',
      [[action.res_id]],
      { fields: ['name'] },
    );
    return ret!;
  };
  /** Odoo's transfer-done watch reporting the return, by its webhook or its poller. */
  const reportDone = (id: number, via: 'webhook' | 'poll', version: string) =>
    h.crossdock.engine.accept({
      source: 'odoo',
      type: 'stock.picking.done',
      key: `stock.picking.done:stock.picking:${id}:${version}`,
      payload: { model: 'stock.picking', id, write_date: version, record: {}, via },
    });
  const runsOf = async (workflowId: string, match: (input: Record<string, unknown>) => boolean) => {
    const runs = await h.crossdock.engine.runs.list({ workflowId });
    const details = await Promise.all(runs.map((run) => h.crossdock.engine.runs.show(run.id)));
    return details.filter((run) => match(run.input as Record<string, unknown>));
  };
  const runOf = (
    workflowId: string,
    match: (input: Record<string, unknown>) => boolean,
  ): Promise<RunDetail> =>
    eventually(`a ${workflowId} run completed or failed`, async () =>
      (await runsOf(workflowId, match)).find((run) => ['completed', 'failed'].includes(run.status)),
    );
  const casesOnReturn = async (returnId: number) => {
    const { cases } = await h.crossdock.services.exceptions.list({ status: 'open' });
    return cases.filter(
      (c) => c.subject?.model === 'stock.picking' && String(c.subject.id) === String(returnId),
    );
  };

  test('a return made and validated in Odoo, reported twice, is checked and credited once for the returned quantity', async () => {
    const { order, delivery, invoice } = await invoiced('Milano', [['Archive Box', 2]]);
    const ret = await returnInOdoo(delivery.id, 'Archive Box', 1);
    await reportDone(ret.id, 'webhook', '2026-12-05 10:00:00');
    await reportDone(ret.id, 'poll', '2026-12-05 10:00:01');

    const request = await runOf('return-request', (input) => input.reference === ret.name);
    assert.equal(request.status, 'completed', JSON.stringify(request.error));
    assert.ok(h.path(request).includes('checked'), h.path(request).join(' '));
    assert.ok(!h.path(request).includes('return'), 'no second return made');
    const input = request.input as Record<string, unknown>;
    assert.equal(
      input.requested_by,
      `odoo:${admin}`,
      'the person who made the return asked for it',
    );
    assert.equal(input.return_id, ret.id);

    const receipt = await runOf('return-receipt', (i) => i.return === ret.name);
    assert.equal(receipt.status, 'completed', JSON.stringify(receipt.error));
    assert.ok(h.path(receipt).includes('refunded'), h.path(receipt).join(' '));
    // Anything the second report started has ended too.
    await eventually('every run for the return ended', async () => {
      const runs = [
        ...(await runsOf('return-receipt-hint', (i) => i.id === ret.id)),
        ...(await runsOf('return-request', (i) => i.reference === ret.name)),
        ...(await runsOf('return-receipt', (i) => i.return === ret.name)),
      ];
      return runs.length >= 4 && runs.every((r) => ['completed', 'failed'].includes(r.status));
    });
    assert.equal((await runsOf('return-receipt', (i) => i.return === ret.name)).length, 1);

    const creditNotes = await movesOf(order.name, 'out_refund');
    assert.equal(creditNotes.length, 1, 'one credit note');
    const [credit] = creditNotes;
    assert.equal(credit!.state, 'posted');
    assert.equal(credit!.amount_total, Math.round((invoice.amount_total / 2) * 100) / 100);
    assert.equal(credit!.amount_residual, 0, 'reconciled with the invoice');
    const [after] = await movesOf(order.name, 'out_invoice');
    assert.equal(
      after!.amount_residual,
      Math.round((invoice.amount_total - credit!.amount_total) * 100) / 100,
    );
    const returns = await h.rpc<unknown[]>(
      'stock.picking',
      'search_read',
      [[['return_id', '=', delivery.id]]],
      {
        fields: ['name'],
      },
    );
    assert.equal(returns.length, 1, 'only the return made in Odoo');
    assert.deepEqual(await casesOnReturn(ret.id), [], 'no case for finance');
    const notes = await h.chatter('sale.order', order.id);
    assert.ok(
      notes.some((n) => n.startsWith(`Crossdock checked return ${ret.name}, made in Odoo`)),
      notes.join(' | '),
    );
  });

  test('a return made in Odoo beyond the return window gets a case for finance with the reason, and no credit note', async () => {
    const { order, delivery } = await invoiced('Bayern', [['Archive Box', 2]]);
    // The delivery was made 40 days before the return.
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
      admin,
    );
    const ret = await returnInOdoo(delivery.id, 'Archive Box', 1);
    await reportDone(ret.id, 'webhook', '2026-12-05 11:00:00');

    const request = await runOf('return-request', (input) => input.reference === ret.name);
    assert.equal(request.status, 'completed', JSON.stringify(request.error));
    assert.ok(h.path(request).includes('not-credited'), h.path(request).join(' '));
    const [found] = await casesOnReturn(ret.id);
    assert.ok(found, 'a case on the return');
    assert.equal(found.owner.team, 'finance');
    assert.match(
      found.title,
      /was made in Odoo and not credited: outside the 30-day return window$/,
    );
    assert.deepEqual(await movesOf(order.name, 'out_refund'), [], 'no credit note');
    assert.deepEqual(await runsOf('return-receipt', (i) => i.return === ret.name), []);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunDetail } from '../../src/engine/index.ts';
import type { CaseView } from '../../src/exceptions/index.ts';
import { CaseWorker, teamActors } from '../../src/demo/case-worker.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { waitForRun } from '../support/engine.ts';
import { eventually, packHarness, type PackHarness } from './support.ts';

/**
 * Held orders come back, end to end on the simulators: an order held for stock is checked
 * again when the receipt that fills it is validated in Odoo, and released and booked with
 * nobody touching it; a business hold offers its workflow's actions, and "check again"
 * releases it once the cause is fixed in Odoo. What is checked is what a warehouse or credit
 * controller would see: the case, its actions, the order's chatter and the carrier booking.
 */
const operator = { actor: 'user:1 ops@demo.crossdock.test' };

describe('held orders come back', () => {
  let h: PackHarness;
  before(async () => {
    h = await packHarness();
  });
  after(() => h.close());

  async function caseFor(
    orderId: number,
    status: 'open' | 'resolved' = 'open',
  ): Promise<CaseView[]> {
    const { cases } = await h.crossdock.services.exceptions.list({
      status,
      workflowId: 'order-release',
    });
    return cases.filter(
      (c) => c.subject?.model === 'sale.order' && Number(c.subject.id) === orderId,
    );
  }

  async function settled(runId: string, statuses: string[]): Promise<RunDetail> {
    return waitForRun(h.crossdock.engine, runId, statuses, 60_000);
  }

  /** The Odoo source's event for a watched stock.picking in state done (a webhook or the poller). */
  const pickingDone = (picking: number, key: string) =>
    h.crossdock.engine.accept({
      source: 'odoo',
      type: 'stock.picking.done',
      key,
      payload: {
        model: 'stock.picking',
        id: picking,
        write_date: '2026-12-05 10:00:00',
        record: {},
        via: 'webhook',
      },
    });

  /** Goods bought and received: a purchase order confirmed in Odoo, its receipt validated. */
  async function receive(product: number, qty: number): Promise<number> {
    const vendor = (await h.odoo.db.call('res.partner', 'create', [
      { name: 'Regalbau Nord GmbH', is_company: true },
    ])) as number;
    const purchase = (await h.odoo.db.call('purchase.order', 'create', [
      {
        partner_id: vendor,
        order_line: [[0, 0, { product_id: product, product_qty: qty, price_unit: 22 }]],
      },
    ])) as number;
    await h.rpc('purchase.order', 'button_confirm', [[purchase]]);
    const [receipt] = await h.rpc<number[]>('stock.picking', 'search', [
      [['purchase_id', '=', purchase]],
    ]);
    assert.equal(
      await h.rpc('stock.picking', 'button_validate', [[receipt]], { context: { skip_sms: true } }),
      true,
    );
    return receipt!;
  }

  /** The runs that held-order-recheck told to check again when the transfer's "done" came in. */
  async function signalledBy(picking: number, key: string): Promise<string[]> {
    const done = await pickingDone(picking, key);
    const recheck = (
      await Promise.all(done.runIds.map((id) => settled(id, ['completed', 'failed'])))
    ).find((r) => r.workflowId === 'held-order-recheck');
    assert.ok(recheck, `the transfer started held-order-recheck: ${JSON.stringify(done.runIds)}`);
    assert.equal(recheck.status, 'completed', JSON.stringify(recheck.error));
    return (recheck.steps.find((s) => s.stepId === 'recheck')!.output as { signalled: string[] })
      .signalled;
  }

  /** A product with no stock at all, and a routine order for it confirmed in Odoo. */
  async function orderWithoutStock(name: string): Promise<{ product: number; orderId: number }> {
    const template = (await h.odoo.db.call('product.template', 'create', [
      { name, type: 'product', list_price: 40, standard_price: 22, weight: 6 },
    ])) as number;
    const product = (await h.odoo.db.call('product.product', 'create', [
      { product_tmpl_id: template, standard_price: 22, default_code: `DEMO-${template}` },
    ])) as number;
    const customer = h.catalog.customers.find((c) => c.name.startsWith('Nordhafen'))!.id;
    const uid = h.catalog.salespersonUid;
    const orderId = (await h.odoo.db.call(
      'sale.order',
      'create',
      [
        {
          partner_id: customer,
          user_id: uid,
          order_line: [[0, 0, { product_id: product, product_uom_qty: 4 }]],
        },
      ],
      {},
      uid,
    )) as number;
    await h.odoo.db.call('sale.order', 'action_confirm', [[orderId]], {}, uid);
    return { product, orderId };
  }

  test('an order held for stock is released and booked once the receipt that fills it is validated', async () => {
    const { product, orderId } = await orderWithoutStock('Pallet Racking Beam');

    const held = await h.runFor('order-release', orderId);
    assert.equal(held.status, 'waiting', JSON.stringify(held.error));
    assert.ok(h.path(held).includes('hold-stock'), h.path(held).join(' > '));
    const [stockCase] = await caseFor(orderId);
    assert.ok(stockCase, 'a case for the warehouse');
    assert.equal(stockCase.errorCode, 'STOCK_HOLD');
    assert.deepEqual(stockCase.actions, ['check_again', 'cancel'], 'no release without the stock');
    // The actions a stock case does not offer are refused, each with its code.
    const release = await h.crossdock.services.exceptions
      .act(stockCase.id, 'release', null, operator)
      .catch((e: { code: string }) => e);
    assert.equal((release as { code: string }).code, 'EXCEPTION_ACTION_NOT_ALLOWED');
    const retry = await h.crossdock.services.exceptions
      .retry(stockCase.id, operator)
      .catch((e: { code: string }) => e);
    assert.equal((retry as { code: string }).code, 'EXCEPTION_NOT_RETRYABLE');
    const bulk = await h.crossdock.services.exceptions.bulk(
      { ids: [stockCase.id], action: 'retry' },
      operator,
    );
    assert.deepEqual(
      bulk.map((r) => [r.ok, r.error?.code]),
      [[false, 'EXCEPTION_NOT_RETRYABLE']],
    );

    // The goods are bought and received: a purchase order confirmed, its receipt validated in Odoo.
    const receipt = await receive(product, 10);
    assert.deepEqual(await signalledBy(receipt, `stock.picking.done:stock.picking:${receipt}`), [
      held.id,
    ]);

    const released = await settled(held.id, ['completed', 'failed']);
    assert.equal(released.status, 'completed', JSON.stringify(released.error));
    assert.ok(h.path(released).includes('released'), h.path(released).join(' > '));
    const [closed] = await caseFor(orderId, 'resolved');
    assert.equal(closed?.id, stockCase.id);
    assert.equal(closed?.reasonCode, 'fixed_in_source');
    assert.deepEqual(await caseFor(orderId), [], 'no case left open for the order');
    const dispatch = await h.runFor('dispatch', orderId, ['completed', 'failed']);
    assert.equal(dispatch.status, 'completed', JSON.stringify(dispatch.error));
    const [delivery] = await h.rpc<{ name: string; carrier_tracking_ref: string | false }[]>(
      'stock.picking',
      'search_read',
      [[['sale_id', '=', orderId]]],
      { fields: ['name', 'carrier_tracking_ref'] },
    );
    assert.ok(delivery!.carrier_tracking_ref, 'the delivery is booked');

    // A second "done" for the receipt (the poller after the webhook) signals nothing and books nothing more.
    assert.deepEqual(
      await signalledBy(receipt, `stock.picking.done:stock.picking:${receipt}:poll`),
      [],
    );
    const bookings = h.carriers.profiles
      .flatMap((p) => h.carriers.bookings(p.code))
      .filter((b) => b.reference === delivery!.name);
    assert.equal(bookings.length, 1, 'one booking for the delivery');
    const notes = await h.chatter('sale.order', orderId);
    assert.equal(
      notes.filter((n) => n.includes('Crossdock released this order')).length,
      1,
      notes.join(' | '),
    );
  });

  test('a transfer done starts the workflows its type concerns: a delivery none of the receipt ones, a receipt all of them', async () => {
    // The record as the stock.picking watch sends it (docs/odoo-setup.md: its fields).
    const done = async (id: number, type: string | undefined) => {
      const record = {
        id,
        name: `WH/X/${id}`,
        state: 'done',
        origin: false,
        date_done: '2026-12-05 10:00:00',
        write_date: '2026-12-05 10:00:00',
        carrier_tracking_ref: false,
        ...(type === undefined ? {} : { picking_type_code: type }),
      };
      const accepted = await h.crossdock.engine.accept({
        source: 'odoo',
        type: 'stock.picking.done',
        key: `stock.picking.done:stock.picking:${id}:filters`,
        payload: {
          model: 'stock.picking',
          id,
          write_date: record.write_date,
          record,
          via: 'webhook',
        },
      });
      const runs = await Promise.all(accepted.runIds.map((r) => h.crossdock.engine.runs.show(r)));
      await Promise.all(accepted.runIds.map((r) => settled(r, ['completed', 'failed'])));
      return runs.map((r) => r!.workflowId).sort();
    };
    const receiptOnly = ['purchase-received', 'return-receipt-hint', 'supplier-delay-received'];
    const delivery = await done(900_001, 'outgoing');
    for (const id of [...receiptOnly, 'held-order-recheck'])
      assert.ok(!delivery.includes(id), `a delivery starts no ${id}: ${delivery.join(', ')}`);
    assert.ok(delivery.includes('replenishment-hint'), `stock went out: ${delivery.join(', ')}`);
    const receipt = await done(900_002, 'incoming');
    for (const id of [...receiptOnly, 'held-order-recheck', 'replenishment-hint'])
      assert.ok(receipt.includes(id), `a receipt starts ${id}: ${receipt.join(', ')}`);
    // A watch that does not send the type: every transfer starts them all, as before.
    const unknown = await done(900_003, undefined);
    for (const id of [...receiptOnly, 'held-order-recheck'])
      assert.ok(unknown.includes(id), `an untyped transfer starts ${id}: ${unknown.join(', ')}`);
  });

  test('a blocked customer: the case offers its actions; "check again" releases the order once the customer is unblocked in Odoo', async () => {
    const order = await h.placeOrder('Brussels', [['Archive Box', 2]]);
    const held = await h.runFor('order-release', order.id);
    assert.equal(held.status, 'waiting', JSON.stringify(held.error));
    const [blocked] = await caseFor(order.id);
    assert.ok(blocked, 'a case for credit control');
    assert.equal(blocked.errorCode, 'CUSTOMER_BLOCKED');
    assert.deepEqual(blocked.actions, ['check_again', 'release', 'cancel']);
    // More of its product arrives: the order is held for its customer, with its stock reserved,
    // so the transfer does not wake it, and its case stays as it is.
    const box = h.catalog.products.find((p) => p.name.startsWith('Archive Box'))!.id;
    const receipt = await receive(box, 5);
    assert.deepEqual(await signalledBy(receipt, `stock.picking.done:stock.picking:${receipt}`), []);
    assert.deepEqual(
      (await caseFor(order.id)).map((c) => c.id),
      [blocked.id],
    );
    assert.equal(
      (
        (await h.crossdock.services.exceptions
          .act(blocked.id, 'ship_anyway', null, operator)
          .catch((e: { code: string }) => e)) as { code: string }
      ).code,
      'EXCEPTION_ACTION_NOT_ALLOWED',
    );

    // Checked again while still blocked: the case closes and a new one opens for the same order.
    await h.crossdock.services.exceptions.act(
      blocked.id,
      'check_again',
      'customer called',
      operator,
    );
    const second = await eventually('the order held again with a new case', async () =>
      (await caseFor(order.id)).find((c) => c.id !== blocked.id),
    );
    assert.deepEqual(second.actions, ['check_again', 'release', 'cancel']);
    const [first] = (await caseFor(order.id, 'resolved')).filter((c) => c.id === blocked.id);
    assert.equal(first?.reasonCode, 'fixed_in_source');
    // A closed case offers nothing any more.
    assert.deepEqual(first?.actions, []);
    assert.equal(
      (
        (await h.crossdock.services.exceptions
          .act(blocked.id, 'check_again', null, operator)
          .catch((e: { code: string }) => e)) as { code: string }
      ).code,
      'EXCEPTION_ILLEGAL_TRANSITION',
    );
    assert.equal(
      (await h.crossdock.services.exceptions.show(blocked.id)).history.filter(
        (e) => e.action === 'action',
      ).length,
      1,
      'the action is in the case history',
    );

    // Credit control unblocks the customer in Odoo, then checks again: the order is released.
    const [row] = await h.rpc<{ partner_id: [number, string] }[]>(
      'sale.order',
      'read',
      [[order.id]],
      { fields: ['partner_id'] },
    );
    await h.rpc('res.partner', 'write', [
      [row!.partner_id[0]],
      { sale_warn: 'no-message', sale_warn_msg: false },
    ]);
    await h.crossdock.services.exceptions.act(
      second.id,
      'check_again',
      'unblocked in Odoo',
      operator,
    );
    const released = await settled(held.id, ['completed', 'failed']);
    assert.equal(released.status, 'completed', JSON.stringify(released.error));
    assert.ok(h.path(released).includes('released'), h.path(released).join(' > '));
    assert.deepEqual(await caseFor(order.id), []);
    const dispatch = await h.runFor('dispatch', order.id, ['completed', 'failed']);
    assert.equal(dispatch.status, 'completed', JSON.stringify(dispatch.error));
  });

  test('a delivery made Ready in Odoo (reserved by hand) brings its held order back; a second "ready" does nothing more', async () => {
    const { product, orderId } = await orderWithoutStock('Cable Tray Bracket');
    const held = await h.runFor('order-release', orderId);
    assert.equal(held.status, 'waiting', JSON.stringify(held.error));
    // The warehouse finds the goods (an inventory count) and reserves the delivery: Odoo's Check Availability.
    await h.odoo.db.call('stock.quant', 'create', [
      { product_id: product, location_id: 8, quantity: 4 },
    ]);
    const [delivery] = await h.rpc<number[]>('stock.picking', 'search', [
      [['sale_id', '=', orderId]],
    ]);
    await h.rpc('stock.picking', 'action_assign', [[delivery]]);
    const ready = (key: string) =>
      h.crossdock.engine.accept({
        source: 'odoo',
        type: 'stock.picking.ready',
        key,
        payload: {
          model: 'stock.picking',
          id: delivery,
          write_date: '2026-12-05 11:00:00',
          record: {},
          via: 'webhook',
        },
      });
    const first = await settled(
      (await ready(`stock.picking.ready:stock.picking:${delivery}`)).runIds[0]!,
      ['completed', 'failed'],
    );
    assert.equal(first.status, 'completed', JSON.stringify(first.error));
    assert.deepEqual(
      (first.steps.find((s) => s.stepId === 'recheck')!.output as { signalled: string[] })
        .signalled,
      [held.id],
    );
    const released = await settled(held.id, ['completed', 'failed']);
    assert.ok(h.path(released).includes('released'), h.path(released).join(' > '));
    const second = await settled(
      (await ready(`stock.picking.ready:stock.picking:${delivery}:poll`)).runIds[0]!,
      ['completed', 'failed'],
    );
    assert.deepEqual(
      (second.steps.find((s) => s.stepId === 'recheck')!.output as { signalled: string[] })
        .signalled,
      [],
    );
    const dispatch = await h.runFor('dispatch', orderId, ['completed', 'failed']);
    assert.equal(dispatch.status, 'completed', JSON.stringify(dispatch.error));
  });

  test("a running demo's people work the queue: a held order is cancelled, a case with no action resolved, a stock hold left to the stock", async () => {
    // Blocked again in Odoo (the test above unblocked the customer).
    const brussels = h.catalog.customers.find((c) => c.name.startsWith('Brussels'))!.id;
    await h.rpc('res.partner', 'write', [
      [brussels],
      { sale_warn: 'block', sale_warn_msg: 'Account on hold' },
    ]);
    const order = await h.placeOrder('Brussels', [['Archive Box', 1]]);
    const held = await h.runFor('order-release', order.id);
    assert.equal(held.status, 'waiting', JSON.stringify(held.error));
    const { orderId: waiting } = await orderWithoutStock('Mezzanine Floor Panel');
    const stockHeld = await h.runFor('order-release', waiting);
    const { case: noAction } = await h.crossdock.services.exceptions.openCase(
      { title: 'Freight delivery booked by hand', owner: { team: 'dispatch' } },
      operator,
    );
    const worker = new CaseWorker({
      exceptions: h.crossdock.services.exceptions,
      actorFor: teamActors(h.people.values()),
      afterMs: 0,
      pollMs: 60_000,
      now: () => new Date(Date.now() + 1_000),
      logger: silentLogger(),
    });

    assert.ok((await worker.scan()) >= 2);
    // The run ends on its own path, or is stopped by order-cancellation once Odoo says so.
    const cancelled = await settled(held.id, ['completed', 'failed', 'cancelled']);
    assert.notEqual(cancelled.status, 'failed', JSON.stringify(cancelled.error));
    const [inOdoo] = await h.rpc<{ state: string }[]>('sale.order', 'read', [[order.id]], {
      fields: ['state'],
    });
    assert.equal(inOdoo?.state, 'cancel', 'the order is cancelled in Odoo');
    assert.deepEqual(await caseFor(order.id), []);
    const resolved = await h.crossdock.services.exceptions.show(noAction.id);
    assert.equal(resolved.status, 'resolved');
    assert.equal(resolved.reasonCode, 'handled_manually');
    assert.match(resolved.history.at(-1)!.actor, /dirk\.dispatch@/);
    const [stockCase] = await caseFor(waiting);
    assert.equal(stockCase?.errorCode, 'STOCK_HOLD', 'the stock hold stays open');
    assert.equal((await h.crossdock.engine.runs.show(stockHeld.id)).status, 'waiting');
  });
});

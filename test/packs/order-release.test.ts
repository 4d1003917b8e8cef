import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitForRun } from '../support/engine.ts';
import { eventually, packHarness, type PackHarness } from './support.ts';

/**
 * The order-release pack end to end on the simulators: an order confirmed in Odoo reaches
 * Crossdock through Odoo's webhook (and the poller), is re-read and checked, and the outcome
 * is read back from Odoo over RPC: the chatter, the activities, and whether it shipped.
 */
describe('order-release pack, end to end', () => {
  let h: PackHarness;
  before(async () => {
    h = await packHarness();
  });
  after(() => h.close());

  const dora = () => h.approver('dora.director@demo.crossdock.test');
  const sam = () => h.approver('sam.sales@demo.crossdock.test');
  const fiona = () => h.approver('fiona.finance@demo.crossdock.test');

  test('a routine order is released on its own, noted in Odoo, and shipped once', async () => {
    const order = await h.placeOrder('Nordhafen', [
      ['Ergonomic Office Chair', 2],
      ['LED Desk Lamp', 2],
    ]);
    const run = await h.runFor('order-release', order.id);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.ok(h.path(run).includes('released'));
    assert.ok(!h.path(run).includes('approve'), 'no approval for a routine order');
    const tier = run.steps.find((s) => s.stepId === 'tier')!.output as {
      decision: { tier: string };
      matched: { ruleId: string }[];
    };
    assert.equal(tier.decision.tier, 'auto');
    assert.equal(tier.matched[0]!.ruleId, 'auto');
    const notes = await h.chatter('sale.order', order.id);
    assert.equal(
      notes.filter((n) => n.includes('Crossdock released this order')).length,
      1,
      notes.join(' | '),
    );
    const dispatch = await h.runFor('dispatch', order.id, ['completed', 'failed']);
    assert.equal(dispatch.status, 'completed', JSON.stringify(dispatch.error));
    const [picking] = await h.rpc<{ name: string; carrier_tracking_ref: string | false }[]>(
      'stock.picking',
      'search_read',
      [[['sale_id', '=', order.id]]],
      { fields: ['name', 'carrier_tracking_ref'] },
    );
    assert.ok(picking!.carrier_tracking_ref, 'the tracking reference is on the delivery');
    const bookings = h.carriers.profiles
      .flatMap((p) => h.carriers.bookings(p.code))
      .filter((b) => b.reference === picking!.name);
    assert.equal(bookings.length, 1, 'one booking for the delivery');
  });

  test('Odoo reporting the confirmed order again (a later edit) does not release it twice', async () => {
    const order = await h.placeOrder('Nordhafen', [['Archive Box', 1]]);
    const first = await h.runFor('order-release', order.id, ['completed', 'failed']);
    const [row] = await h.rpc<{ date_order: string; write_date: string }[]>(
      'sale.order',
      'read',
      [[order.id]],
      { fields: ['date_order', 'write_date'] },
    );
    // What the poller emits after an edit of the confirmed order: the same order, a later write_date.
    const again = await h.crossdock.engine.accept({
      source: 'odoo',
      type: 'sale.order.confirmed',
      key: `sale.order.confirmed:sale.order:${order.id}:edited`,
      payload: {
        model: 'sale.order',
        id: order.id,
        write_date: row!.write_date,
        record: { name: order.name, date_order: row!.date_order },
        via: 'poller',
      },
    });
    const settled = await waitForRun(h.crossdock.engine, again.runIds[0]!);
    assert.equal(settled.status, 'completed');
    assert.equal(
      (settled.output as { duplicate: boolean }).duplicate,
      true,
      'the release request was a duplicate',
    );
    const releases = await h.crossdock.engine.runs.list({ workflowId: 'order-release' });
    const forOrder = (
      await Promise.all(releases.map((r) => h.crossdock.engine.runs.show(r.id)))
    ).filter((r) => (r.input as { id: number }).id === order.id);
    assert.deepEqual(
      forOrder.map((r) => r.id),
      [first.id],
    );
  });

  test('a thin-margin order waits for a sales manager; approved, it is released', async () => {
    const order = await h.placeOrder('Rheinland', [['Conference Table', 1]]);
    const waiting = await h.runFor('order-release', order.id);
    assert.equal(waiting.status, 'waiting');
    const request = await h.pendingRequestFor(waiting.id);
    assert.equal(request.level, 'sales-manager');
    assert.deepEqual(request.assignees, ['sam.sales@demo.crossdock.test']);
    const shown = await h.crossdock.services.approvals.show(request.id);
    assert.match(shown.summary, /margin below 15%/);
    // The salesperson behind the order (Odoo uid 8) is the requester and is recorded as such.
    assert.equal(shown.requester, 'odoo:8');
    await h.crossdock.services.approvals.decide(
      request.id,
      sam(),
      'approve',
      'strategic customer',
      'api',
    );
    const run = await h.runFor('order-release', order.id, ['completed', 'failed']);
    assert.equal(run.status, 'completed');
    assert.ok(h.path(run).includes('released'));
    const notes = await h.chatter('sale.order', order.id);
    assert.ok(
      notes.some((n) => n.includes('Crossdock released this order') && n.includes('approved')),
      notes.join(' | '),
    );
  });

  test('a manager rejects: the order is held, the salesperson gets an activity, nothing ships', async () => {
    const order = await h.placeOrder('Bayern', [['Conference Table', 1]]);
    const waiting = await h.runFor('order-release', order.id);
    const request = await h.pendingRequestFor(waiting.id);
    await h.crossdock.services.approvals.decide(
      request.id,
      sam(),
      'reject',
      'margin too thin for this customer',
      'api',
    );
    const run = await h.runFor('order-release', order.id, ['completed', 'failed']);
    assert.equal(run.status, 'completed');
    assert.ok(h.path(run).includes('tell-salesperson'));
    assert.ok(!h.path(run).includes('released'));
    const notes = await h.chatter('sale.order', order.id);
    assert.ok(
      notes.some((n) => n.includes('approval rejected (margin too thin for this customer)')),
      notes.join(' | '),
    );
    const activities = await h.rpc<{ summary: string; user_id: [number, string] }[]>(
      'mail.activity',
      'search_read',
      [
        [
          ['res_model', '=', 'sale.order'],
          ['res_id', '=', order.id],
        ],
      ],
      { fields: ['summary', 'user_id'] },
    );
    assert.deepEqual(
      activities.filter((a) => a.summary.includes('was not approved')).map((a) => a.user_id[0]),
      [8],
    );
    const dispatches = await h.crossdock.engine.runs.list({ workflowId: 'dispatch' });
    assert.ok(
      !(await Promise.all(dispatches.map((d) => h.crossdock.engine.runs.show(d.id)))).some(
        (d) => (d.input as { order_id: number }).order_id === order.id,
      ),
    );
  });

  test('over the credit limit: finance, then the director; both approve and it ships', async () => {
    const order = await h.placeOrder('Kraków', [['Laptop Docking Station', 6]]);
    const waiting = await h.runFor('order-release', order.id);
    const first = await h.pendingRequestFor(waiting.id);
    assert.equal(first.level, 'finance');
    assert.match(
      (await h.crossdock.services.approvals.show(first.id)).summary,
      /credit limit not confirmed/,
    );
    await h.crossdock.services.approvals.decide(
      first.id,
      fiona(),
      'approve',
      'prepayment received',
      'api',
    );
    const second = await h.pendingRequestFor(waiting.id);
    assert.equal(second.level, 'director');
    // The director is Odoo's administrator: her request shows as an activity on the order.
    await eventually('an activity for the director in Odoo', async () => {
      const activities = await h.rpc<{ user_id: [number, string] }[]>(
        'mail.activity',
        'search_read',
        [
          [
            ['res_model', '=', 'sale.order'],
            ['res_id', '=', order.id],
          ],
        ],
        { fields: ['user_id'] },
      );
      return activities.some((a) => a.user_id[0] === 2);
    });
    await h.crossdock.services.approvals.decide(second.id, dora(), 'approve', null, 'api');
    const run = await h.runFor('order-release', order.id, ['completed', 'failed']);
    assert.ok(h.path(run).includes('released'));
    assert.equal(
      (await h.runFor('dispatch', order.id, ['completed', 'failed'])).status,
      'completed',
    );
  });

  test('overdue invoices: the director rejects at the second level; the order is held', async () => {
    const order = await h.placeOrder('Wiener', [['Steel Shelving Unit', 1]]);
    const waiting = await h.runFor('order-release', order.id);
    const facts = waiting.steps.find((s) => s.stepId === 'facts')!.output as {
      overdue_amount: number;
    };
    assert.ok(facts.overdue_amount > 0, 'the overdue invoice was found over RPC');
    const first = await h.pendingRequestFor(waiting.id);
    await h.crossdock.services.approvals.decide(first.id, fiona(), 'approve', null, 'api');
    const second = await h.pendingRequestFor(waiting.id);
    await h.crossdock.services.approvals.decide(
      second.id,
      dora(),
      'reject',
      'collect the overdue invoice first',
      'api',
    );
    const run = await h.runFor('order-release', order.id, ['completed', 'failed']);
    assert.ok(h.path(run).includes('tell-salesperson'));
    assert.ok(
      (await h.chatter('sale.order', order.id)).some((n) =>
        n.includes('collect the overdue invoice first'),
      ),
    );
  });

  test('a blocked customer is held as an exception case owned by credit control', async () => {
    const order = await h.placeOrder('Brussels', [['Archive Box', 3]]);
    const run = await h.runFor('order-release', order.id);
    // The run waits for an action on its case (check again, release with an approval, cancel).
    assert.equal(run.status, 'waiting');
    assert.ok(h.path(run).includes('hold-case'));
    const notes = await h.chatter('sale.order', order.id);
    assert.ok(
      notes.some((n) => n.includes('customer is blocked') && n.includes('Account on hold')),
      notes.join(' | '),
    );
    const { cases } = await h.crossdock.services.exceptions.list({ status: 'open' });
    const held = cases.filter(
      (c) => c.subject?.model === 'sale.order' && Number(c.subject.id) === order.id,
    );
    assert.equal(held.length, 1);
    assert.equal(held[0]!.owner.team, 'credit-control');
    assert.equal(held[0]!.severity, 'high');
  });

  test('two routine large orders (the policy allows bulk) are approved together and released; a thin-margin one may not join', async () => {
    const orders = [
      await h.placeOrder('Nordhafen', [['Standing Desk Frame', 20]]),
      await h.placeOrder('Rheinland', [['Standing Desk Frame', 25]]),
    ];
    const thin = await h.placeOrder('Rheinland', [['Conference Table', 2]]);
    const waiting = await Promise.all(orders.map((o) => h.runFor('order-release', o.id)));
    const requests = await Promise.all(
      waiting.map(async (run) =>
        h.crossdock.services.approvals.show((await h.pendingRequestFor(run.id)).id),
      ),
    );
    for (const r of requests) assert.match(r.summary, /order total of 10000 or more/);
    assert.ok(requests[0]!.bulkGroup, 'the policy row "medium" allows bulk approval');
    assert.equal(
      requests[0]!.bulkGroup,
      requests[1]!.bulkGroup,
      'the same rule of the same policy version: identical',
    );
    const thinRequest = await h.pendingRequestFor((await h.runFor('order-release', thin.id)).id);
    assert.equal(
      (await h.crossdock.services.approvals.show(thinRequest.id)).bulkGroup,
      null,
      'a thin margin is decided on its own',
    );

    const refused = await h.crossdock.services.approvals
      .decideMany([requests[0]!.id, thinRequest.id], sam(), null, 'api')
      .catch((e: { code: string }) => e);
    assert.equal((refused as { code: string }).code, 'APPROVAL_BULK_REFUSED');
    const result = await h.crossdock.services.approvals.decideMany(
      requests.map((r) => r.id),
      sam(),
      'routine key-account orders',
      'api',
    );
    assert.deepEqual(
      result.results.map((r) => r.outcome),
      ['approved', 'approved'],
    );
    for (const o of orders) {
      const run = await h.runFor('order-release', o.id, ['completed', 'failed']);
      assert.ok(h.path(run).includes('released'), JSON.stringify(run.error));
      const notes = await h.chatter('sale.order', o.id);
      assert.ok(
        notes.some((n) => n.includes('Crossdock released this order') && n.includes('approved')),
        notes.join(' | '),
      );
    }
  });
});

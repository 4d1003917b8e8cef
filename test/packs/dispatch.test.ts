import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, packHarness, type PackHarness } from './support.ts';

/**
 * The dispatch pack end to end: released orders are shipped through the carrier simulator.
 * Each test reads the delivery back from Odoo over RPC and counts the carriers' bookings,
 * so "exactly once" is checked where the effect lives.
 */
describe('dispatch pack, end to end', () => {
  let h: PackHarness;
  before(async () => {
    h = await packHarness();
  });
  after(() => h.close());

  type Picking = {
    id: number;
    name: string;
    carrier_tracking_ref: string | false;
    carrier_id: [number, string] | false;
  };
  const pickingOf = async (orderId: number) =>
    (
      await h.rpc<Picking[]>('stock.picking', 'search_read', [[['sale_id', '=', orderId]]], {
        fields: ['name', 'carrier_tracking_ref', 'carrier_id'],
      })
    )[0]!;
  const bookingsFor = (reference: string) =>
    h.carriers.profiles.flatMap((p) =>
      h.carriers
        .bookings(p.code)
        .filter((b) => b.reference === reference)
        .map((b) => ({ carrier: p.code, ...b })),
    );
  /** Places an order that releases on its own and waits for its dispatch run to end. */
  const shipped = async (customer: string, lines: [string, number][]) => {
    const order = await h.placeOrder(customer, lines);
    const release = await h.runFor('order-release', order.id, ['completed', 'failed']);
    assert.ok(
      h.path(release).includes('released'),
      `order ${order.name} released: ${h.path(release).join(' ')}`,
    );
    // A booking backoff parks the run ('waiting'); only its end counts here.
    return { order, run: await h.runFor('dispatch', order.id, ['completed', 'failed']) };
  };

  test('standard: the policy picks the carrier, it is booked once, written to the delivery, and the customer is told', async () => {
    const { order, run } = await shipped('Nordhafen', [['Steel Shelving Unit', 1]]);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    const picking = await pickingOf(order.id);
    const bookings = bookingsFor(picking.name);
    assert.equal(bookings.length, 1);
    assert.equal(bookings[0]!.carrier, 'swiftpost', 'domestic parcel: SwiftPost first');
    const shipment = run.steps.find((s) => s.stepId === 'shipment' && s.status === 'completed')!
      .output as { from: unknown; declared_value: { currency: string } };
    assert.deepEqual(
      shipment.from,
      {
        country: 'DE',
        postcode: '20457',
        city: 'Hamburg',
        street: 'Am Sandtorkai 50',
        name: 'Crossdock Demo Distribution',
      },
      "the warehouse's address in Odoo",
    );
    assert.equal(shipment.declared_value.currency, 'USD', "the order's currency");
    assert.equal(picking.carrier_tracking_ref, bookings[0]!.tracking_ref);
    assert.equal(picking.carrier_id && picking.carrier_id[1], 'SwiftPost');
    const notes = await h.chatter('stock.picking', picking.id);
    assert.equal(
      notes.filter((n) => n.startsWith('Crossdock booked swiftpost')).length,
      1,
      notes.join(' | '),
    );
    const mail = await eventually('the customer e-mail', async () =>
      h.mail.mails.find(
        (m) =>
          m.to.includes('orders@nordhafen-logistik-gmbh.test') &&
          m.raw.includes(String(picking.carrier_tracking_ref)),
      ),
    );
    assert.match(mail.raw, /Subject: Your order S\d+ is on its way/);
  });

  test('dangerous goods wait for the dispatch manager, then go with the only carrier that takes them', async () => {
    const order = await h.placeOrder('Rheinland', [['Lithium Battery Pack', 2]]);
    const release = await h.runFor('order-release', order.id);
    const manager = await h.pendingRequestFor(release.id); // high-risk route: a sales manager first
    await h.crossdock.services.approvals.decide(
      manager.id,
      h.approver('sam.sales@demo.crossdock.test'),
      'approve',
      null,
      'api',
    );
    const waiting = await h.runFor('dispatch', order.id);
    assert.equal(waiting.status, 'waiting');
    const request = await h.pendingRequestFor(waiting.id);
    assert.equal(request.level, 'dispatch-manager');
    assert.match(
      (await h.crossdock.services.approvals.show(request.id)).summary,
      /dangerous goods/,
    );
    assert.equal(
      bookingsFor((await pickingOf(order.id)).name).length,
      0,
      'nothing is booked before the approval',
    );
    await h.crossdock.services.approvals.decide(
      request.id,
      h.approver('dirk.dispatch@demo.crossdock.test'),
      'approve',
      'UN3480 paperwork checked',
      'api',
    );
    const run = await h.runFor('dispatch', order.id, ['completed', 'failed']);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.deepEqual(
      bookingsFor((await pickingOf(order.id)).name).map((b) => b.carrier),
      ['cargoplus'],
    );
  });

  test('the first carrier keeps failing: retried with backoff, then the next carrier books, once', async () => {
    h.carriers.faults.failNext('euroline', 3, { kind: 'server-error', status: 503 }, 'book');
    const { order, run } = await shipped('Van Dijk', [['LED Desk Lamp', 2]]);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    const book = run.steps.filter((s) => s.stepId === 'book' && s.status === 'completed').at(-1)!
      .output as { carrier: string; fallbacks_used: number; attempts: { carrier: string }[] };
    assert.equal(book.carrier, 'cargoplus');
    assert.equal(book.fallbacks_used, 1);
    assert.equal(book.attempts.filter((a) => a.carrier === 'euroline').length, 3);
    const picking = await pickingOf(order.id);
    assert.deepEqual(
      bookingsFor(picking.name).map((b) => b.carrier),
      ['cargoplus'],
      'euroline never booked, cargoplus once',
    );
    assert.ok(
      (await h.chatter('stock.picking', picking.id)).some((n) => n.includes('after 1 fallback')),
    );
  });

  test('every carrier fails: the run fails into the exception queue; a replay from the booking ships it once', async () => {
    h.carriers.faults.failAlways('euroline', { kind: 'reject', reason: 'depot closed' }, 'book');
    h.carriers.faults.failAlways('cargoplus', { kind: 'reject', reason: 'no capacity' }, 'book');
    const { order, run } = await shipped('Atelier', [['Archive Box', 2]]).finally(() =>
      h.carriers.faults.clear(),
    );
    assert.equal(run.status, 'failed');
    assert.equal((run.error as { code: string }).code, 'CARRIER_ALL_FAILED');
    const { cases } = await h.crossdock.services.exceptions.list({
      status: 'open',
      workflowId: 'dispatch',
    });
    const deadLetter = cases.find((c) => c.runId === run.id);
    assert.ok(deadLetter, 'one open case for the failed run');
    assert.equal(deadLetter.stepId, 'book');
    assert.equal(bookingsFor((await pickingOf(order.id)).name).length, 0);
    await h.crossdock.services.exceptions.retry(deadLetter.id, { actor: 'test operator' });
    const replayed = await h.runFor('dispatch', order.id, ['completed']);
    assert.equal(replayed.status, 'completed');
    const picking = await pickingOf(order.id);
    assert.equal(bookingsFor(picking.name).length, 1);
    const closed = await eventually('the case closes', async () => {
      const shown = await h.crossdock.services.exceptions.show(deadLetter.id);
      return shown.status !== 'open' && shown.status !== 'retrying' ? shown : undefined;
    });
    assert.equal(closed.status, 'resolved');
  });

  test('a tracking webhook delivered twice is one event: one run, one delivered note', async () => {
    const { order, run } = await shipped('Nordhafen', [['Archive Box', 1]]);
    assert.equal(run.status, 'completed');
    const picking = await pickingOf(order.id);
    const [booking] = bookingsFor(picking.name);
    const deliveries = await h.carriers.sendTracking(
      booking!.carrier,
      { tracking_ref: booking!.tracking_ref, status: 'delivered' },
      { deliveries: 2 },
    );
    assert.deepEqual(
      deliveries.map((d) => d.status),
      [202, 200],
      'accepted, then recognised as a duplicate',
    );
    await eventually('the delivered note', async () =>
      (await h.chatter('stock.picking', picking.id)).some((n) => n.startsWith('Delivered by')),
    );
    const notes = (await h.chatter('stock.picking', picking.id)).filter((n) =>
      n.startsWith('Delivered by'),
    );
    assert.equal(notes.length, 1);
    const tracking = await h.crossdock.engine.runs.list({ workflowId: 'shipment-tracking' });
    const forThis = (
      await Promise.all(tracking.map((t) => h.crossdock.engine.runs.show(t.id)))
    ).filter((t) => (t.input as { tracking_ref: string }).tracking_ref === booking!.tracking_ref);
    assert.equal(forThis.length, 1);
  });

  test('a delay reported by the carrier opens a shipment case for customer service and tells the customer', async () => {
    const { order } = await shipped('Milano', [['Ergonomic Office Chair', 1]]);
    const picking = await pickingOf(order.id);
    const [booking] = bookingsFor(picking.name);
    await h.carriers.sendTracking(booking!.carrier, {
      tracking_ref: booking!.tracking_ref,
      status: 'delayed',
      reason: 'road closure at the Brenner pass',
    });
    const opened = await eventually('a shipment case', async () => {
      const { cases } = await h.crossdock.services.exceptions.list({
        status: 'open',
        workflowId: 'shipment-tracking',
      });
      return cases.find(
        (c) => c.subject?.model === 'stock.picking' && Number(c.subject.id) === picking.id,
      );
    });
    assert.equal(opened.owner.team, 'customer-service');
    assert.equal(opened.severity, 'medium');
    assert.match(opened.title, /delayed: road closure/);
    await eventually('the customer e-mail about the delay', async () =>
      h.mail.mails.some((m) => m.raw.includes(`About your delivery ${picking.name}`)),
    );
    assert.ok(
      (await h.chatter('stock.picking', picking.id)).some((n) =>
        n.includes(`exception case ${opened.id} opened`),
      ),
    );
  });
});

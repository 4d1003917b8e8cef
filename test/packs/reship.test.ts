import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunDetail } from '../../src/engine/index.ts';
import { eventually, packHarness, type PackHarness } from './support.ts';

/**
 * Reship end to end: an order is released and shipped by the packs, the carrier simulator
 * reports it damaged, customer service asks for a reship on the case through the API (as
 * the dashboard does), and the test reads the result back from Odoo (the damaged delivery,
 * the replacement and its moves, the notes), the carrier simulator's bookings, the case and
 * the e-mails sent.
 */
describe('reship of a damaged shipment, end to end', () => {
  let h: PackHarness;
  let token = '';
  const CS = 'cora.service@demo.crossdock.test';
  before(async () => {
    h = await packHarness();
    const { users, tokens } = h.crossdock.services;
    const agent = await users.create({ email: CS, role: 'operator' });
    token = (await tokens.create({ id: agent.id, role: 'operator' }, { name: 'cs' }, null)).token;
  });
  after(() => h.close());

  const api = async (method: string, path: string) => {
    const response = await fetch(`${h.instance.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(method === 'POST' ? { body: JSON.stringify({ note: 'customer called' }) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  type Picking = {
    id: number;
    name: string;
    state: string;
    origin: string | false;
    carrier_tracking_ref: string | false;
  };
  const pickingsWhere = (domain: unknown[]) =>
    h.rpc<Picking[]>('stock.picking', 'search_read', [domain], {
      fields: ['name', 'state', 'origin', 'carrier_tracking_ref'],
    });
  const bookingsOf = (reference: string) =>
    h.carriers.profiles.flatMap((p) =>
      h.carriers
        .bookings(p.code)
        .filter((b) => b.reference === reference)
        .map((b) => ({ carrier: p.code, ...b })),
    );
  /** Places an order, lets order-release and dispatch ship it, and has the carrier report it damaged; resolves with its open case. */
  const damaged = async (
    customer: string,
    lines: [string, number][],
    status: 'damaged' | 'lost' = 'damaged',
  ) => {
    const order = await h.placeOrder(customer, lines);
    const dispatch = await h.runFor('dispatch', order.id, ['completed', 'failed']);
    assert.equal(dispatch.status, 'completed', JSON.stringify(dispatch.error));
    const [picking] = await pickingsWhere([
      ['sale_id', '=', order.id],
      ['picking_type_code', '=', 'outgoing'],
    ]);
    const [booking] = bookingsOf(picking!.name);
    assert.ok(booking, `${picking!.name} booked`);
    await h.carriers.sendTracking(booking.carrier, {
      tracking_ref: booking.tracking_ref,
      status,
      reason: status === 'lost' ? 'not found at the depot' : 'crushed carton',
    });
    const opened = await eventually('the damage case', async () => {
      const { cases } = await h.crossdock.services.exceptions.list({
        status: 'open',
        workflowId: 'shipment-tracking',
      });
      return cases.find(
        (c) => c.subject?.model === 'stock.picking' && Number(c.subject.id) === picking!.id,
      );
    });
    return { order, picking: picking!, booking, caseId: opened.id };
  };
  const trackingRun = async (trackingRef: string, statuses: string[]) =>
    eventually(`the tracking run of ${trackingRef}`, async () => {
      const runs = await h.crossdock.engine.runs.list({ workflowId: 'shipment-tracking' });
      const details = await Promise.all(runs.map((r) => h.crossdock.engine.runs.show(r.id)));
      return details.find(
        (r: RunDetail) =>
          (r.input as { tracking_ref?: string }).tracking_ref === trackingRef &&
          statuses.includes(r.status),
      );
    });

  test('the damaged case offers reship; clicked twice, it creates one replacement delivery and one booking, and the customer is told once', async () => {
    const { picking, booking, caseId } = await damaged('Rheinland', [['LED Desk Lamp', 2]]);
    const shown = await api('GET', `/exceptions/${caseId}`);
    assert.deepEqual([shown.status, shown.body.actions], [200, ['reship']]);
    assert.equal(shown.body.severity, 'high');
    const refused = await api('POST', `/exceptions/${caseId}/actions/cancel`);
    assert.deepEqual(
      [refused.status, refused.body.error.code],
      [409, 'EXCEPTION_ACTION_NOT_ALLOWED'],
    );

    const clicks = await Promise.all([
      api('POST', `/exceptions/${caseId}/actions/reship`),
      api('POST', `/exceptions/${caseId}/actions/reship`),
    ]);
    assert.deepEqual(
      clicks.map((c) => c.status).sort(),
      [200, 409],
      JSON.stringify(clicks.map((c) => c.body)),
    );
    const run = await trackingRun(booking.tracking_ref, ['completed', 'failed']);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.ok(h.path(run).includes('reship'), h.path(run).join(' '));

    const replacements = await pickingsWhere([['origin', '=', `Reship of ${picking.name}`]]);
    assert.equal(replacements.length, 1, 'one replacement delivery');
    const replacement = replacements[0]!;
    assert.equal(replacement.state, 'assigned');
    assert.equal(typeof replacement.carrier_tracking_ref, 'string');
    const moves = await h.rpc<{ product_id: [number, string]; product_uom_qty: number }[]>(
      'stock.move',
      'search_read',
      [[['picking_id', '=', replacement.id]]],
      { fields: ['product_id', 'product_uom_qty'] },
    );
    assert.deepEqual(
      moves.map((m) => [m.product_id[1].replace(/^\[[^\]]+\] /, ''), m.product_uom_qty]),
      [['LED Desk Lamp', 2]],
    );
    const bookings = bookingsOf(replacement.name);
    assert.equal(bookings.length, 1, 'one booking for the replacement');
    assert.equal(bookings[0]!.tracking_ref, replacement.carrier_tracking_ref);
    assert.equal(bookingsOf(picking.name).length, 1, 'the damaged shipment is not booked again');
    const [original] = await pickingsWhere([['id', '=', picking.id]]);
    assert.equal(original!.state, 'done', 'the damaged delivery left the warehouse');

    const closed = await h.crossdock.services.exceptions.show(caseId);
    assert.equal(closed.status, 'resolved');
    assert.equal(closed.reasonCode, 'handled_manually');
    const notes = await h.chatter('stock.picking', picking.id);
    assert.ok(
      notes.some(
        (n) =>
          n.startsWith(`Crossdock reshipped this damaged delivery as ${replacement.name}`) &&
          n.includes(`asked by ${CS}`),
      ),
      notes.join(' | '),
    );
    const mails = await eventually('the replacement e-mail', async () => {
      const found = h.mail.mails.filter((m) =>
        m.raw.includes(`A replacement for your delivery ${picking.name}`),
      );
      return found.length > 0 && found;
    });
    assert.equal(mails.length, 1);
    assert.ok(mails[0]!.raw.includes(String(replacement.carrier_tracking_ref)));
    assert.ok(
      !h.mail.mails.some((m) => m.raw.includes(`(${replacement.name}) was handed to`)),
      'the dispatch e-mail is not sent for a replacement',
    );
  });

  test('a replacement above the policy value waits for a dispatch manager, and nothing is created in Odoo before the approval', async () => {
    const { picking, booking, caseId } = await damaged('Bayern', [['Laptop Docking Station', 1]]);
    const asked = await api('POST', `/exceptions/${caseId}/actions/reship`);
    assert.equal(asked.status, 200, JSON.stringify(asked.body));
    const reship = await eventually('the reship run waiting', async () => {
      const runs = await h.crossdock.engine.runs.list({ workflowId: 'reship' });
      const details = await Promise.all(runs.map((r) => h.crossdock.engine.runs.show(r.id)));
      return details.find(
        (r) =>
          (r.input as { picking_id: number }).picking_id === picking.id && r.status === 'waiting',
      );
    });
    const request = await h.pendingRequestFor(reship.id);
    assert.deepEqual(request.assignees, ['dirk.dispatch@demo.crossdock.test']);
    const shown = await h.crossdock.services.approvals.show(request.id);
    assert.match(
      shown.summary,
      /^Reship .* \(damaged: crushed carton\): 1,450\.00 [A-Z]{3}, asked by cora/,
    );
    assert.equal(
      (await pickingsWhere([['origin', '=', `Reship of ${picking.name}`]])).length,
      0,
      'nothing created before the approval',
    );
    await h.crossdock.services.approvals.decide(
      request.id,
      h.approver('dirk.dispatch@demo.crossdock.test'),
      'approve',
      null,
      'api',
    );
    const run = await trackingRun(booking.tracking_ref, ['completed', 'failed']);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    const [replacement] = await pickingsWhere([['origin', '=', `Reship of ${picking.name}`]]);
    assert.ok(replacement, 'the replacement after the approval');
    assert.equal(bookingsOf(replacement.name).length, 1);
    assert.ok(
      (await h.chatter('stock.picking', picking.id)).some((n) =>
        n.includes(`approved (request ${request.id})`),
      ),
    );
  });

  test('a rejected reship creates nothing in Odoo: the damage case closes and customer service gets a case with the reason', async () => {
    const { picking, booking, caseId } = await damaged('Milano', [['Standing Desk Frame', 1]]);
    assert.equal((await api('POST', `/exceptions/${caseId}/actions/reship`)).status, 200);
    const reship = await eventually('the reship run waiting', async () => {
      const runs = await h.crossdock.engine.runs.list({ workflowId: 'reship' });
      const details = await Promise.all(runs.map((r) => h.crossdock.engine.runs.show(r.id)));
      return details.find(
        (r) =>
          (r.input as { picking_id: number }).picking_id === picking.id && r.status === 'waiting',
      );
    });
    const request = await h.pendingRequestFor(reship.id);
    await h.crossdock.services.approvals.decide(
      request.id,
      h.approver('dirk.dispatch@demo.crossdock.test'),
      'reject',
      'customer refused the delivery before; refund instead',
      'api',
    );
    const run = await trackingRun(booking.tracking_ref, ['completed', 'failed']);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.deepEqual(await pickingsWhere([['origin', '=', `Reship of ${picking.name}`]]), []);
    const [original] = await pickingsWhere([['id', '=', picking.id]]);
    assert.equal(original!.state, picking.state, 'the damaged delivery is left as it was');
    assert.equal(bookingsOf(picking.name).length, 1);
    const closed = await h.crossdock.services.exceptions.show(caseId);
    assert.deepEqual([closed.status, closed.reasonCode], ['resolved', 'wont_fix']);
    const { cases } = await h.crossdock.services.exceptions.list({
      status: 'open',
      workflowId: 'reship',
    });
    const followUp = cases.find((c) => Number(c.subject?.id) === picking.id);
    assert.ok(followUp, 'a case for customer service');
    assert.equal(followUp.owner.team, 'customer-service');
    assert.match(followUp.title, /rejected: customer refused the delivery before; refund instead$/);
    assert.ok(
      (await h.chatter('stock.picking', picking.id)).some((n) =>
        n.startsWith('Crossdock did not reship this damaged delivery: rejected (customer refused'),
      ),
    );
  });

  test('a shipment the carrier reports lost offers reship too, and the customer is told of the replacement', async () => {
    const { picking, booking, caseId } = await damaged('Atelier', [['Archive Box', 3]], 'lost');
    const shown = await api('GET', `/exceptions/${caseId}`);
    assert.deepEqual(
      [shown.body.actions, shown.body.title],
      [['reship'], `Shipment ${picking.name} lost: not found at the depot`],
    );
    assert.equal((await api('POST', `/exceptions/${caseId}/actions/reship`)).status, 200);
    const run = await trackingRun(booking.tracking_ref, ['completed', 'failed']);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    const [replacement] = await pickingsWhere([['origin', '=', `Reship of ${picking.name}`]]);
    assert.ok(replacement && typeof replacement.carrier_tracking_ref === 'string');
    await eventually('the replacement e-mail', async () =>
      h.mail.mails.some(
        (m) =>
          m.raw.includes(`A replacement for your delivery ${picking.name}`) &&
          m.raw.replace(/=\r?\n/g, '').includes('replacement for your lost delivery'),
      ),
    );
  });
});

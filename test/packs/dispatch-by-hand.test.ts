import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunDetail } from '../../src/engine/index.ts';
import { CrossdockError } from '../../src/errors/index.ts';
import { eventually, packHarness, type PackHarness } from './support.ts';

/**
 * Book by hand: every carrier refuses a delivery, the operator books it on a carrier's
 * portal and gives Crossdock the carrier and tracking reference through the case's action.
 * Each test reads the effect where it lives: the delivery and its chatter in Odoo, the
 * e-mail at the demo's mail catcher, the case and the audit log in Crossdock, and the
 * invoice Odoo holds once the carrier reports the delivery.
 */
describe('dispatch pack: book by hand when every carrier fails', () => {
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
      await h.rpc<Picking[]>(
        'stock.picking',
        'search_read',
        [
          [
            ['sale_id', '=', orderId],
            ['picking_type_code', '=', 'outgoing'],
          ],
        ],
        { fields: ['name', 'carrier_tracking_ref', 'carrier_id'] },
      )
    )[0]!;
  const operator = { actor: 'user:3 olga.ops@demo.crossdock.test' };

  /** An order whose every carrier refuses the booking: its failed dispatch run and open case. */
  const refusedEverywhere = async (customer: string) => {
    h.carriers.faults.failAlways('euroline', { kind: 'reject', reason: 'depot closed' }, 'book');
    h.carriers.faults.failAlways('cargoplus', { kind: 'reject', reason: 'no capacity' }, 'book');
    const order = await h.placeOrder(customer, [['Archive Box', 2]]);
    const run = await h
      .runFor('dispatch', order.id, ['completed', 'failed'])
      .finally(() => h.carriers.faults.clear());
    assert.equal(run.status, 'failed');
    assert.equal((run.error as { code: string }).code, 'CARRIER_ALL_FAILED');
    const { cases } = await h.crossdock.services.exceptions.list({ workflowId: 'dispatch' });
    const found = cases.find((c) => c.runId === run.id && c.status === 'open');
    assert.ok(found, 'an open case for the failed run');
    return { order, run, caseId: found.id };
  };

  /** Books the shipment on the carrier's own API, as its web portal would: the carrier knows it. */
  const bookOnPortal = async (code: string, run: RunDetail, key: string) => {
    const shipment = run.steps.find(
      (s) => s.stepId === 'shipment' && s.status === 'completed',
    )!.output;
    const auth = h.carriers.profiles.find((p) => p.code === code)!.auth;
    const answer = await fetch(`${h.carriers.url(code)}/shipments`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': key,
        [auth.header]: `${auth.prefix}${auth.apiKey}`,
      },
      body: JSON.stringify({ shipment }),
    });
    assert.equal(answer.status, 201, await answer.clone().text());
    return ((await answer.json()) as { tracking_ref: string }).tracking_ref;
  };

  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => assert.fail('the action was taken'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof CrossdockError, String(error));
    return error;
  };

  test('the case offers book by hand; booked once, written to Odoo, the customer told, the case resolved and audited; the carrier later reports it delivered and it is invoiced', async () => {
    const { order, run, caseId } = await refusedEverywhere('Atelier');
    const shown = await h.crossdock.services.exceptions.show(caseId);
    assert.deepEqual(shown.actions, ['retry', 'replay', 'book_by_hand']);
    const fields = shown.actionInputs.book_by_hand!;
    assert.deepEqual(
      fields.map((f) => [f.name, f.required]),
      [
        ['carrier', true],
        ['tracking_ref', true],
        ['note', false],
      ],
    );
    assert.deepEqual(
      fields[0]!.suggestions,
      h.carriers.profiles.map((p) => p.code),
      'the configured carriers',
    );

    // Bad inputs are refused field by field, and nothing changes.
    const invalid = await refusal(
      h.crossdock.services.exceptions.act(caseId, 'book_by_hand', null, operator, {
        tracking_ref: 'EL 12',
      }),
    );
    assert.equal(invalid.code, 'EXCEPTION_ACTION_INPUT_INVALID');
    assert.deepEqual(
      invalid.details.map((d) => d.path),
      ['inputs.carrier', 'inputs.tracking_ref'],
    );
    const wildcard = await refusal(
      h.crossdock.services.exceptions.act(caseId, 'book_by_hand', null, operator, {
        carrier: '%',
        tracking_ref: 'EL4000000001',
        service: 'express',
      }),
    );
    assert.deepEqual(
      wildcard.details.map((d) => `${d.path}: ${d.message}`),
      [
        'inputs.service: "book_by_hand" takes no input "service" (it takes carrier, tracking_ref)',
        'inputs.carrier: Carrier must be a configured carrier, or the name of the one you booked with (without %)',
      ],
    );
    assert.equal((await h.crossdock.services.exceptions.show(caseId)).status, 'open');

    const trackingRef = await bookOnPortal('euroline', run, 'portal-atelier');
    const act = () =>
      h.crossdock.services.exceptions.act(
        caseId,
        'book_by_hand',
        'booked by phone with the depot',
        operator,
        { carrier: 'euroline', tracking_ref: trackingRef },
      );
    // Two operators at once: one books, the other is refused.
    const outcomes = await Promise.allSettled([act(), act()]);
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
    const second = outcomes.find((o) => o.status === 'rejected')!.reason as CrossdockError;
    assert.equal(second.code, 'EXCEPTION_ILLEGAL_TRANSITION', second.message);
    // And a third click, later.
    assert.equal((await refusal(act())).code, 'EXCEPTION_ILLEGAL_TRANSITION');

    const done = await h.runFor('dispatch', order.id, ['completed']);
    assert.ok(h.path(done).includes('close-by-hand'), h.path(done).join(' '));
    const picking = await pickingOf(order.id);
    assert.equal(picking.carrier_tracking_ref, trackingRef);
    assert.equal(picking.carrier_id && picking.carrier_id[1], 'Euroline');
    // (Each note ends with Crossdock's reference, [cd:...], that finds it again on a repeat.)
    assert.equal(
      h.odoo.calls.count({
        model: 'stock.picking',
        method: 'write',
        outcome: 'ok',
        where: (e) => JSON.stringify([e.args, e.kwargs]).includes(trackingRef),
      }),
      1,
      'the tracking reference is written once',
    );
    const notes = (await h.chatter('stock.picking', picking.id))
      .filter((n) => n.startsWith('Booked by hand'))
      .map((n) => n.replace(/\[cd:[0-9a-f]+\]$/, ''));
    assert.deepEqual(notes, [
      `Booked by hand by olga.ops@demo.crossdock.test after every carrier failed: euroline, tracking ${trackingRef} (exception case ${caseId}). Note: booked by phone with the depot.`,
    ]);
    const mails = await eventually('the customer e-mail', async () => {
      const found = h.mail.mails.filter((m) => m.raw.includes(trackingRef));
      return found.length > 0 ? found : undefined;
    });
    assert.equal(mails.length, 1, 'one e-mail');
    assert.match(mails[0]!.raw, /Subject: Your order S\d+ is on its way/);
    const closed = await h.crossdock.services.exceptions.show(caseId);
    assert.equal(closed.status, 'resolved');
    assert.equal(closed.reasonCode, 'handled_manually');
    assert.deepEqual(closed.actions, []);
    // The demo's AI triage (every minute) may comment on the case at any moment: what is
    // asserted is the hand-off, the operator's action and then the workflow's resolution.
    const handOff = closed.history.filter((e) => e.actor !== 'ai-gate');
    assert.deepEqual(handOff.map((e) => [e.actor, e.action]).slice(-2), [
      [operator.actor, 'action'],
      [`workflow:dispatch run:${run.id}`, 'resolved'],
    ]);
    const audit = (await h.crossdock.services.audit.list({ action: 'exception.action' })).filter(
      (e) => e.target === `exception:${caseId}`,
    );
    assert.equal(audit.length, 1, 'one audited action');
    assert.equal(audit[0]!.actor, operator.actor);
    assert.deepEqual(
      [audit[0]!.details.carrier, audit[0]!.details.tracking_ref],
      ['euroline', trackingRef],
    );

    // From now on it is tracked like any other shipment: delivered, then invoiced.
    await h.carriers.sendTracking('euroline', {
      tracking_ref: trackingRef,
      status: 'delivered',
      signed_by: 'M. Weber',
      proof_ref: `https://pod.euroline.test/${trackingRef}.jpg`,
    });
    const invoiced = await eventually('the invoice', async () => {
      const [o] = await h.rpc<{ invoice_ids: number[] }[]>('sale.order', 'read', [[order.id]], {
        fields: ['invoice_ids'],
      });
      if (!o || o.invoice_ids.length === 0) return undefined;
      const moves = await h.rpc<{ state: string; move_type: string }[]>(
        'account.move',
        'read',
        [o.invoice_ids],
        { fields: ['state', 'move_type'] },
      );
      return moves.every((m) => m.state === 'posted') ? moves : undefined;
    });
    assert.deepEqual(
      invoiced.map((m) => m.move_type),
      ['out_invoice'],
    );
  });

  test('a tracking reference another delivery carries is refused; a carrier Odoo does not know is written as the reference only', async () => {
    const shipped = await h.placeOrder('Nordhafen', [['Archive Box', 1]]);
    const booked = await h.runFor('dispatch', shipped.id, ['completed', 'failed']);
    assert.equal(booked.status, 'completed', JSON.stringify(booked.error));
    const taken = await pickingOf(shipped.id);
    const { order, caseId } = await refusedEverywhere('Van Dijk');
    const inUse = await refusal(
      h.crossdock.services.exceptions.act(caseId, 'book_by_hand', null, operator, {
        carrier: 'euroline',
        tracking_ref: String(taken.carrier_tracking_ref),
      }),
    );
    assert.equal(inUse.code, 'TRACKING_REF_IN_USE');
    assert.match(
      inUse.message,
      new RegExp(`already on delivery ${taken.name.replace('/', '\\/')}`),
    );
    assert.equal((await h.crossdock.services.exceptions.show(caseId)).status, 'open');

    await h.crossdock.services.exceptions.act(caseId, 'book_by_hand', null, operator, {
      carrier: 'Spedition Kraus',
      tracking_ref: 'SK-2026-0042',
    });
    const done = await h.runFor('dispatch', order.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    const picking = await pickingOf(order.id);
    assert.equal(picking.carrier_tracking_ref, 'SK-2026-0042');
    assert.equal(picking.carrier_id, false, 'no shipping method in Odoo for that carrier');
    const closed = await h.crossdock.services.exceptions.show(caseId);
    assert.equal(closed.reasonCode, 'handled_manually');
  });
  test('two cases given one new tracking reference at the same instant: one takes it, the other is refused naming that delivery, and Odoo holds it once', async () => {
    const first = await refusedEverywhere('Atelier');
    const second = await refusedEverywhere('Van Dijk');
    const trackingRef = 'EL-SAME-0001';
    const give = (caseId: string) =>
      h.crossdock.services.exceptions.act(caseId, 'book_by_hand', null, operator, {
        carrier: 'euroline',
        tracking_ref: trackingRef,
      });
    const outcomes = await Promise.allSettled([give(first.caseId), give(second.caseId)]);
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
    const [winner, loser] = outcomes[0].status === 'fulfilled' ? [first, second] : [second, first];
    const refused = (outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult)
      .reason as CrossdockError;
    assert.ok(refused instanceof CrossdockError, String(refused));
    assert.equal(refused.code, 'TRACKING_REF_IN_USE', refused.message);
    const winnerPicking = await pickingOf(winner.order.id);
    assert.ok(
      refused.message.includes(
        `already given to delivery ${winnerPicking.name} (exception case ${winner.caseId},`,
      ),
      refused.message,
    );
    assert.deepEqual(refused.details, [
      { path: 'inputs.tracking_ref', message: `already given to delivery ${winnerPicking.name}` },
    ]);
    // Nothing changed on the refused case: still open, no action in its history.
    const untouched = await h.crossdock.services.exceptions.show(loser.caseId);
    assert.equal(untouched.status, 'open');
    assert.equal(
      untouched.history.filter((e) => e.action === 'action').length,
      0,
      'no action recorded on the refused case',
    );

    const done = await h.runFor('dispatch', winner.order.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    const holders = await h.rpc<{ id: number; name: string }[]>(
      'stock.picking',
      'search_read',
      [[['carrier_tracking_ref', '=', trackingRef]]],
      { fields: ['name'] },
    );
    assert.deepEqual(
      holders.map((p) => p.name),
      [winnerPicking.name],
      'Odoo holds the reference on one delivery',
    );
    // A later attempt on the refused case with the same reference is refused too (by Odoo's
    // record now); with its own reference it goes through.
    const later = await refusal(give(loser.caseId));
    assert.equal(later.code, 'TRACKING_REF_IN_USE');
    await h.crossdock.services.exceptions.act(loser.caseId, 'book_by_hand', null, operator, {
      carrier: 'euroline',
      tracking_ref: 'EL-SAME-0002',
    });
    const other = await h.runFor('dispatch', loser.order.id, ['completed', 'failed']);
    assert.equal(other.status, 'completed', JSON.stringify(other.error));
    assert.equal((await pickingOf(loser.order.id)).carrier_tracking_ref, 'EL-SAME-0002');
  });
});

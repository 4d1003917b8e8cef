import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { waitForRun } from '../support/engine.ts';
import { eventually, packHarness, type PackHarness } from './support.ts';

/**
 * Cancelled orders are not released, whatever order Odoo's events arrive in: a cancellation
 * stops the release in flight (no release note, no dispatch, the approval cannot revive it),
 * and a confirmation that arrives after a newer cancellation starts nothing.
 */
describe('order-release pack: cancellation', () => {
  let h: PackHarness;
  before(async () => {
    h = await packHarness();
  });
  after(() => h.close());

  const releaseRunsOf = async (orderId: number) =>
    (
      await sql<{
        id: string;
        status: string;
      }>`SELECT id, status FROM runs WHERE workflow_id = 'order-release' AND input->>'id' = ${String(orderId)}`.execute(
        h.crossdock.store.db,
      )
    ).rows;

  test('an order cancelled in Odoo while its release waits for approval is not released', async () => {
    const order = await h.placeOrder('Rheinland', [['Conference Table', 1]]);
    const waiting = await h.runFor('order-release', order.id);
    assert.equal(waiting.status, 'waiting', 'a thin margin waits for a sales manager');
    const request = await h.pendingRequestFor(waiting.id);
    // Cancelled in Odoo: its webhook hint is re-read into sale.order.cancelled.
    await h.rpc('sale.order', 'action_cancel', [[order.id]]);
    const stopper = await eventually('the cancellation workflow ran', async () => {
      const r = await sql<{
        id: string;
      }>`SELECT id FROM runs WHERE workflow_id = 'order-cancellation' AND input->>'id' = ${String(order.id)}`.execute(
        h.crossdock.store.db,
      );
      return r.rows[0] ? String(r.rows[0].id) : undefined;
    });
    const stopped = await waitForRun(h.crossdock.engine, stopper, ['completed', 'failed'], 30_000);
    assert.equal(stopped.status, 'completed', JSON.stringify(stopped.error));
    assert.deepEqual(
      (stopped.steps.find((s) => s.stepId === 'stop_release')!.output as { cancelled: string[] })
        .cancelled,
      [waiting.id],
    );
    assert.equal((await h.crossdock.engine.runs.show(waiting.id)).status, 'cancelled');
    // Approving now revives nothing: the run ended.
    await assert.rejects(
      h.crossdock.services.approvals.decide(
        request.id,
        h.approver('sam.sales@demo.crossdock.test'),
        'approve',
        'too late',
        'api',
      ),
    );
    const notes = await h.chatter('sale.order', order.id);
    assert.ok(!notes.some((n) => n.includes('Crossdock released this order')), notes.join(' | '));
    assert.ok(
      notes.some((n) => n.includes('Crossdock stopped the release of this order')),
      notes.join(' | '),
    );
    const dispatches =
      await sql`SELECT id FROM runs WHERE workflow_id = 'dispatch' AND input->>'order_id' = ${String(order.id)}`.execute(
        h.crossdock.store.db,
      );
    assert.equal(dispatches.rows.length, 0, 'nothing ships');
  });

  test('a cancellation that arrives before its confirmation: the late confirmation starts nothing', async () => {
    // Crossdock learns of this order only through the two record events below, delivered in
    // the wrong order as a delayed webhook would deliver them.
    const order = { id: 900_001, name: 'S90001' };
    const cancelledAt = '2026-12-04 10:00:00.000002';
    const confirmedAt = '2026-12-04 10:00:00.000001';
    const event = (type: string, writeDate: string, state: string) => ({
      source: 'odoo',
      type,
      key: `${type}:sale.order:${order.id}:${writeDate}`,
      payload: {
        model: 'sale.order',
        id: order.id,
        write_date: writeDate,
        record: { name: order.name, state, date_order: '2026-12-04 09:59:00' },
        via: 'webhook',
      },
    });
    const cancel = await h.crossdock.engine.accept(
      event('sale.order.cancelled', cancelledAt, 'cancel'),
    );
    assert.equal(cancel.runIds.length, 1);
    const late = await h.crossdock.engine.accept(
      event('sale.order.confirmed', confirmedAt, 'sale'),
    );
    assert.deepEqual(
      [late.duplicate, late.runIds],
      [false, []],
      'stored, but the gate does not start',
    );
    const held = (
      await sql<{
        workflow_id: string;
        status: string;
      }>`SELECT workflow_id, status FROM event_order_held WHERE event_id = ${late.eventId}`.execute(
        h.crossdock.store.db,
      )
    ).rows;
    assert.deepEqual(held, [{ workflow_id: 'order-confirmation-gate', status: 'skipped' }]);
    await waitForRun(h.crossdock.engine, cancel.runIds[0]!, ['completed', 'failed'], 30_000);
    assert.deepEqual(await releaseRunsOf(order.id), [], 'the order is not released');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunDetail } from '../../src/engine/index.ts';
import { packHarness, type PackHarness } from './support.ts';

/**
 * Replaying a dispatch run from a step before the booking, through the carrier simulator,
 * whose ledger counts bookings by idempotency key: the replay books once, unless the
 * operator asks the booking to act again.
 */
describe('dispatch pack: a replay from before the booking', () => {
  let h: PackHarness;
  before(async () => {
    h = await packHarness();
  });
  after(() => h.close());

  const pickingName = async (orderId: number) =>
    (
      await h.rpc<{ name: string }[]>(
        'stock.picking',
        'search_read',
        [[['sale_id', '=', orderId]]],
        { fields: ['name'] },
      )
    )[0]!.name;
  const bookingsFor = (reference: string) =>
    h.carriers.profiles.flatMap((p) =>
      h.carriers
        .bookings(p.code)
        .filter((b) => b.reference === reference)
        .map((b) => ({ carrier: p.code, key: b.idempotency_key })),
    );

  /** A dispatch run that booked its carrier and was then cancelled by an operator (so it can be replayed). */
  const bookedThenCancelled = async (
    customer: string,
    product: string,
  ): Promise<{ run: RunDetail; picking: string }> => {
    const { engine } = h.crossdock;
    const off = engine.events.on('step:completed', ({ runId, workflowId, stepId }) => {
      if (workflowId === 'dispatch' && stepId === 'book')
        void engine.runs.cancel(runId, 'stopped by the operator after booking');
    });
    try {
      const order = await h.placeOrder(customer, [[product, 1]]);
      await h.runFor('order-release', order.id, ['completed']);
      const run = await h.runFor('dispatch', order.id, ['cancelled']);
      const picking = await pickingName(order.id);
      assert.equal(bookingsFor(picking).length, 1, 'booked once before the cancel');
      return { run, picking };
    } finally {
      off();
    }
  };

  test('the preview says the booking will be a repeat, and the replay books once', async () => {
    const { run, picking } = await bookedThenCancelled('Nordhafen', 'Steel Shelving Unit');
    const { engine } = h.crossdock;
    const preview = await engine.runs.previewReplay(run.id, { fromStep: 'shipment' });
    const book = preview.effects.find((e) => e.stepId === 'book')!;
    assert.deepEqual(
      [book.outcome, book.message],
      ['repeat', 'same key: the external system will see a repeat and ignore it'],
    );
    await engine.runs.replay(run.id, { fromStep: 'shipment' });
    const replayed = await h.runFor(
      'dispatch',
      Number((run.input as { order_id: number }).order_id),
      ['completed', 'failed'],
    );
    assert.equal(replayed.status, 'completed', JSON.stringify(replayed.error));
    assert.equal(
      replayed.steps.filter((s) => s.stepId === 'book' && s.status === 'completed').length,
      2,
      'the booking step ran again',
    );
    assert.equal(bookingsFor(picking).length, 1, 'and the carrier booked once');
  });

  test('asked to act again, the booking books again, with a new key', async () => {
    const { run, picking } = await bookedThenCancelled('Van Dijk', 'LED Desk Lamp');
    const { engine } = h.crossdock;
    const preview = await engine.runs.previewReplay(run.id, {
      fromStep: 'shipment',
      again: ['book'],
    });
    assert.deepEqual(
      preview.effects.find((e) => e.stepId === 'book')!.message,
      'new key: acts again',
    );
    await engine.runs.replay(run.id, { fromStep: 'shipment', again: ['book'] });
    const replayed = await h.runFor(
      'dispatch',
      Number((run.input as { order_id: number }).order_id),
      ['completed', 'failed'],
    );
    assert.equal(replayed.status, 'completed', JSON.stringify(replayed.error));
    const bookings = bookingsFor(picking);
    assert.equal(bookings.length, 2);
    assert.match(bookings[1]!.key, /:book:0:again-1:/);
  });
});

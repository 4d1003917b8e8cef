/**
 * A "look, then act" step executed twice at once: the worker driving a run stalls inside
 * odoo.return_picking (Odoo is slow to answer create_returns) past its lease, and another
 * worker claims the run and executes the same step. Both would look, find no return, and
 * create one each; the step's key (the delivery) makes the second execution wait until the
 * first has finished, then its look finds the first one's return.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock, type Engine } from '../../src/engine/index.ts';
import { nextEvent, waitForRun } from '../support/engine.ts';
import { attemptsOf, confirmedDelivery, outputsOf, startHarness, type Harness } from './support.ts';

const WORKFLOWS = [
  `
id: give-back
trigger: { event: give-back }
steps:
  - id: return
    type: odoo.return_picking
    with: { picking_id: "= input.picking", reference: "= input.reference", lines: "= input.lines" }
`,
  `
id: vendor-order
trigger: { event: vendor-order }
steps:
  - id: order
    type: odoo.create
    with:
      model: purchase.order
      external_ref: { field: origin, value: "= input.origin" }
      values: { partner_id: 12 }
`,
];

/** Far beyond the test's length, so no heartbeat renews a lease the test lets expire. */
const LEASE_MS = 600_000;

/** The first end of an execution of `stepId` on the run, after its checkpoint: completed, or failed with its code. */
function nextStepEnd(engine: Engine, runId: string, stepId: string): Promise<string> {
  return new Promise((resolve) => {
    const offs = [
      engine.events.on('step:completed', (e) => {
        if (e.runId === runId && e.stepId === stepId) finish('completed');
      }),
      engine.events.on('step:failed', (e) => {
        if (e.runId === runId && e.stepId === stepId) finish(`failed ${e.error.code}`);
      }),
    ];
    function finish(what: string) {
      offs.forEach((off) => off());
      resolve(what);
    }
  });
}

describe('a look-then-act step executed twice at once (its run claimed again while inside it)', () => {
  const clock = new ManualClock();
  let h: Harness;
  before(
    async () =>
      (h = await startHarness(WORKFLOWS, {
        clock,
        workers: 2,
        worker: { leaseMs: LEASE_MS, stepLockWaitMs: 200 },
        odooTimeoutMs: 120_000,
      })),
  );
  after(() => h.close());

  test('two workers execute odoo.return_picking for one delivery: one return in Odoo, and the run ends with it', async () => {
    const { picking } = await confirmedDelivery(h.sim, [[32, 2]]);
    await h.sim.db.call('stock.picking', 'button_validate', [[picking]], {
      context: { skip_sms: true },
    });
    // Odoo is slow to answer the first create_returns: the first execution has looked, found
    // nothing, and is creating the return.
    const slow = h.sim.faults.holdNextCall('stock.return.picking', 'create_returns');
    const accepted = await h.engine.accept({
      source: 'test',
      type: 'give-back',
      key: 'rma-race',
      payload: { picking, reference: 'RMA-RACE', lines: [{ product_id: 32, quantity: 2 }] },
    });
    const runId = accepted.runIds[0]!;
    await slow.reached;

    // Its worker stalls past the lease: the other worker claims the run and executes the step.
    const secondEnd = nextStepEnd(h.engine, runId, 'return');
    const firstLost = nextEvent(h.engine, 'lease:lost', runId);
    clock.advance(LEASE_MS + 1);
    h.engine.wake();
    const second = await secondEnd;
    // The stalled worker comes back and finishes its execution; its checkpoint is refused.
    slow.release();
    await firstLost;
    clock.advance(60_000); // the run parked by a busy key is due again
    h.engine.wake();
    const run = await waitForRun(h.engine, runId);

    const returns = h.sim.db.searchRead(
      'stock.picking',
      [['return_id', '=', picking]],
      ['origin', 'state'],
    );
    assert.equal(returns.length, 1, `one return in Odoo, not ${returns.length}`);
    assert.match(String(returns[0]!.origin), /, request RMA-RACE$/);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    const outputs = outputsOf(run, 'return') as { return_id: number; created: boolean }[];
    assert.deepEqual(
      outputs.map((o) => [o.return_id, o.created]),
      [[returns[0]!.id, false]],
      "the run's step found the return the stalled execution made",
    );
    assert.equal(second, 'failed STEP_LOCK_BUSY', 'the second execution waited for the delivery');
    assert.deepEqual(
      attemptsOf(run, 'return'),
      [[1, 'completed', null]],
      'the busy wait did not use up an attempt (its row was taken by the attempt that ran)',
    );
  });

  test('two runs create the purchase order of one origin at once (odoo.create): one order in Odoo, both runs end with it', async () => {
    const slow = h.sim.faults.holdNextCall('purchase.order', 'create');
    const first = await h.engine.accept({
      source: 'test',
      type: 'vendor-order',
      key: 'reorder-a',
      payload: { origin: 'Reorder FURN_0269 2026-01-05' },
    });
    await slow.reached; // the first run looked, found no order, and is creating it
    const firstId = first.runIds[0]!;
    const second = await h.engine.accept({
      source: 'test',
      type: 'vendor-order',
      key: 'reorder-b',
      payload: { origin: 'Reorder FURN_0269 2026-01-05' },
    });
    const secondId = second.runIds[0]!;
    const secondEnd = await nextStepEnd(h.engine, secondId, 'order');
    slow.release();
    const firstRun = await waitForRun(h.engine, firstId);
    clock.advance(60_000); // the run parked by a busy key is due again
    h.engine.wake();
    const secondRun = await waitForRun(h.engine, secondId);

    const orders = h.sim.db.searchRead(
      'purchase.order',
      [['origin', '=', 'Reorder FURN_0269 2026-01-05']],
      ['id'],
    );
    assert.equal(orders.length, 1, `one purchase order in Odoo, not ${orders.length}`);
    assert.deepEqual(outputsOf(firstRun, 'order'), [{ id: orders[0]!.id, created: true }]);
    assert.deepEqual(outputsOf(secondRun, 'order'), [{ id: orders[0]!.id, created: false }]);
    assert.equal(secondEnd, 'failed STEP_LOCK_BUSY', 'the second run waited for the first');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Engine } from '../../src/engine/index.ts';
import { nextEvent, waitForRun } from '../support/engine.ts';
import {
  eventually,
  JumpingClock,
  packHarness,
  type PackHarness,
  invoicedOrder,
} from './support.ts';

/**
 * The returns pack when the worker creating a return stalls past its run's lease (Odoo slow to
 * answer create_returns, a long pause of the process): a second worker claims the run and
 * executes the same `return` step while the first is still inside it. The customer must still
 * get one return.
 */
const LEASE_MS = 600_000;

describe('returns pack: the worker creating the return stalls past its lease', () => {
  const clock = new JumpingClock();
  let h: PackHarness;
  before(async () => {
    // A lease far beyond the test's length: no heartbeat renews the lease the test lets expire,
    // nor aborts the stalled execution's call to Odoo (which Odoo would still carry out).
    h = await packHarness({ clock, env: { CROSSDOCK_LEASE_MS: String(LEASE_MS) } });
    // A second worker in this process, as a second worker process would claim the run.
    h.crossdock.engine.startWorkers(1, { stepLockWaitMs: 200 });
  });
  after(() => h.close());

  const productId = (name: string) => h.catalog.products.find((p) => p.name.startsWith(name))!.id;

  const invoiced = (customer: string, lines: [string, number][]) =>
    invoicedOrder(h, customer, lines);
  const leaseOwner = async (runId: string) =>
    (
      await sql<{
        lease_owner: string | null;
      }>`SELECT lease_owner FROM runs WHERE id = ${runId}`.execute(h.crossdock.store.db)
    ).rows[0]?.lease_owner ?? null;

  test('a second worker executes the return step while the first is still inside it: one return in Odoo', async () => {
    const { order, delivery } = await invoiced('Rheinland', [['Archive Box', 2]]);
    const slow = h.odoo.faults.holdNextCall('stock.return.picking', 'create_returns');
    await h.crossdock.engine.accept({
      source: 'portal',
      type: 'return.requested',
      key: 'portal-lease-1',
      payload: {
        order: order.name,
        reference: 'RMA-LEASE',
        lines: [{ product: productId('Archive Box'), quantity: 1 }],
        reason: 'not needed',
      },
    });
    await slow.reached; // the first execution looked, found no return, and is creating one
    const runId = await eventually('the return-request run', async () => {
      const runs = await h.crossdock.engine.runs.list({ workflowId: 'return-request' });
      const details = await Promise.all(runs.map((r) => h.crossdock.engine.runs.show(r.id)));
      return details.find((r) => (r.input as { reference?: string }).reference === 'RMA-LEASE')?.id;
    });
    const firstOwner = await leaseOwner(runId);
    const secondEnd = nextStepEnd(h.crossdock.engine, runId, 'return');
    const firstLost = nextEvent(h.crossdock.engine, 'lease:lost', runId, 60_000);
    // The first worker is stalled: its lease runs out and the other worker claims the run.
    clock.advance(LEASE_MS + 1_000);
    h.wake();
    await eventually(
      'another worker claims the run',
      async () => (await leaseOwner(runId)) !== firstOwner,
    );
    const second = await secondEnd;
    slow.release(); // the stalled worker comes back and finishes its execution
    await firstLost;
    const run = await waitForRun(h.crossdock.engine, runId, ['completed', 'failed'], 60_000);

    const returns = await h.rpc<{ id: number; origin: string }[]>(
      'stock.picking',
      'search_read',
      [[['return_id', '=', delivery.id]]],
      { fields: ['origin'] },
    );
    assert.equal(returns.length, 1, `one return in Odoo, not ${returns.length}`);
    assert.equal(returns[0]!.origin, `Return of ${delivery.name}, request RMA-LEASE`);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.ok(h.path(run).includes('accepted'), h.path(run).join(' '));
    assert.equal(second, 'failed STEP_LOCK_BUSY', 'the second execution waited for the delivery');
  });
});

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

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunDetail } from '../../src/engine/index.ts';
import { testAuthenticators } from './authenticators.ts';
import {
  eventually,
  JumpingClock,
  packHarness,
  type PackHarness,
  invoicedOrder,
} from './support.ts';

/**
 * The returns pack's step-up tier end to end: a refund of 5 000 or more needs two distinct
 * members of group `refunds`, never the requester, each confirming with a code from their
 * authenticator. A decision without one is refused and no return is made in Odoo; with valid
 * codes from both, the return is made once, also for a request sent twice.
 */
describe('returns pack: refunds of 5 000 and more need a second factor', () => {
  let h: PackHarness;
  const clock = new JumpingClock();
  let apps: ReturnType<typeof testAuthenticators>;
  const FIONA = 'fiona.finance@demo.crossdock.test';
  const DORA = 'dora.director@demo.crossdock.test';
  const CARL = 'carl.controller@demo.crossdock.test';
  before(async () => {
    h = await packHarness({ clock });
    apps = testAuthenticators(h, clock);
  });
  after(() => h.close());

  const productId = (name: string) => h.catalog.products.find((p) => p.name.startsWith(name))!.id;

  const invoiced = (customer: string, lines: [string, number][]) =>
    invoicedOrder(h, customer, lines);
  const returnsOf = (deliveryId: number) =>
    h.rpc<{ id: number; name: string; origin: string }[]>(
      'stock.picking',
      'search_read',
      [[['return_id', '=', deliveryId]]],
      { fields: ['name', 'origin'] },
    );
  const requestRuns = async (reference: string): Promise<RunDetail[]> => {
    const runs = await h.crossdock.engine.runs.list({ workflowId: 'return-request' });
    const details = await Promise.all(runs.map((run) => h.crossdock.engine.runs.show(run.id)));
    return details.filter((run) => (run.input as { reference?: string }).reference === reference);
  };
  const requestRun = (reference: string, statuses: string[]) =>
    eventually(`return request ${reference} ${statuses.join(' or ')}`, async () =>
      (await requestRuns(reference)).find((run) => statuses.includes(run.status)),
    );
  const decide = (requestId: string, email: string, code?: string) =>
    h.crossdock.services.approvals.decide(
      requestId,
      h.approver(email),
      'approve',
      'frames checked on the photos',
      'api',
      code === undefined ? {} : { code },
    );

  test('a refund of 5 000 or more sent twice: refused without a code, nothing returned; two approvers with valid codes make one return', async () => {
    // Four docking stations at 1 450: 5 800 before taxes.
    const { order, delivery } = await invoiced('Atelier', [['Laptop Docking Station', 4]]);
    const request = {
      order: order.name,
      reference: 'RMA-7001',
      lines: [{ product: productId('Laptop Docking Station'), quantity: 4 }],
      reason: 'the wrong model for the laptops',
      requested_by: FIONA,
    };
    // The portal sends it, and customer service keys it in again: one request.
    for (const [source, key] of [
      ['portal', 'portal-7001'],
      ['customer-service', 'cs-7001'],
    ] as const)
      await h.crossdock.engine.accept({ source, type: 'return.requested', key, payload: request });
    const waiting = await requestRun('RMA-7001', ['waiting', 'failed', 'completed']);
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    const pending = await h.pendingRequestFor(waiting.id);
    assert.equal(pending.level, 'refunds-step-up');
    assert.deepEqual(pending.assignees.sort(), [CARL, DORA], 'the requester is not asked');
    const shown = await h.crossdock.services.approvals.show(pending.id);
    assert.equal(shown.level.stepUp, true);
    assert.equal(shown.level.required, 2);
    assert.match(shown.summary, /^Refund of 6,670\.00 \w+ on .*: refund of 5000 or more$/);

    await assert.rejects(decide(pending.id, CARL), { code: 'APPROVAL_STEP_UP_NOT_ENROLLED' });
    await apps.enrol(CARL, DORA);
    await assert.rejects(decide(pending.id, FIONA), { code: 'APPROVAL_SELF_APPROVAL' });
    await assert.rejects(decide(pending.id, CARL), { code: 'APPROVAL_STEP_UP_REQUIRED' });
    await assert.rejects(decide(pending.id, DORA, ''), { code: 'APPROVAL_STEP_UP_REQUIRED' });
    assert.equal((await h.crossdock.services.approvals.show(pending.id)).status, 'pending');
    assert.deepEqual(await returnsOf(delivery.id), [], 'no return without a code');

    await decide(pending.id, CARL, await apps.code(CARL));
    assert.deepEqual(await returnsOf(delivery.id), [], 'no return on one approval');
    await decide(pending.id, DORA, await apps.code(DORA));
    const run = await requestRun('RMA-7001', ['completed', 'failed']);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.ok(h.path(run).includes('accepted'), h.path(run).join(' '));
    assert.equal((await requestRuns('RMA-7001')).length, 1, 'one run for the request sent twice');
    const returns = await returnsOf(delivery.id);
    assert.deepEqual(
      returns.map((r) => r.origin),
      [`Return of ${delivery.name}, request RMA-7001`],
      'one return',
    );
    assert.ok(
      (await h.chatter('sale.order', order.id)).some(
        (n) =>
          n.startsWith('Crossdock accepted return request RMA-7001') &&
          n.includes('refund of 5000 or more') &&
          n.includes(`request ${pending.id}`),
      ),
    );
    const actions = (await h.crossdock.services.approvals.show(pending.id)).actions;
    assert.deepEqual(
      actions.filter((a) => a.action === 'step_up_refused').map((a) => a.details.code),
      ['APPROVAL_STEP_UP_NOT_ENROLLED', 'APPROVAL_STEP_UP_REQUIRED', 'APPROVAL_STEP_UP_REQUIRED'],
    );
    assert.deepEqual(
      actions.filter((a) => a.action === 'approved').map((a) => a.details.stepUp),
      ['totp', 'totp'],
      'each approval was confirmed with a code',
    );
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, HOUR, JumpingClock, packHarness, type PackHarness } from './support.ts';

/**
 * The order-release pack's approval deadlines on a clock the test moves ahead: an approver
 * who does not answer is reminded, then the request goes to their manager; a director who
 * lets 24 hours pass has the system reject it. Nothing here waits for real hours.
 */
describe('order-release pack: approval SLAs', () => {
  const clock = new JumpingClock();
  let h: PackHarness;
  before(async () => {
    h = await packHarness({ clock });
  });
  after(() => h.close());

  const actions = async (id: string) =>
    (await h.crossdock.services.approvals.show(id)).actions.map((a) => a.action);
  const later = async (ms: number) => {
    clock.advance(ms);
    h.wake();
  };

  test("no answer: a reminder an hour before the deadline, then the sales manager's manager decides", async () => {
    const order = await h.placeOrder('Rheinland', [['Conference Table', 1]]);
    const waiting = await h.runFor('order-release', order.id);
    const request = await h.pendingRequestFor(waiting.id);
    assert.deepEqual(request.assignees, ['sam.sales@demo.crossdock.test']);

    await later(3 * HOUR + 60_000);
    await eventually('the reminder', async () => (await actions(request.id)).includes('reminded'));
    await eventually('the reminder e-mail', async () =>
      h.mail.mails.some(
        (m) => m.to.includes('sam.sales@demo.crossdock.test') && /remind/i.test(m.raw),
      ),
    );

    await later(HOUR);
    const escalated = await eventually('the escalation', async () => {
      const shown = await h.crossdock.services.approvals.show(request.id);
      return shown.escalations > 0 ? shown : undefined;
    });
    assert.deepEqual(
      escalated.level.assignees.map((a) => a.email),
      ['dora.director@demo.crossdock.test'],
    );
    assert.equal(escalated.breached, true);
    await assert.rejects(
      h.crossdock.services.approvals.decide(
        request.id,
        h.approver('sam.sales@demo.crossdock.test'),
        'approve',
        null,
        'api',
      ),
      { code: 'APPROVAL_ESCALATED' },
    );
    await h.crossdock.services.approvals.decide(
      request.id,
      h.approver('dora.director@demo.crossdock.test'),
      'approve',
      'fine after the escalation',
      'api',
    );
    const run = await h.runFor('order-release', order.id, ['completed', 'failed']);
    assert.ok(h.path(run).includes('released'));
  });

  test('the director lets 24 hours pass: the system rejects, the order is held, the salesperson is told', async () => {
    const order = await h.placeOrder('Kraków', [['Laptop Docking Station', 6]]);
    const waiting = await h.runFor('order-release', order.id);
    const first = await h.pendingRequestFor(waiting.id);
    await h.crossdock.services.approvals.decide(
      first.id,
      h.approver('fiona.finance@demo.crossdock.test'),
      'approve',
      null,
      'api',
    );
    const second = await h.pendingRequestFor(waiting.id);
    assert.equal(second.level, 'director');
    await later(20 * HOUR + 60_000); // the reminder, 4 h before the 24 h deadline
    await eventually("the director's reminder", async () =>
      (await actions(second.id)).includes('reminded'),
    );
    await later(4 * HOUR);
    const run = await h.runFor('order-release', order.id, ['completed', 'failed']);
    assert.ok(
      h.path(run).includes('tell-salesperson'),
      `${run.status}: ${h.path(run).join(' ')}; last step ${JSON.stringify(run.steps.at(-1))}`,
    );
    const shown = await h.crossdock.services.approvals.show(second.id);
    assert.equal(shown.status, 'rejected');
    assert.equal(shown.breached, true);
    assert.ok(
      (await h.chatter('sale.order', order.id)).some((n) => n.includes('approval rejected')),
    );
  });
});

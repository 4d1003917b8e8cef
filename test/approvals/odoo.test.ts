import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApprovalsService, approvalStep } from '../../src/approvals/index.ts';
import { Users } from '../../src/auth/index.ts';
import { httpRequestStep } from '../../src/connectors/http/index.ts';
import {
  createClientPool,
  odooApprovalMirror,
  odooStepTypes,
} from '../../src/connectors/odoo/steps/index.ts';
import { engineStepTypes, ManualClock, StepRegistry, type Engine } from '../../src/engine/index.ts';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';
import { engineWith, nextEvent, waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';
import { newOrder } from '../odoo-steps/support.ts';

const WORKFLOW = `
id: margin-approval
trigger: { event: order.low_margin }
steps:
  - id: approve
    type: approval
    with:
      subject: { model: sale.order, id: "= event.payload.order", name: "= event.payload.name" }
      summary: "= 'Margin ' & $string(event.payload.margin) & '% is under the 15% floor.'"
      odoo: { connection: odoo }
      levels:
        - { name: manager, approvers: { group: sales-manager }, sla_hours: 4 }
        - { name: finance, approvers: { group: finance }, sla_hours: 8 }
  - id: done
    type: transform
    with: { decision: "= steps.approve.output.decision" }
`;

describe('approvals shown in Odoo: a note per stage and per level decision, an activity per approver closed with the decision', () => {
  let sim: OdooSimulator;
  let t: TestStore;
  let engine: Engine;
  let approvals: ApprovalsService;
  const clock = new ManualClock('2026-06-01T07:00:00Z');
  const ids: Record<string, string> = {};

  before(async () => {
    sim = await startOdooSimulator();
    t = await openTestStore();
    const db = t.store.db as never;
    const now = () => clock.now();
    approvals = new ApprovalsService({ db, now, wake: () => t.store.wake() });
    const users = new Users(db, now);
    for (const [email, groups, odooUserId] of [
      ['mgr@acme.test', ['sales-manager'], 6],
      ['cfo@acme.test', ['finance'], 8],
      ['nobody-in-odoo@acme.test', ['finance'], null],
    ] as const) {
      ids[email] = (await users.create({ email, role: 'approver' })).id;
      await approvals.directory.setProfile(ids[email]!, { groups: [...groups], odooUserId }, now());
    }
    const pool = createClientPool([
      {
        name: 'odoo',
        url: sim.url,
        database: sim.database,
        login: 'admin',
        apiKey: 'sim-admin-api-key',
        protocol: 'jsonrpc',
        timeoutMs: 5_000,
      },
    ]);
    const steps = new StepRegistry([
      ...engineStepTypes(),
      httpRequestStep,
      ...odooStepTypes(pool),
      approvalStep(approvals, odooApprovalMirror(pool)),
    ]);
    engine = await engineWith(t.store, [WORKFLOW], { clock, steps });
    engine.startWorkers(1);
  });
  after(async () => {
    await engine.stopWorkers();
    await sim.close();
    await t.dispose();
  });

  const messages = (order: number, subtype: string) =>
    sim.db
      .searchRead(
        'mail.message',
        [
          ['model', '=', 'sale.order'],
          ['res_id', '=', order],
          ['subtype_id.name', '=', subtype],
        ],
        ['body'],
      )
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map((m) => String(m.body));
  const notes = (order: number) =>
    messages(order, 'Note').filter((body) => body.includes('Crossdock'));
  /** What Odoo posts when an activity is marked done: "To-Do done", the feedback, the original note. */
  const doneActivities = (order: number) => messages(order, 'Activities');
  const activities = (order: number) =>
    sim.db
      .searchRead(
        'mail.activity',
        [
          ['res_model', '=', 'sale.order'],
          ['res_id', '=', order],
        ],
        ['summary', 'user_id', 'date_deadline'],
      )
      .map((a) => ({ user: (a.user_id as [number, string])[0], due: a.date_deadline }));
  const who = (email: string) => ({
    userId: ids[email]!,
    email,
    actor: `user:${ids[email]} ${email}`,
  });

  test('each level shows in the chatter with activities for mapped approvers; the decision is posted back once', async () => {
    const order = await newOrder(sim, [[32, 2]]);
    const { runIds } = await engine.accept({
      source: 'odoo',
      type: 'order.low_margin',
      key: `m-${order}`,
      payload: { order, name: `S${order}`, margin: 9 },
    });
    const runId = runIds[0]!;
    await waitForRun(engine, runId, ['waiting']);
    assert.equal(notes(order).length, 1);
    assert.match(
      notes(order)[0]!,
      /level manager: Margin 9% is under the 15% floor\. Approvers: mgr@acme\.test\. Decide by 2026-06-01 11:00 UTC/,
    );
    assert.deepEqual(
      activities(order).map((a) => [a.user, a.due]),
      [[6, '2026-06-01']],
    );

    const [request] = (await approvals.list({ status: 'pending' })).approvals;
    const parkedAgain = nextEvent(engine, 'run:waiting', runId);
    await approvals.decide(
      request!.id,
      who('mgr@acme.test'),
      'approve',
      'fine for a key account',
      'api',
    );
    await parkedAgain;
    // The first level's decision is noted, its activity is done with the decision as feedback,
    // and the finance level shows with one activity for the approver who is an Odoo user.
    assert.match(
      notes(order)[1]!,
      /Level manager approved in Crossdock \(request \d+\) by mgr@acme\.test: fine for a key account/,
    );
    assert.match(notes(order)[2]!, /level finance/);
    assert.deepEqual(
      activities(order).map((a) => a.user),
      [8],
    );
    assert.equal(doneActivities(order).length, 1);
    assert.match(
      doneActivities(order)[0]!,
      /To-Do done \(originally assigned to .*\): Approve in Crossdock: S\d+.*Feedback:.*Level manager approved in Crossdock/s,
    );

    await approvals.decide(
      request!.id,
      who('cfo@acme.test'),
      'reject',
      'margin too thin for this customer',
      'api',
    );
    const run = await waitForRun(engine, runId);
    assert.deepEqual(run.output, { decision: 'rejected' });
    assert.equal(notes(order).length, 4);
    assert.match(
      notes(order)[3]!,
      /Rejected in Crossdock \(request \d+\) by cfo@acme\.test: margin too thin for this customer/,
    );
    assert.deepEqual(activities(order), [], 'no Approve in Crossdock activity stays open');
    assert.equal(doneActivities(order).length, 2);
    assert.match(
      doneActivities(order)[1]!,
      /Feedback:.*Rejected in Crossdock .*margin too thin for this customer/s,
    );
    assert.equal(
      sim.calls.count({ model: 'sale.order', method: 'message_post' }),
      4,
      'each stage and each level decision posted once',
    );
    assert.equal(
      sim.calls.count({ model: 'mail.activity', method: 'action_feedback' }),
      2,
      'each stage closed once',
    );
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApprovalsService, approvalStep } from '../../src/approvals/index.ts';
import { Users } from '../../src/auth/index.ts';
import { httpRequestStep } from '../../src/connectors/http/index.ts';
import { createClientPool, odooApprovalMirror, odooStepTypes } from '../../src/connectors/odoo/steps/index.ts';
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

describe('approvals shown in Odoo: a note per stage, an activity per approver, the decision posted back', () => {
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
    for (const [email, groups, odooUserId] of [['mgr@acme.test', ['sales-manager'], 6], ['cfo@acme.test', ['finance'], 8], ['nobody-in-odoo@acme.test', ['finance'], null]] as const) {
      ids[email] = (await users.create({ email, role: 'approver' })).id;
      await approvals.directory.setProfile(ids[email]!, { groups: [...groups], odooUserId }, now());
    }
    const pool = createClientPool([{ name: 'odoo', url: sim.url, database: sim.database, login: 'admin', apiKey: 'sim-admin-api-key', protocol: 'jsonrpc', timeoutMs: 5_000 }]);
    const steps = new StepRegistry([...engineStepTypes(), httpRequestStep, ...odooStepTypes(pool), approvalStep(approvals, odooApprovalMirror(pool))]);
    engine = await engineWith(t.store, [WORKFLOW], { clock, steps });
    engine.startWorkers(1);
  });
  after(async () => {
    await engine.stopWorkers();
    await sim.close();
    await t.dispose();
  });

  const notes = (order: number) => sim.db.searchRead('mail.message', [['model', '=', 'sale.order'], ['res_id', '=', order], ['body', 'ilike', 'Crossdock']], ['body'])
    .sort((a, b) => Number(a.id) - Number(b.id)).map((m) => String(m.body));
  const activities = (order: number) => sim.db.searchRead('mail.activity', [['res_model', '=', 'sale.order'], ['res_id', '=', order]], ['summary', 'user_id', 'date_deadline'])
    .map((a) => ({ user: (a.user_id as [number, string])[0], due: a.date_deadline }));
  const who = (email: string) => ({ userId: ids[email]!, email, actor: `user:${ids[email]} ${email}` });

  test('each level shows in the chatter with activities for mapped approvers; the decision is posted back once', async () => {
    const order = await newOrder(sim, [[32, 2]]);
    const { runIds } = await engine.accept({ source: 'odoo', type: 'order.low_margin', key: `m-${order}`, payload: { order, name: `S${order}`, margin: 9 } });
    const runId = runIds[0]!;
    await waitForRun(engine, runId, ['waiting']);
    assert.equal(notes(order).length, 1);
    assert.match(notes(order)[0]!, /level manager: Margin 9% is under the 15% floor\. Approvers: mgr@acme\.test\. Decide by 2026-06-01 11:00 UTC/);
    assert.deepEqual(activities(order).map((a) => [a.user, a.due]), [[6, '2026-06-01']]);

    const [request] = (await approvals.list({ status: 'pending' })).approvals;
    const parkedAgain = nextEvent(engine, 'run:waiting', runId);
    await approvals.decide(request!.id, who('mgr@acme.test'), 'approve', null, 'api');
    await parkedAgain;
    // The finance level: one note more, one activity for the approver who is an Odoo user.
    assert.match(notes(order)[1]!, /level finance/);
    assert.deepEqual(activities(order).map((a) => a.user).sort(), [6, 8]);

    await approvals.decide(request!.id, who('cfo@acme.test'), 'reject', 'margin too thin for this customer', 'api');
    const run = await waitForRun(engine, runId);
    assert.deepEqual(run.output, { decision: 'rejected' });
    assert.equal(notes(order).length, 3);
    assert.match(notes(order)[2]!, /Rejected in Crossdock \(request \d+\) by cfo@acme\.test: margin too thin for this customer/);
    assert.equal(sim.calls.count({ model: 'sale.order', method: 'message_post' }), 3, 'each stage posted once');
  });
});

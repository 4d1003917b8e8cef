/**
 * Overriding a triage the gate applied, through the API: an operator corrects the case's
 * team, category and severity the gate set; the override is recorded beside the
 * recommendation, audited, counted in the override rate as the gate's mistake, and is a label
 * of the next retraining. A viewer may not; a severity outside the list is refused naming the
 * field. Against the OpenAI-compatible simulator, on both stores.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { trainTriageModel } from '../../src/ai/index.ts';
import { ManualClock } from '../../src/engine/index.ts';
import { waitForRun } from '../support/engine.ts';
import { fireSlot, MINUTE, type OpsInstance } from '../operations/support.ts';
import { REFUSED_DELIVERY, startProviderOps, type ProviderOps } from './provider-ops.ts';

const RAISE = `
id: raise-case
trigger: { event: incident }
steps:
  - id: raise
    type: raise_exception
    end: true
    with: { title: "= input.title", code: "= input.code", severity: low, owner: { team: warehouse } }
`;
const PASSWORD = 'correct horse battery staple 42';

let ops: OpsInstance;
let started: ProviderOps | undefined;
let base: string;
let close: () => Promise<unknown>;
const tokens: Record<string, string> = {};
const clock = new ManualClock('2026-03-02T09:00:10Z');

before(async () => {
  started = await startProviderOps(clock, {}, [RAISE], [REFUSED_DELIVERY]);
  ({ ops } = started);
  const { api, url } = await ops.crossdock.listen({ port: 0 });
  base = url;
  close = () => api.close();
  const { users, tokens: issued } = ops.crossdock.services;
  for (const role of ['operator', 'viewer'] as const) {
    await users.create({ email: `${role}@acme.test`, role, password: PASSWORD });
    const user = (await users.findByEmail(`${role}@acme.test`))!;
    tokens[role] = (await issued.create({ id: user.id, role }, { name: role }, null)).token;
  }
});
after(async () => {
  await close?.();
  await started?.close();
});

async function call(role: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${tokens[role]}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function raiseAndTriage(key: string, title: string) {
  const { runIds } = await ops.crossdock.engine.accept({
    source: 'test',
    type: 'incident',
    key,
    payload: { title, code: 'DELIVERY_REFUSED' },
  });
  const raised = await waitForRun(ops.crossdock.engine, runIds[0]!);
  const caseId = String((raised.output as { caseId: string }).caseId);
  const now = clock.now().getTime();
  const slot = new Date(Math.floor(now / MINUTE) * MINUTE + MINUTE);
  clock.advance(slot.getTime() + 5_000 - now);
  const run = await fireSlot(ops, 'exception-triage-queue', slot.toISOString());
  const found = (run.output as { cases: { id: string; runIds: string[] }[] }).cases.find(
    (c) => c.id === caseId,
  )!;
  const triage = await waitForRun(ops.crossdock.engine, found.runIds[0]!);
  return { caseId, ...(triage.output as { recommendationId: string; outcome: string }) };
}

test('an operator overrides what the gate applied: the case is corrected, the rate counts it, the retraining learns it', async () => {
  const r = await raiseAndTriage('o-1', 'Customer refused the delivery of SO0201');
  assert.equal(r.outcome, 'applied');
  const gated = await ops.crossdock.services.exceptions.show(r.caseId);
  assert.deepEqual([gated.owner.team, gated.severity], ['customer_service', 'high']);

  const decision = {
    decision: 'override',
    category: 'carrier_delay',
    team: 'logistics',
    severity: 'medium',
    reason: 'The driver never reached the address: the carrier was late.',
  };
  const viewer = await call(
    'viewer',
    'POST',
    `/ai/recommendations/${r.recommendationId}/decision`,
    decision,
  );
  assert.equal(viewer.status, 403);
  const bad = await call('operator', 'POST', `/ai/recommendations/${r.recommendationId}/decision`, {
    ...decision,
    severity: 'urgent',
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'REQUEST_INVALID', JSON.stringify(bad.body));
  assert.deepEqual(
    bad.body.error.details.map((d: { path: string }) => d.path),
    ['body.severity'],
  );

  const done = await call(
    'operator',
    'POST',
    `/ai/recommendations/${r.recommendationId}/decision`,
    decision,
  );
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.reviewStatus, 'overridden');
  const operator = String(done.body.decidedBy);
  assert.match(operator, /\(user:\d+ operator@acme\.test\)$/);
  assert.deepEqual(done.body.final, {
    category: 'carrier_delay',
    team: 'logistics',
    severity: 'medium',
  });

  // The case as a person sees it: corrected, with the override's note.
  const c = await ops.crossdock.services.exceptions.show(r.caseId);
  assert.deepEqual([c.owner.team, c.severity], ['logistics', 'medium']);
  assert.deepEqual(c.details?.ai_triage, {
    category: 'carrier_delay',
    severity: 'medium',
    summary: 'The customer refused the delivery; agree a new one.',
    recommendation: r.recommendationId,
    by: operator,
  });
  assert.ok(
    c.history.some(
      (h) =>
        h.action === 'commented' &&
        /overridden: category carrier_delay, team logistics, severity medium \(was customer_service\)/.test(
          String(h.details.text),
        ),
    ),
  );
  const again = await call(
    'operator',
    'POST',
    `/ai/recommendations/${r.recommendationId}/decision`,
    decision,
  );
  assert.equal(again.status, 409);

  // The override rate: the gate's mistake, found by a person.
  const summary = await call('viewer', 'GET', '/ai/summary?days=30');
  const triage = summary.body.classes.find(
    (k: { use: string; category: string }) =>
      k.use === 'exception_triage' && k.category === 'address_problem',
  );
  assert.deepEqual(
    [triage.applied, triage.overridden, triage.appliedOverridden, triage.overrideRate],
    [1, 1, 1, 1],
  );

  // The next retraining takes the person's decision as its label.
  const trained = await trainTriageModel(ops.crossdock.store.db, { now: clock.now(), by: 'test' });
  assert.equal(trained.sources.overridden, 1);
  assert.deepEqual(
    trained.classes.map((k) => [k.category, k.team, k.examples]),
    [['carrier_delay', 'logistics', 1]],
  );
});

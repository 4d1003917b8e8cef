/**
 * The operations pack's triage with an external provider (the OpenAI-compatible simulator):
 * the model's severity and summary are applied at the gate with the team and category; when
 * the provider is down the triage run still completes, the case keeps its owner, and a case
 * with none goes to the workflow's default team. Both stores.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ManualClock } from '../../src/engine/index.ts';
import type { AiSimulator } from '../../sim/ai/index.ts';
import { waitForRun } from '../support/engine.ts';
import { fireSlot, MINUTE, type OpsInstance } from '../operations/support.ts';
import { REFUSED_DELIVERY, startProviderOps, type ProviderOps } from './provider-ops.ts';

const RAISE = `
id: raise-case
trigger: { event: incident }
steps:
  - id: owned
    type: branch
    with: { if: "input.owned", then: raise, else: raise-unowned }
  - id: raise
    type: raise_exception
    end: true
    with: { title: "= input.title", code: "= input.code", severity: low, owner: { team: warehouse } }
  - id: raise-unowned
    type: raise_exception
    end: true
    with: { title: "= input.title", code: "= input.code", severity: low }
`;

let sim: AiSimulator;
let ops: OpsInstance;
let started: ProviderOps | undefined;
const clock = new ManualClock('2026-03-02T09:00:10Z');

before(async () => {
  started = await startProviderOps(
    clock,
    {
      // Dollars per 1M tokens: input 2.50, output 10.00.
      CROSSDOCK_AI_PRICES: 'sim-triage-1=2.5/10,other-model=0.15/0.6',
    },
    [RAISE],
  );
  ({ sim, ops } = started);
});
after(async () => {
  await started?.close();
});

async function raise(key: string, title: string, owned: boolean) {
  const { runIds } = await ops.crossdock.engine.accept({
    source: 'test',
    type: 'incident',
    key,
    payload: { title, code: 'DELIVERY_REFUSED', owned },
  });
  const run = await waitForRun(ops.crossdock.engine, runIds[0]!);
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  return String((run.output as { caseId: string }).caseId);
}

async function triageOf(caseId: string) {
  const now = clock.now().getTime();
  const slot = new Date(Math.floor(now / MINUTE) * MINUTE + MINUTE);
  clock.advance(slot.getTime() + 5_000 - now);
  const run = await fireSlot(ops, 'exception-triage-queue', slot.toISOString());
  const found = (run.output as { cases: { id: string; runIds: string[] }[] }).cases.find(
    (c) => c.id === caseId,
  );
  assert.ok(found, `case ${caseId} announced`);
  const triage = await waitForRun(ops.crossdock.engine, found.runIds[0]!);
  assert.equal(triage.status, 'completed', 'a triage run never fails because of the provider');
  return triage.output as Record<string, unknown>;
}

test("the model's team, category, severity and summary are applied at the gate", async () => {
  sim.rules.push(REFUSED_DELIVERY);
  const caseId = await raise('refused-1', 'Customer refused the delivery of SO0042', true);
  const out = await triageOf(caseId);
  assert.equal(out.outcome, 'applied');
  assert.equal(out.severity, 'high');
  const sent = sim.requests.entries.at(-1)!.request!;
  const schema = (sent.response_format as { json_schema: { schema: { required: string[] } } })
    .json_schema.schema;
  assert.deepEqual(schema.required.slice(-2), ['severity', 'summary']);

  const c = await ops.crossdock.services.exceptions.show(caseId);
  assert.equal(c.owner.team, 'customer_service');
  assert.equal(c.severity, 'high');
  assert.deepEqual(c.details?.ai_triage, {
    category: 'address_problem',
    severity: 'high',
    summary: 'The customer refused the delivery; agree a new one.',
    recommendation: out.recommendationId,
    by: 'ai-gate',
  });
  // Its cost: the tokens the provider reported at the configured price.
  const row = await ops.crossdock.services.ai.show(String(out.recommendationId));
  const { prompt, completion } = row.tokens;
  assert.ok(prompt! > 0 && completion! > 0);
  assert.equal(row.costUsd, Math.round((prompt! * 2.5 + completion! * 10) * 100) / 1e8);
  const cost = await ops.crossdock.services.ai.cost(new Date('2026-03-01T00:00:00Z'));
  assert.equal(cost.costUsd, row.costUsd);
  assert.deepEqual(
    cost.byUse.map((u) => [u.use, u.calls, u.costUsd, u.unpriced]),
    [['exception_triage', 1, row.costUsd, 0]],
  );
  assert.deepEqual(
    cost.byDay.map((d) => [d.day, d.use, d.promptTokens, d.completionTokens]),
    [['2026-03-02', 'exception_triage', prompt, completion]],
  );
  const updated = c.history.find((h) => h.action === 'updated');
  assert.equal(updated?.actor, 'ai-gate');
  assert.deepEqual(updated?.details, { severity: 'high', from: 'low' });
});

test('the provider down: the run completes, an owned case keeps its owner, one without goes to the default team', async () => {
  sim.faults.push({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
  const owned = await raise('down-1', 'Customer refused the delivery of SO0043', true);
  const unowned = await raise('down-2', 'Customer refused the delivery of SO0044', false);
  const now = clock.now().getTime();
  const slot = new Date(Math.floor(now / MINUTE) * MINUTE + MINUTE);
  clock.advance(slot.getTime() + 5_000 - now);
  const run = await fireSlot(ops, 'exception-triage-queue', slot.toISOString());
  const cases = (run.output as { cases: { id: string; runIds: string[] }[] }).cases;
  assert.deepEqual(
    cases.map((c) => c.id),
    [owned, unowned],
  );
  for (const c of cases) {
    const triage = await waitForRun(ops.crossdock.engine, c.runIds[0]!);
    assert.equal(triage.status, 'completed');
    const out = triage.output as { outcome: string; errorCode: string };
    assert.equal(out.outcome, 'fallback');
    assert.equal(out.errorCode, 'AI_UNAVAILABLE');
  }
  const kept = await ops.crossdock.services.exceptions.show(owned);
  assert.equal(kept.owner.team, 'warehouse');
  assert.equal(kept.severity, 'low');
  assert.ok(!kept.history.some((h) => h.actor === 'ai-gate'));
  const fallbacks = await ops.crossdock.services.ai.list({ outcome: 'fallback' });
  assert.deepEqual(
    fallbacks.map((f) => f.costUsd),
    [0, 0],
    'no answer, no tokens: nothing to pay',
  );
  const routed = await ops.crossdock.services.exceptions.show(unowned);
  assert.equal(routed.owner.team, 'operations');
  const note = routed.history.find((h) => h.action === 'commented');
  assert.match(String(note?.details.text), /no answer \(AI_UNAVAILABLE\).*default team operations/);
});

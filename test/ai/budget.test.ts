/**
 * The spending limit on the provider (CROSSDOCK_AI_BUDGET_DAILY_USD): once the UTC day's
 * spend reaches it, the provider (the OpenAI-compatible simulator) is not called again that
 * day; triage falls back, the log says AI_BUDGET_SPENT, one case tells operations, and the
 * summary shows the spend against the limit. The next UTC day the provider is called again.
 * Both stores.
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
  - id: raise
    type: raise_exception
    end: true
    with: { title: "= input.title", code: "= input.code", severity: low, owner: { team: warehouse } }
`;

let sim: AiSimulator;
let ops: OpsInstance;
let started: ProviderOps | undefined;
const clock = new ManualClock('2026-03-02T09:00:10Z');

before(async () => {
  started = await startProviderOps(
    clock,
    {
      // A dollar per 1000 tokens either way: one triage costs more than the day's limit.
      CROSSDOCK_AI_PRICES: 'sim-triage-1=1000/1000',
      CROSSDOCK_AI_BUDGET_DAILY_USD: '0.05',
      CROSSDOCK_AI_BUDGET_MONTHLY_USD: '100',
    },
    [RAISE],
    [REFUSED_DELIVERY],
  );
  ({ sim, ops } = started);
});
after(async () => {
  await started?.close();
});

async function raise(key: string, title: string) {
  const { runIds } = await ops.crossdock.engine.accept({
    source: 'test',
    type: 'incident',
    key,
    payload: { title, code: 'DELIVERY_REFUSED' },
  });
  const run = await waitForRun(ops.crossdock.engine, runIds[0]!);
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  return String((run.output as { caseId: string }).caseId);
}

/** Fires the next triage slot; the triage outputs of the cases it announced, by case id. */
async function triageSlot(): Promise<Map<string, { outcome: string; errorCode: string | null }>> {
  const now = clock.now().getTime();
  const slot = new Date(Math.floor(now / MINUTE) * MINUTE + MINUTE);
  clock.advance(slot.getTime() + 5_000 - now);
  const run = await fireSlot(ops, 'exception-triage-queue', slot.toISOString());
  const outputs = new Map<string, { outcome: string; errorCode: string | null }>();
  for (const c of (run.output as { cases: { id: string; runIds: string[] }[] }).cases) {
    const triage = await waitForRun(ops.crossdock.engine, c.runIds[0]!);
    assert.equal(triage.status, 'completed', 'a triage run never fails because of the budget');
    outputs.set(c.id, triage.output as { outcome: string; errorCode: string | null });
  }
  return outputs;
}

const budgetCases = async () =>
  (await ops.crossdock.services.exceptions.list({ status: 'open' })).cases.filter(
    (c) => c.errorCode === 'AI_BUDGET_SPENT',
  );

test('the day spent: no provider call, the fallback applies and says why, one case opens', async () => {
  const first = await raise('b-1', 'Customer refused the delivery of SO0101');
  assert.equal((await triageSlot()).get(first)?.outcome, 'applied');
  assert.equal(sim.requests.entries.length, 1);
  const [row] = await ops.crossdock.services.ai.list({ outcome: 'applied' });
  assert.ok(row!.costUsd! >= 0.05, `one triage (${row!.costUsd} dollars) spends the day's limit`);

  const second = await raise('b-2', 'Customer refused the delivery of SO0102');
  const third = await raise('b-3', 'Customer refused the delivery of SO0103');
  const outputs = await triageSlot();
  for (const id of [second, third]) {
    assert.deepEqual(outputs.get(id), { ...outputs.get(id), outcome: 'fallback' });
    assert.equal(outputs.get(id)?.errorCode, 'AI_BUDGET_SPENT');
    const kept = await ops.crossdock.services.exceptions.show(id);
    assert.equal(kept.owner.team, 'warehouse', 'the case keeps its default owner');
  }
  assert.equal(sim.requests.entries.length, 1, 'the provider was not called again');
  const [fallback] = await ops.crossdock.services.ai.list({ outcome: 'fallback' });
  assert.equal(fallback!.errorCode, 'AI_BUDGET_SPENT');
  assert.match(fallback!.errorMessage!, /spending limit for 2026-03-02 is reached/);
  assert.equal(fallback!.costUsd, 0);

  const cases = await budgetCases();
  assert.equal(cases.length, 1, 'one case, however many calls were refused');
  assert.equal(cases[0]!.owner.team, 'operations');
  assert.equal(cases[0]!.severity, 'high');
  assert.match(cases[0]!.title, /AI spending limit reached: \$[\d.]+ of \$0\.05 for 2026-03-02/);

  const budget = await ops.crossdock.services.ai.budget();
  assert.deepEqual(budget, {
    dailyUsd: 0.05,
    monthlyUsd: 100,
    spentTodayUsd: row!.costUsd,
    spentMonthUsd: row!.costUsd,
    spent: 'day',
    resetsAt: '2026-03-03T00:00:00.000Z',
  });
});

test('the next UTC day the provider is called again, and its own limit opens its own case', async () => {
  clock.advance(Date.parse('2026-03-03T10:00:00Z') - clock.now().getTime());
  const next = await raise('b-4', 'Customer refused the delivery of SO0104');
  const outputs = await triageSlot();
  assert.equal(outputs.get(next)?.outcome, 'applied');
  assert.equal(sim.requests.entries.length, 2);
  const later = await raise('b-5', 'Customer refused the delivery of SO0105');
  assert.equal((await triageSlot()).get(later)?.errorCode, 'AI_BUDGET_SPENT');
  assert.equal(sim.requests.entries.length, 2);
  assert.deepEqual((await budgetCases()).map((c) => c.title.match(/for (\S+)/)?.[1]).sort(), [
    '2026-03-02',
    '2026-03-03',
  ]);
  const budget = await ops.crossdock.services.ai.budget();
  assert.equal(budget?.spent, 'day');
  assert.ok(budget!.spentMonthUsd > budget!.spentTodayUsd, 'the month counts both days');
});

/**
 * A whole Crossdock without CROSSDOCK_AI_URL, with the operations pack as `start` loads it:
 * its ai.classify steps ask the built-in offline model (which abstains before any training),
 * and the pack's `ai-retrain` schedule retrains it nightly, from people's decisions, as a new
 * version the next triage uses.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ManualClock } from '../../src/engine/index.ts';
import { waitForRun } from '../support/engine.ts';
import { openTestStore, type Reachable, type TestStore } from '../support/stores.ts';
import { fireSlot, HOUR, startOps, type OpsInstance } from '../operations/support.ts';

const TRIAGE = `
id: short-stock
trigger: { event: short }
steps:
  - id: raise
    type: raise_exception
    with: { title: "= 'Short on ' & input.sku", code: STOCK_SHORT, owner: { team: warehouse } }
  - id: triage
    type: ai.classify
    with:
      use: exception_triage
      case_id: "= steps.raise.output.caseId"
      threshold: 0.8
      categories: [stock_shortage, carrier_delay]
      teams: [purchasing, warehouse]
`;

let t: TestStore<Reachable>;
let ops: OpsInstance;
const clock = new ManualClock('2026-03-02T02:00:00Z');

before(async () => {
  t = await openTestStore({ onDisk: true });
  if (t.connection.kind === 'pglite') await t.store.close(); // the Crossdock opens the directory itself
  ops = await startOps(t, clock, {}, [TRIAGE]);
});
after(async () => {
  await ops?.close();
  await t?.dispose().catch(() => undefined);
});

async function triage(sku: string) {
  const { runIds } = await ops.crossdock.engine.accept({
    source: 'test',
    type: 'short',
    key: `short-${sku}`,
    payload: { sku },
  });
  const run = await waitForRun(ops.crossdock.engine, runIds[0]!);
  assert.equal(run.status, 'completed');
  return run.steps.find((s) => s.stepId === 'triage')!.output as Record<string, unknown>;
}

test('the retraining schedule is registered with the operations pack, nightly at 03:15 UTC', () => {
  const workflow = ops.crossdock.engine.catalog.current().find((w) => w.id === 'ai-retrain');
  assert.ok(workflow, 'ai-retrain is loaded');
  assert.equal(workflow.definition.trigger?.schedule, '0 15 3 * * *');
  assert.equal(workflow.definition.steps[0]!.type, 'ai.train');
});

test('without CROSSDOCK_AI_URL triage asks the offline model; the schedule retrains it from the decisions people made', async () => {
  const first = await triage('SKU-1');
  assert.equal(first.outcome, 'review');
  assert.equal(first.confidence, 0);
  const ai = ops.crossdock.services.ai;
  const row = await ai.show(String(first.recommendationId));
  assert.equal(row.model, 'crossdock-offline');
  await ai.decide(
    row.id,
    {
      decision: 'override',
      category: 'stock_shortage',
      team: 'purchasing',
      reason: 'a buyer expedites',
    },
    { actor: 'user:3 lee@example.com' },
  );

  clock.advance(1.5 * HOUR); // 03:30: the 03:15 slot is due
  const run = await fireSlot(ops, 'ai-retrain', '2026-03-02T03:15:00.000Z');
  const summary = run.output as {
    version: number;
    trainedBy: string;
    sources: Record<string, number>;
    classes: { category: string; team: string; examples: number }[];
    answers: boolean;
  };
  assert.equal(summary.version, 1);
  assert.match(summary.trainedBy, /^workflow:ai-retrain run:/);
  assert.equal(summary.sources.overridden, 1);
  assert.deepEqual(summary.classes, [
    { category: 'stock_shortage', team: 'purchasing', examples: 1 },
  ]);
  assert.equal(summary.answers, false, 'one example: it still abstains');

  const next = await triage('SKU-2');
  const again = await ai.show(String(next.recommendationId));
  assert.equal(again.answeredModel, 'crossdock-offline@1');
  assert.equal(next.confidence, 0);
  assert.match(
    String((again.answer as { reason: string }).reason),
    /trained on 1 labelled example/,
  );
});

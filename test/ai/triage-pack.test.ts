/**
 * The operations pack triages every newly opened exception case: `exception-triage-queue`
 * announces each new case once, `exception-triage` runs `ai.classify` on it. Here with the
 * built-in offline model (no CROSSDOCK_AI_URL), trained from the shipped set as the demo
 * trains it: a case like the ones it learnt is routed by the gate (team, category, severity,
 * summary, a note naming the recommendation, actor ai-gate); a case it is unsure of waits for a person
 * and keeps its owner. Both stores.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readLabelledSet, trainTriageModel } from '../../src/ai/index.ts';
import { ManualClock } from '../../src/engine/index.ts';
import { waitForRun } from '../support/engine.ts';
import { openTestStore, type Reachable, type TestStore } from '../support/stores.ts';
import { fireSlot, MINUTE, startOps, type OpsInstance } from '../operations/support.ts';

const RAISE = `
id: raise-case
trigger: { event: incident }
steps:
  - id: raise
    type: raise_exception
    end: true
    with:
      title: "= input.title"
      code: "= input.code"
      severity: medium
      owner: { team: operations }
      details:
        carrier: "= input.details.carrier"
        tracking_ref: "= input.details.tracking_ref"
        status: "= input.details.status"
        reason: "= input.details.reason"
        note: "= input.details.note"
`;

let t: TestStore<Reachable>;
let ops: OpsInstance;
const clock = new ManualClock('2026-03-02T09:00:10Z');

before(async () => {
  t = await openTestStore({ onDisk: true });
  if (t.connection.kind === 'pglite') await t.store.close(); // the Crossdock opens the directory itself
  ops = await startOps(t, clock, {}, [RAISE]);
  const set = new URL('../../ai/eval/triage-train.jsonl', import.meta.url).pathname;
  await trainTriageModel(ops.crossdock.store.db, {
    now: clock.now(),
    by: 'test',
    imported: { file: 'triage-train.jsonl', cases: readLabelledSet(set) },
  });
});
after(async () => {
  await ops?.close();
  await t?.dispose().catch(() => undefined);
});

async function raise(key: string, title: string, code: string | null, details: object) {
  const { runIds } = await ops.crossdock.engine.accept({
    source: 'test',
    type: 'incident',
    key,
    payload: { title, code, details },
  });
  const run = await waitForRun(ops.crossdock.engine, runIds[0]!);
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  return String((run.output as { caseId: string }).caseId);
}

/** The next minute's sweep; resolves with the triage run of each case it announced. */
async function sweep() {
  const now = clock.now().getTime();
  const slot = new Date(Math.floor(now / MINUTE) * MINUTE + MINUTE);
  clock.advance(slot.getTime() + 5_000 - now);
  const run = await fireSlot(ops, 'exception-triage-queue', slot.toISOString());
  const out = run.output as { announced: number; cases: { id: string; runIds: string[] }[] };
  const triaged = new Map<string, Record<string, unknown>>();
  for (const c of out.cases) {
    assert.equal(c.runIds.length, 1, `case ${c.id} starts one triage`);
    const triage = await waitForRun(ops.crossdock.engine, c.runIds[0]!);
    assert.equal(triage.status, 'completed');
    triaged.set(c.id, triage.output as Record<string, unknown>);
  }
  return triaged;
}

test('a new case like the ones the model learnt is routed by the gate, with its category and a drafted summary', async () => {
  const caseId = await raise(
    'late-1',
    'Truck for SO8560 half a day late at the dock',
    'LATE_TRUCK',
    { carrier: 'swiftpost', note: 'No truck came for the pickup. Called twice.' },
  );
  const triaged = await sweep();
  const out = triaged.get(caseId);
  assert.ok(out, `case ${caseId} was triaged`);
  assert.equal(out.outcome, 'applied');
  assert.equal(out.category, 'carrier_delay');
  assert.equal(out.team, 'logistics');
  assert.ok(Number(out.confidence) >= 0.8);

  const c = await ops.crossdock.services.exceptions.show(caseId);
  assert.equal(c.owner.team, 'logistics');
  // Raised medium; the shipped set's late trucks ended mostly high, and the model is sure of it.
  assert.equal(out.severity, 'high');
  assert.equal(c.severity, 'high', "the offline model's severity replaces the case's");
  assert.deepEqual(c.details?.ai_triage, {
    category: 'carrier_delay',
    severity: 'high',
    summary:
      'Truck for SO8560 half a day late at the dock (LATE_TRUCK). No truck came for the pickup. carrier swiftpost.',
    recommendation: out.recommendationId,
    by: 'ai-gate',
  });
  const assigned = c.history.find((h) => h.action === 'assigned');
  assert.equal(assigned?.actor, 'ai-gate');
  const note = c.history.find((h) => h.action === 'commented');
  assert.equal(note?.actor, 'ai-gate');
  assert.match(
    String(note?.details.text),
    new RegExp(`recommendation ${String(out.recommendationId)}, crossdock-offline@\\d+`),
  );
  assert.match(String(note?.details.text), /Summary \(drafted\): Truck for SO8560/);

  const row = await ops.crossdock.services.ai.show(String(out.recommendationId));
  assert.equal(row.caseId, caseId);
  assert.equal(row.decidedBy, 'ai-gate');
  assert.deepEqual(row.final, { category: 'carrier_delay', team: 'logistics', severity: 'high' });
  assert.equal(row.costUsd, 0, 'the offline model costs nothing');
});

test('a case the model is unsure of keeps its owner and waits in the review tasks', async () => {
  const caseId = await raise(
    'odd-1',
    'Something is wrong with the thing we talked about',
    'OTHER',
    {
      note: 'Please look.',
    },
  );
  const out = (await sweep()).get(caseId);
  assert.ok(out);
  assert.equal(out.outcome, 'review');
  const c = await ops.crossdock.services.exceptions.show(caseId);
  assert.equal(c.owner.team, 'operations');
  assert.equal(c.details?.ai_triage, undefined);
  assert.ok(!c.history.some((h) => h.action === 'assigned'));
  const pending = await ops.crossdock.services.ai.list({ reviewStatus: 'pending' });
  assert.deepEqual(
    pending.map((p) => p.caseId),
    [caseId],
  );
});

test('each case is announced once: a later sweep starts no second triage', async () => {
  const again = await sweep();
  assert.equal(again.size, 0);
  const all = await ops.crossdock.services.ai.list({ use: 'exception_triage' });
  assert.equal(all.length, 2);
});

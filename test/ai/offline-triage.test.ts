/**
 * Exception triage with the built-in offline model (the default without CROSSDOCK_AI_URL), on
 * the store under test, through the ai.classify step: it abstains with no model or too few
 * examples (a person decides, the case keeps its owner); trained on enough history, the gate
 * applies what it is sure of and leaves the rest to a person; a person's override, and a
 * routed case a person resolved, are labels of the next retraining, which changes what the
 * model answers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readLabelledSet, trainTriageModel } from '../../src/ai/index.ts';
import { caseKinds, orderNames, startHarness, type Harness } from './support.ts';

let h: Harness;
let dir: string;
before(async () => {
  h = await startHarness({ offline: true });
  dir = mkdtempSync(join(tmpdir(), 'crossdock-ai-offline-'));
});
after(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const PERSON = { actor: 'user:7 ana@example.com' };

const SO = orderNames(100);
const kinds = caseKinds(SO);

/** The harness's cases carry these (redacted to placeholders): the history's do too. */
const PERSONAL = {
  contact_name: 'Jane Whitfield',
  email: 'jane.whitfield@example.com',
  phone: '+44 20 7946 0958',
  delivery_address: '221B Baker Street, London NW1 6XE',
};

/** A labelled set of the site's history, as a file: `count` cases of each of three kinds. */
function historyFile(name: string, count: number): string {
  const lines: string[] = [];
  const labels = {
    late: ['carrier_delay', 'logistics'],
    refused: ['address_problem', 'customer_service'],
    credit: ['credit_hold', 'finance'],
  } as const;
  for (let i = 0; i < count; i++)
    for (const kind of ['late', 'refused', 'credit'] as const) {
      const c = kinds[kind]();
      const [category, team] = labels[kind];
      lines.push(
        JSON.stringify({
          title: c.title,
          code: c.code,
          severity: 'high',
          details: { order: c.order, note: c.note, ...PERSONAL },
          category,
          team,
        }),
      );
    }
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const train = (file?: string) =>
  trainTriageModel(h.api.t.store.db, {
    now: new Date('2026-03-02T10:00:00Z'),
    by: 'test',
    ...(file ? { imported: { file, cases: readLabelledSet(file) } } : {}),
  });

let abstainedId: string;

test('with no model yet it abstains: confidence 0, the case keeps its owner, a person chooses', async () => {
  const r = await h.incident(kinds.late());
  assert.equal(r.status, 'completed');
  assert.equal(r.output.outcome, 'review');
  assert.equal(r.output.confidence, 0);
  assert.equal(r.output.category, null);
  const c = await h.caseDetail(r.caseId);
  assert.equal(c.owner.team, 'operations');
  assert.ok(
    c.history.some((e) => /abstains: no model is trained yet/.test(String(e.details.text))),
  );
  const row = await h.reviews.show(String(r.output.recommendationId));
  assert.equal(row.model, 'crossdock-offline');
  // What the model read is the redacted case, as a provider would get it.
  assert.doesNotMatch(JSON.stringify(row.prompt), /jane|whitfield|baker street/i);
  await assert.rejects(
    h.reviews.decide(row.id, { decision: 'accept' }, PERSON),
    (e: any) => e.code === 'AI_REVIEW_ILLEGAL' && /abstained/.test(e.message),
  );
  abstainedId = row.id;
  const decided = await h.reviews.decide(
    row.id,
    {
      decision: 'override',
      category: 'carrier_delay',
      team: 'logistics',
      reason: 'the carrier missed the slot',
    },
    PERSON,
  );
  assert.equal(decided.reviewStatus, 'overridden');
  assert.equal((await h.caseDetail(r.caseId)).owner.team, 'logistics');
});

test('trained on fewer than 20 examples it still abstains, whatever it has seen', async () => {
  const summary = await train(historyFile('small.jsonl', 3));
  assert.equal(summary.version, 1);
  assert.deepEqual(summary.sources, { overridden: 1, accepted: 0, resolved: 0, file: 9 });
  assert.equal(summary.examples, 10);
  assert.equal(summary.answers, false);
  const r = await h.incident(kinds.refused());
  assert.equal(r.output.outcome, 'review');
  assert.equal(r.output.confidence, 0);
  const c = await h.caseDetail(r.caseId);
  assert.equal(c.owner.team, 'operations');
  assert.ok(
    c.history.some((e) =>
      /trained on 10 labelled example\(s\) in 3 class\(es\)/.test(String(e.details.text)),
    ),
  );
});

test('trained on enough history: at or above the threshold the gate routes the case, below it a person decides', async () => {
  const summary = await train(historyFile('history.jsonl', 8));
  assert.equal(summary.version, 2);
  assert.equal(summary.examples, 34, 'both files (9 + 24) and the override');
  assert.equal(summary.imported, 24);
  assert.equal(summary.answers, true);
  assert.equal(summary.calibration.method, 'temperature');

  const sure = await h.incident(kinds.refused());
  assert.equal(sure.output.outcome, 'applied');
  assert.equal(sure.output.category, 'address_problem');
  assert.equal(sure.output.team, 'customer_service');
  assert.ok((sure.output.confidence as number) >= 0.8);
  assert.equal((await h.caseDetail(sure.caseId)).owner.team, 'customer_service');
  const row = await h.reviews.show(String(sure.output.recommendationId));
  assert.equal(row.answeredModel, 'crossdock-offline@2');
  assert.equal(row.decidedBy, 'ai-gate');
  assert.match(String((row.answer as { reason: string }).reason), /words: .*(refused|address)/);

  const unsure = await h.incident({
    title: 'Quarterly zebra audit pending',
    code: 'ZEBRA_AUDIT',
    order: SO(),
    note: 'nothing known',
  });
  assert.equal(unsure.output.outcome, 'review');
  const confidence = unsure.output.confidence as number;
  assert.ok(confidence > 0 && confidence < 0.8, `confidence ${confidence}`);
  assert.equal((await h.caseDetail(unsure.caseId)).owner.team, 'operations');
});

test('an override is recorded and used at the next retraining: the model answers what people decided', async () => {
  for (let i = 0; i < 3; i++) {
    const r = await h.incident(kinds.pallet());
    assert.notEqual(r.output.category, 'stock_shortage', 'the model has not seen this class yet');
    await h.reviews.decide(
      String(r.output.recommendationId),
      {
        decision: 'override',
        category: 'stock_shortage',
        team: 'purchasing',
        reason: 'labels come from the supplier',
      },
      PERSON,
    );
  }
  const before = await h.incident(kinds.pallet());
  assert.notEqual(
    before.output.category,
    'stock_shortage',
    'overrides count at the next retraining, not before',
  );

  const summary = await train();
  assert.equal(summary.version, 3);
  assert.equal(summary.sources.overridden, 4, 'the first abstention and three overrides');
  assert.deepEqual(
    summary.classes.find((c) => c.category === 'stock_shortage'),
    { category: 'stock_shortage', team: 'purchasing', examples: 3 },
  );
  const afterwards = await h.incident(kinds.pallet());
  assert.equal(afterwards.output.category, 'stock_shortage');
  assert.equal(afterwards.output.team, 'purchasing');
  // The first case's override (an abstention) is a label too.
  const [first] = await h.reviews
    .list({ reviewStatus: 'overridden' }, 500)
    .then((rows) => rows.filter((x) => x.id === abstainedId));
  assert.deepEqual(first!.final, { category: 'carrier_delay', team: 'logistics' });
});

test('a case the gate routed and a person resolved is a label, with the team it was resolved by', async () => {
  const moved = await h.incident(kinds.refused());
  assert.equal(moved.output.outcome, 'applied');
  // A person sends it on to logistics and resolves it there: logistics is the label's team.
  await h.exceptions.assign(moved.caseId, { team: 'logistics' }, PERSON);
  await h.exceptions.resolve(moved.caseId, 'handled_manually', 'rebooked the delivery', PERSON);
  // Resolved by a workflow, not a person: it confirms nothing.
  const byMachine = await h.incident(kinds.refused());
  assert.equal(byMachine.output.outcome, 'applied');
  await h.exceptions.resolve(byMachine.caseId, 'fixed_in_source', null, {
    actor: 'workflow:x run:1',
  });

  const summary = await train();
  assert.equal(summary.sources.resolved, 1);
  assert.deepEqual(
    summary.classes.find((c) => c.category === 'address_problem' && c.team === 'logistics'),
    { category: 'address_problem', team: 'logistics', examples: 1 },
  );
});

/**
 * The offline model's severity, on the store under test, through an `ai.classify` step that
 * asks for one (`severity: true`): trained on cases whose severity follows their words it
 * assigns it (at or above the step's threshold, else the case keeps its own); a model stored
 * before it learnt severity answers none; a person's override of the severity is learnt at
 * the next retraining. The cases are all raised `high`: what the model answers is not read
 * from the case's own severity.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { evaluate, readLabelledSet, trainTriageModel } from '../../src/ai/index.ts';
import { OfflineTriageModel } from '../../src/ai/offline/offline-provider.ts';
import { modelByVersion, saveModel } from '../../src/ai/models.ts';
import { caseKinds, orderNames, startHarness, type Harness } from './support.ts';

let h: Harness;
let dir: string;
before(async () => {
  h = await startHarness({ offline: true, severity: true });
  dir = mkdtempSync(join(tmpdir(), 'crossdock-ai-severity-'));
});
after(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const PERSON = { actor: 'user:7 ana@example.com' };

const kinds = caseKinds(orderNames(500));

type Row = [keyof typeof kinds, string, string, string];

/** A labelled set: a new case of each row's kind, with its category, team and severity. */
function setFile(name: string, rows: Row[]): string {
  const lines = rows.map(([kind, category, team, severity]) => {
    const c = kinds[kind]();
    return JSON.stringify({
      title: c.title,
      code: c.code,
      severity,
      details: { order: c.order, note: c.note },
      category,
      team,
    });
  });
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** A history whose severity follows the kind of case, though every case is raised `high`. */
const historyFile = (count: number) =>
  setFile(
    'history.jsonl',
    Array.from({ length: count }).flatMap((): Row[] => [
      ['late', 'carrier_delay', 'logistics', 'low'],
      ['refused', 'address_problem', 'customer_service', 'medium'],
      ['credit', 'credit_hold', 'finance', 'critical'],
    ]),
  );

const train = (file?: string) =>
  trainTriageModel(h.api.t.store.db, {
    now: new Date('2026-03-02T10:00:00Z'),
    by: 'test',
    ...(file ? { imported: { file, cases: readLabelledSet(file) } } : {}),
  });

test('trained on cases whose severity follows their words, it assigns that severity to a new case', async () => {
  const summary = await train(historyFile(8));
  assert.equal(summary.severity.answers, true);
  assert.deepEqual(summary.severity.classes, [
    { severity: 'critical', examples: 8 },
    { severity: 'low', examples: 8 },
    { severity: 'medium', examples: 8 },
  ]);
  for (const [kind, severity] of [
    ['credit', 'critical'],
    ['late', 'low'],
  ] as const) {
    const r = await h.incident(kinds[kind]());
    assert.equal(r.output.outcome, 'applied');
    assert.equal(r.output.severity, severity, kind);
    assert.equal((await h.caseDetail(r.caseId)).severity, severity, 'the case was opened high');
    const row = await h.reviews.show(String(r.output.recommendationId));
    assert.match(
      String((row.answer as { reason: string }).reason),
      new RegExp(`severity ${severity} at (1|0\\.\\d+)`),
    );
  }
});

test('a model stored before it learnt severity answers none: the case keeps its own', async () => {
  const db = h.api.t.store.db;
  const current = (await modelByVersion(db, 'exception_triage', 1))!;
  const { severity: _head, ...params } = current.params as Record<string, unknown>;
  const old = await saveModel(db, {
    use: 'exception_triage',
    kind: current.kind,
    trainedAt: new Date('2026-03-02T11:00:00Z'),
    trainedBy: 'test',
    examples: current.examples,
    sources: current.sources as Record<string, number>,
    classes: current.classes as unknown[],
    calibration: current.calibration,
    params,
  });
  const r = await h.incident(kinds.credit());
  assert.equal(r.output.outcome, 'applied', 'the category and team still answer');
  assert.equal(r.output.category, 'credit_hold');
  assert.equal(r.output.severity, null);
  assert.equal((await h.caseDetail(r.caseId)).severity, 'high');
  const row = await h.reviews.show(String(r.output.recommendationId));
  assert.equal(row.answeredModel, `crossdock-offline@${old.version}`);
});

test("a person's override of the severity is learnt at the next retraining", async () => {
  await train(); // back to a model with its severity head
  for (let i = 0; i < 6; i++) {
    const r = await h.incident(kinds.pallet());
    // Words it has not seen: no severity is sure enough, the case keeps its own.
    assert.equal(r.output.severity, null, 'the model has not seen these cases yet');
    const row = await h.reviews.show(String(r.output.recommendationId));
    assert.match(
      String((row.answer as { reason: string }).reason),
      /severity \w+ at 0\.\d+ < 0\.8/,
    );
    assert.equal((await h.caseDetail(r.caseId)).severity, 'high');
    await h.reviews.decide(
      String(r.output.recommendationId),
      {
        decision: 'override',
        category: 'stock_shortage',
        team: 'purchasing',
        severity: 'critical',
        reason: 'the line stops without the parts',
      },
      PERSON,
    );
    assert.equal((await h.caseDetail(r.caseId)).severity, 'critical');
  }
  const before = await h.incident(kinds.pallet());
  assert.notEqual(
    before.output.severity,
    'critical',
    'an override counts from the next retraining',
  );

  const summary = await train();
  assert.equal(summary.sources.overridden, 6);
  const afterwards = await h.incident(kinds.pallet());
  assert.equal(afterwards.output.severity, 'critical');
  assert.equal((await h.caseDetail(afterwards.caseId)).severity, 'critical');
});

test('ai eval reports the severity: accuracy, coverage, precision, and per severity', async () => {
  const rows: Row[] = [
    ['credit', 'credit_hold', 'finance', 'critical'],
    ['late', 'carrier_delay', 'logistics', 'low'],
    ['refused', 'address_problem', 'customer_service', 'medium'],
    // Labelled low, as the model was never shown: it answers critical, wrongly.
    ['pallet', 'stock_shortage', 'purchasing', 'low'],
  ];
  const file = setFile('eval.jsonl', [...rows, ...rows]);
  const report = await evaluate(
    new OfflineTriageModel(h.api.t.store.db),
    readLabelledSet(file),
    0.8,
  );
  assert.deepEqual(
    { ...report.severity, classes: undefined },
    { answered: 8, correct: 6, accuracy: 6 / 8, coverage: 1, precision: 6 / 8, classes: undefined },
  );
  const byLabel = Object.fromEntries(report.severity!.classes.map((c) => [c.label, c]));
  assert.deepEqual(
    [
      byLabel.critical!.predicted,
      byLabel.critical!.correct,
      byLabel.low!.support,
      byLabel.low!.recall,
    ],
    [4, 2, 4, 0.5],
  );
});

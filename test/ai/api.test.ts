/** The recommendation log and reviews over the HTTP API, with the roles that may read and decide. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DelayRiskModel, readDelaySet, trainDelayRiskModel } from '../../src/ai/index.ts';
import { scoreDeliveries } from '../../src/ai/delay-risk/scoring.ts';
import { startHarness, type Harness } from './support.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
  h.sim.rules.push({
    match: /code: LATE_TRUCK/,
    answer: {
      category: 'carrier_delay',
      team: 'logistics',
      action: 'Ask the carrier for a new pickup time.',
      confidence: 0.4,
      reason: 'Vague note.',
    },
  });
});
after(async () => h.close());

test('a person reads the pending review, overrides it over the API, and cannot decide it twice', async () => {
  const viewer = await h.api.tokenFor('viewer');
  const operator = await h.api.tokenFor('operator');
  const r = await h.incident({ code: 'LATE_TRUCK' });
  assert.equal(r.output.outcome, 'review');
  const id = String(r.output.recommendationId);

  const list = await h.api.request('GET', '/api/v1/ai/recommendations?reviewStatus=pending', {
    token: viewer,
  });
  assert.equal(list.status, 200);
  assert.deepEqual(
    list.body.recommendations.map((x: { id: string }) => x.id),
    [id],
  );
  const shown = list.body.recommendations[0];
  assert.equal(shown.confidence, 0.4);
  assert.equal(shown.answer.team, 'logistics');
  assert.doesNotMatch(JSON.stringify(shown.prompt), /Whitfield|example\.com/);

  const path = `/api/v1/ai/recommendations/${id}/decision`;
  const override = {
    decision: 'override',
    category: 'carrier_delay',
    team: 'purchasing',
    reason: 'Our own truck',
  };
  assert.equal((await h.api.request('POST', path, { token: viewer, body: override })).status, 403);
  const bad = await h.api.request('POST', path, {
    token: operator,
    body: { decision: 'override', category: 'carrier_delay', team: 'purchasing' },
  });
  assert.equal(bad.status, 400);
  assert.ok(bad.body.error.details.some((d: { path: string }) => d.path === 'body.reason'));

  const decided = await h.api.request('POST', path, { token: operator, body: override });
  assert.equal(decided.status, 200);
  assert.equal(decided.body.reviewStatus, 'overridden');
  assert.match(decided.body.decidedBy, /operator@test.example/);
  assert.equal((await h.caseDetail(r.caseId)).owner.team, 'purchasing');
  const again = await h.api.request('POST', path, { token: operator, body: override });
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'AI_REVIEW_ILLEGAL');

  const examples = await h.api.request('GET', '/api/v1/ai/examples?use=exception_triage', {
    token: viewer,
  });
  assert.equal(examples.status, 200);
  assert.deepEqual(examples.body.examples[0].label, {
    category: 'carrier_delay',
    team: 'purchasing',
  });
  assert.equal(examples.body.examples[0].source, 'overridden');

  const summary = await h.api.request('GET', '/api/v1/ai/summary?days=7', { token: viewer });
  assert.equal(summary.status, 200);
  assert.deepEqual(summary.body.classes, [
    {
      use: 'exception_triage',
      category: 'carrier_delay',
      total: 1,
      applied: 0,
      review: 1,
      fallback: 0,
      pending: 0,
      accepted: 0,
      overridden: 1,
      appliedOverridden: 0,
      overrideRate: 1,
    },
  ]);

  const missing = await h.api.request('GET', '/api/v1/ai/recommendations/999999', {
    token: viewer,
  });
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'AI_RECOMMENDATION_NOT_FOUND');
});

test('the log pages with a cursor and filters by outcome; the summary takes a range', async () => {
  const viewer = await h.api.tokenFor('viewer');
  h.sim.rules.push({
    match: /code: SHORT_PICK/,
    answer: {
      category: 'stock_shortage',
      team: 'purchasing',
      action: 'Expedite the purchase order.',
      confidence: 0.95,
      reason: 'Short stock.',
    },
  });
  const applied = await h.incident({ code: 'SHORT_PICK' });
  assert.equal(applied.output.outcome, 'applied');
  await h.incident({ code: 'LATE_TRUCK' });
  const get = async (path: string) => h.api.request('GET', path, { token: viewer });

  const first = await get('/api/v1/ai/recommendations?limit=2');
  assert.equal(first.status, 200);
  assert.equal(first.body.recommendations.length, 2);
  assert.equal(typeof first.body.nextCursor, 'string');
  const second = await get(`/api/v1/ai/recommendations?limit=2&cursor=${first.body.nextCursor}`);
  assert.equal(second.body.recommendations.length, 1);
  assert.equal(second.body.nextCursor, null);
  const ids = [...first.body.recommendations, ...second.body.recommendations].map(
    (r: { id: string }) => Number(r.id),
  );
  assert.deepEqual(
    ids,
    [...ids].sort((a, b) => b - a),
  );
  assert.equal(new Set(ids).size, 3);
  const bad = await get('/api/v1/ai/recommendations?cursor=nonsense');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.details[0].path, 'query.cursor');

  const onlyApplied = await get('/api/v1/ai/recommendations?outcome=applied');
  assert.deepEqual(
    onlyApplied.body.recommendations.map((r: { id: string }) => r.id),
    [String(applied.output.recommendationId)],
  );

  // Every recommendation here was made at the harness clock's 09:00:00Z.
  const range = (from: string, to: string) => get(`/api/v1/ai/summary?from=${from}&to=${to}`);
  const inside = await range('2026-03-02T08:00:00Z', '2026-03-02T09:00:00Z');
  assert.equal(inside.status, 200);
  assert.deepEqual(
    inside.body.classes.map((c: { category: string; total: number }) => [c.category, c.total]),
    [
      ['carrier_delay', 2],
      ['stock_shortage', 1],
    ],
  );
  const later = await range('2026-03-02T09:00:01Z', '2026-03-02T10:00:00Z');
  assert.deepEqual(later.body.classes, []);
  const backwards = await range('2026-03-02T10:00:00Z', '2026-03-02T09:00:00Z');
  assert.equal(backwards.status, 400);
  assert.equal(backwards.body.error.details[0].path, 'query.to');
  const both = await get('/api/v1/ai/summary?days=2&from=2026-03-02T08:00:00Z');
  assert.equal(both.status, 400);
});

test('the delay-risk priority list is read like the other AI reads; its scores are not decided and not in the override rate', async () => {
  const viewer = await h.api.tokenFor('viewer');
  const approver = await h.api.tokenFor('approver');
  const get = (token: string) => h.api.request('GET', '/api/v1/ai/delay-risk?limit=10', { token });
  const before = await get(viewer);
  assert.equal(before.status, 200);
  assert.deepEqual(before.body, { scoredAt: null, threshold: null, runId: null, deliveries: [] });

  const db = h.api.t.store.db;
  const now = new Date('2026-12-07T09:00:00Z');
  await trainDelayRiskModel(db, {
    now,
    by: 'test',
    imported: {
      file: 'ai/eval/delay-risk-train.jsonl',
      cases: readDelaySet('ai/eval/delay-risk-train.jsonl'),
    },
  });
  const open = (pickingId: number, carrier: string, promised: string) => ({
    pickingId,
    picking: `WH/OUT/${pickingId}`,
    order: `S${pickingId}`,
    promised: new Date(`${promised}T16:00:00Z`),
    promisedFrom: 'deadline' as const,
    createdAt: now,
    done: null,
    late: null,
    carrier,
    warehouse: 'WH',
    country: 'IT',
    zip: '20100',
    productClass: 'Furniture',
    backlog: 45,
  });
  await scoreDeliveries(
    db,
    new DelayRiskModel(db),
    [open(1, 'swiftpost', '2026-12-08'), open(2, 'cargoplus', '2026-12-11')],
    { runId: '900001', workflowId: 'delay-risk', key: 'delay-risk:test', threshold: 0.6, now },
  );

  const list = await get(viewer);
  assert.equal(list.status, 200);
  assert.equal(list.body.scoredAt, now.toISOString());
  assert.equal(list.body.threshold, 0.6);
  assert.deepEqual(
    list.body.deliveries.map((d: { order: string }) => d.order),
    ['S2', 'S1'],
  );
  const [risky] = list.body.deliveries;
  assert.equal(risky.promisedDate, '2026-12-11');
  assert.equal(risky.flagged, risky.risk >= 0.6);
  assert.ok(risky.reasons.includes('carrier=cargoplus'));
  assert.equal((await get(approver)).status, 403);

  const decided = await h.api.request(
    'POST',
    `/api/v1/ai/recommendations/${risky.recommendationId}/decision`,
    { token: await h.api.tokenFor('operator'), body: { decision: 'accept' } },
  );
  assert.equal(decided.status, 409);
  assert.equal(decided.body.error.code, 'AI_REVIEW_ILLEGAL');
  const summary = await h.api.request(
    'GET',
    '/api/v1/ai/summary?from=2026-12-07T00:00:00Z&to=2026-12-08T00:00:00Z',
    { token: viewer },
  );
  assert.deepEqual(summary.body.classes, []);
});

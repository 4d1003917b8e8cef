/** The recommendation log and reviews over the HTTP API, with the roles that may read and decide. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
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

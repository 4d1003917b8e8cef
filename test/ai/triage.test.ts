/**
 * Exception triage through the ai.classify step, on the store under test, against the
 * OpenAI-compatible simulator: the gate above and below its threshold, a person's review,
 * the fallbacks (provider down, 429 beyond the retries, timeout, malformed answer, wrong
 * key), an override that the next prompt carries as an example, and what the simulator
 * received: no e-mail, phone, name or address of the case.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { sha256 } from '../../src/connectors/ai/index.ts';
import { INCIDENT, SIM_KEY, startHarness, type Harness } from './support.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => h.close());
beforeEach(() => {
  h.sim.rules.length = 0;
  h.sim.faults.length = 0;
  h.sim.delayMs = 0;
  h.waits.length = 0;
  h.sim.rules.push(
    {
      match: /code: DELIVERY_REFUSED/,
      answer: {
        category: 'address_problem',
        team: 'customer_service',
        action: 'Confirm the delivery address with the customer and rebook the delivery.',
        confidence: 0.93,
        reason: 'The consignee refused because the address is wrong.',
      },
    },
    {
      match: /code: LATE_TRUCK/,
      answer: {
        category: 'carrier_delay',
        team: 'logistics',
        action: 'Ask the carrier for a new pickup time.',
        confidence: 0.55,
        reason: 'A late truck is usually the carrier, but the note is vague.',
      },
    },
  );
});

async function logRow(recommendationId: unknown) {
  return h.reviews.show(String(recommendationId));
}

test('at or above the threshold the recommendation is applied and logged', async () => {
  const r = await h.incident();
  assert.equal(r.status, 'completed');
  assert.equal(r.output.outcome, 'applied');
  assert.equal(r.output.team, 'customer_service');
  const c = await h.caseDetail(r.caseId);
  assert.equal(c.owner.team, 'customer_service');
  const notes = c.history.filter((e) => e.action === 'commented' && e.actor === 'ai-gate');
  assert.equal(notes.length, 1);
  assert.match(
    String(notes[0]!.details.text),
    /category address_problem, team customer_service, confidence 0.93 >= 0.8/,
  );
  const row = await logRow(r.output.recommendationId);
  assert.equal(row.outcome, 'applied');
  assert.equal(row.confidence, 0.93);
  assert.equal(row.threshold, 0.8);
  assert.equal(row.model, 'sim-triage-1');
  assert.equal(row.answeredModel, 'sim-triage-1');
  assert.equal(row.decidedBy, 'ai-gate');
  assert.equal(row.reviewStatus, null);
  assert.deepEqual(row.final, { category: 'address_problem', team: 'customer_service' });
  assert.ok(row.tokens.prompt! > 0 && row.tokens.completion! > 0);
  const userText = (row.prompt as { messages: { role: string; content: string }[] }).messages.find(
    (m) => m.role === 'user',
  )!.content;
  assert.equal(row.inputHash, sha256(userText));
  // What the log keeps as the prompt is what the provider received.
  const sent = h.sim.requests.entries.at(-1)!;
  assert.equal(sent.authorized, true);
  assert.equal(sent.request!.messages.at(-1)!.content, userText);
  assert.equal(sent.request!.response_format?.type, 'json_schema');
});

test('below the threshold the case keeps its owner, gets a note, and waits for a person who accepts', async () => {
  const r = await h.incident({ code: 'LATE_TRUCK', title: 'Truck for SO0043 two hours late' });
  assert.equal(r.status, 'completed');
  assert.equal(r.output.outcome, 'review');
  let c = await h.caseDetail(r.caseId);
  assert.equal(c.owner.team, 'operations');
  assert.ok(
    c.history.some((e) => e.action === 'commented' && /awaits review/.test(String(e.details.text))),
  );
  const pending = await h.reviews.list({ reviewStatus: 'pending', caseId: r.caseId });
  assert.deepEqual(
    pending.map((p) => p.id),
    [String(r.output.recommendationId)],
  );
  const decided = await h.reviews.decide(
    String(r.output.recommendationId),
    { decision: 'accept' },
    { actor: 'user:7 ana@example.com' },
  );
  assert.equal(decided.reviewStatus, 'accepted');
  assert.equal(decided.decidedBy, 'user:7 ana@example.com');
  c = await h.caseDetail(r.caseId);
  assert.equal(c.owner.team, 'logistics');
  await assert.rejects(
    h.reviews.decide(decided.id, { decision: 'accept' }, { actor: 'user:8' }),
    (e: any) => e.code === 'AI_REVIEW_ILLEGAL' && /already accepted by user:7/.test(e.message),
  );
});

test('provider down: every attempt 503, the case keeps its default owner and the run completes', async () => {
  h.sim.faults.push(
    { kind: 'status', status: 503 },
    { kind: 'status', status: 503 },
    { kind: 'status', status: 503 },
  );
  const before = h.sim.requests.total;
  const r = await h.incident();
  assert.equal(r.status, 'completed');
  assert.equal(r.output.outcome, 'fallback');
  assert.equal(r.output.errorCode, 'AI_UNAVAILABLE');
  assert.equal(h.sim.requests.total - before, 3);
  assert.equal(h.waits.length, 2);
  const c = await h.caseDetail(r.caseId);
  assert.equal(c.owner.team, 'operations');
  assert.equal(c.history.filter((e) => e.actor === 'ai-gate').length, 0);
  const row = await logRow(r.output.recommendationId);
  assert.equal(row.outcome, 'fallback');
  assert.match(row.errorMessage!, /answered 503: The engine is currently overloaded/);
  assert.deepEqual(row.final, { team: 'operations', fallback: 'default owner' });
});

test('429 then success: the client waits at least the Retry-After and the answer is applied', async () => {
  h.sim.faults.push({ kind: 'rate_limited', retryAfterS: 2 });
  const r = await h.incident();
  assert.equal(r.output.outcome, 'applied');
  assert.deepEqual(h.waits.length, 1);
  assert.ok(h.waits[0]! >= 2_000, `waited ${h.waits[0]} ms`);
  assert.equal((await logRow(r.output.recommendationId)).attempts, 2);
});

test('429 with a Retry-After beyond the limit falls back at once', async () => {
  h.sim.faults.push({ kind: 'rate_limited', retryAfterS: 60 });
  const before = h.sim.requests.total;
  const r = await h.incident();
  assert.equal(r.output.outcome, 'fallback');
  assert.equal(r.output.errorCode, 'AI_RATE_LIMITED');
  assert.equal(h.sim.requests.total - before, 1);
  assert.deepEqual(h.waits, []);
});

test('malformed JSON content falls back with a clear recorded error, nothing guessed', async () => {
  h.sim.faults.push({ kind: 'malformed' });
  const r = await h.incident();
  assert.equal(r.output.outcome, 'fallback');
  assert.equal(r.output.errorCode, 'AI_ANSWER_INVALID');
  assert.equal(r.output.team, null);
  const row = await logRow(r.output.recommendationId);
  assert.match(row.errorMessage!, /not JSON \(cut off: finish_reason length\)/);
  assert.equal(row.answer, null);
  assert.equal((await h.caseDetail(r.caseId)).owner.team, 'operations');
});

test('an answer outside the lists (a team that does not exist) falls back', async () => {
  h.sim.faults.push({
    kind: 'off_schema',
    content: {
      category: 'carrier_delay',
      team: 'marketing',
      action: 'x',
      confidence: 0.99,
      reason: 'y',
    },
  });
  const r = await h.incident();
  assert.equal(r.output.outcome, 'fallback');
  assert.equal(r.output.errorCode, 'AI_ANSWER_INVALID');
  assert.equal((await h.caseDetail(r.caseId)).owner.team, 'operations');
});

test('a timeout on every attempt falls back', async () => {
  const slow = await startHarness({ timeoutMs: 150 });
  try {
    slow.sim.delayMs = 1_000;
    const r = await slow.incident();
    assert.equal(r.status, 'completed');
    assert.equal(r.output.outcome, 'fallback');
    assert.equal(r.output.errorCode, 'AI_TIMEOUT');
    assert.equal(slow.sim.requests.total, 3);
  } finally {
    await slow.close();
  }
});

test('a wrong key falls back with AI_AUTH_FAILED, and the key is in no message', async () => {
  const wrong = await startHarness({ apiKey: 'sk-wrong-key-9876543210abcdef' });
  try {
    const r = await wrong.incident();
    assert.equal(r.output.outcome, 'fallback');
    assert.equal(r.output.errorCode, 'AI_AUTH_FAILED');
    assert.equal(wrong.sim.requests.total, 1, 'a refused key is not tried again');
    assert.equal(wrong.sim.requests.entries[0]!.authorized, false);
    const row = await wrong.reviews.show(String(r.output.recommendationId));
    assert.doesNotMatch(row.errorMessage!, /sk-wrong|9876543210|abcdef/);
    assert.doesNotMatch(JSON.stringify(row), /sk-wrong-key/);
  } finally {
    await wrong.close();
  }
});

test('an override is recorded, moves the case, and the next prompt carries it as an example', async () => {
  const first = await h.incident();
  assert.equal(first.output.outcome, 'applied');
  const overridden = await h.reviews.decide(
    String(first.output.recommendationId),
    {
      decision: 'override',
      category: 'address_problem',
      team: 'logistics',
      reason: 'Dock addresses are ours to fix',
    },
    { actor: 'user:9 olu@example.com' },
  );
  assert.equal(overridden.reviewStatus, 'overridden');
  assert.deepEqual(overridden.final, { category: 'address_problem', team: 'logistics' });
  assert.equal((await h.caseDetail(first.caseId)).owner.team, 'logistics');
  const [example] = await h.reviews.examples('exception_triage', 1);
  assert.equal(example!.source, 'overridden');
  assert.equal(example!.labelled_by, 'user:9 olu@example.com');
  assert.equal(example!.recommendation_id, overridden.id);
  await assert.rejects(
    h.reviews.decide(
      overridden.id,
      { decision: 'override', category: 'x', team: 'logistics', reason: 'r' },
      { actor: 'user:9' },
    ),
    (e: any) => e.code === 'AI_REVIEW_ILLEGAL',
  );

  const next = await h.incident({ order: 'SO0050', title: 'Delivery for SO0050 refused' });
  assert.equal(next.status, 'completed');
  const system = h.sim.requests.entries.at(-1)!.request!.messages[0]!.content;
  assert.match(system, /Cases people have decided/);
  assert.match(system, /category: address_problem, team: logistics/);
  assert.ok(system.includes(example!.input.replace(/\n/g, ' | ')));
});

test('an override naming a team outside the lists is refused, naming the field', async () => {
  const r = await h.incident({ code: 'LATE_TRUCK' });
  await assert.rejects(
    h.reviews.decide(
      String(r.output.recommendationId),
      { decision: 'override', category: 'carrier_delay', team: 'marketing', reason: 'why not' },
      { actor: 'user:7' },
    ),
    (e: any) => e.code === 'AI_REVIEW_INVALID' && e.details[0].path === 'team',
  );
});

test('the simulator received no e-mail, phone, name or address of the case, and no key', async () => {
  await h.incident();
  assert.ok(h.sim.requests.total > 0);
  const leaks = [
    INCIDENT.email,
    'jane.whitfield',
    INCIDENT.phone,
    '7946',
    '0161 496 0000',
    'Jane',
    'Whitfield',
    'Okafor',
    'Baker Street',
    'NW1 6XE',
    SIM_KEY,
  ];
  for (const r of h.sim.requests.entries)
    for (const leak of leaks)
      assert.ok(!r.body.includes(leak), `request ${r.seq} sent ${JSON.stringify(leak)}`);
  // What was not personal still went: the order and the code.
  const last = h.sim.requests.entries.at(-1)!.body;
  assert.match(last, /SO0042/);
  assert.match(last, /DELIVERY_REFUSED/);
  assert.deepEqual(h.sim.scriptErrors, []);
});

test('a repeated triage of one step position asks the provider once and writes one note', async () => {
  const r = await h.incident();
  const row = await h.reviews.show(String(r.output.recommendationId));
  const before = h.sim.requests.total;
  // The step again after a crash between its log row and its checkpoint: same key.
  const { AiTriage } = await import('../../src/ai/index.ts');
  const again = await new AiTriage({
    db: h.api.t.store.db,
    exceptions: h.exceptions,
    provider: null,
    now: () => new Date(),
  }).triage({
    caseId: r.caseId,
    threshold: 0.8,
    categories: ['carrier_delay', 'address_problem'],
    teams: ['customer_service'],
    examples: 0,
    openKey: (
      await h.api.t.store.db
        .selectFrom('ai_recommendations')
        .select('open_key')
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow()
    ).open_key,
    runId: r.runId,
    workflowId: 'incident-triage',
  });
  assert.equal(again.recommendationId, row.id);
  assert.equal(again.outcome, 'applied');
  assert.equal(h.sim.requests.total, before);
  const c = await h.caseDetail(r.caseId);
  // one assignment, the category recorded in the case's details, one note: none of them twice
  assert.deepEqual(
    c.history.filter((e) => e.actor === 'ai-gate').map((e) => e.action),
    ['assigned', 'updated', 'commented'],
  );
});

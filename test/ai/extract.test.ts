/**
 * Reference extraction from e-mail (AiExtraction, the ai.extract step's service) on the store
 * under test, against the OpenAI-compatible simulator: the provider's answer through the
 * gate, an answer below it left for review, the deterministic rules when the provider is
 * down or none is configured, and what the simulator received: no sender address, name or
 * phone number of the message.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { AiExtraction, extractByRules, RULES_MODEL } from '../../src/ai/index.ts';
import { AiClient, aiProviderSettings } from '../../src/connectors/ai/index.ts';
import { startAiSimulator, type AiSimulator } from '../../sim/ai/index.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

const KEY = 'sk-sim-extract-0123456789abcdef';
let sim: AiSimulator;
let t: TestStore;
let withProvider: AiExtraction;
let withoutProvider: AiExtraction;
let n = 0;

const MAIL = {
  subject: 'Delay on your order P00042',
  text: [
    'Dear buyer,',
    'the goods of purchase order P00042 are delayed due to a kiln breakdown.',
    'New delivery date: 20 March 2026.',
    '',
    'Best regards, Jane Whitfield',
    'Phone +44 20 7946 0958, jane.whitfield@holzwerk.test',
  ].join('\n'),
  from: { name: 'Jane Whitfield', address: 'jane.whitfield@holzwerk.test' },
};

const field = (value: string, confidence: number) => ({ value, confidence });
const ANSWER = {
  purchase_order: field('P00042', 0.97),
  tracking_number: field('', 0),
  order_name: field('', 0),
  reason: field('kiln breakdown', 0.9),
  new_date: field('2026-03-20', 0.93),
};

before(async () => {
  [sim, t] = await Promise.all([
    startAiSimulator({ apiKey: KEY, models: ['sim-extract-1'] }),
    openTestStore(),
  ]);
  const client = new AiClient(
    aiProviderSettings({
      baseUrl: sim.url,
      model: 'sim-extract-1',
      apiKey: KEY,
      timeoutMs: 2_000,
      retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 10, maxRetryAfterMs: 1_000 },
    }),
    { sleep: async () => undefined, random: () => 0.5 },
  );
  const now = () => new Date('2026-03-02T09:00:00Z');
  withProvider = new AiExtraction({ db: t.store.db, client, now });
  withoutProvider = new AiExtraction({ db: t.store.db, client: null, now });
});
after(async () => {
  await sim?.close();
  await t?.dispose();
});
beforeEach(() => {
  sim.rules.length = 0;
  sim.faults.length = 0;
});

const request = (message = MAIL) => ({
  use: 'mail_references' as const,
  message,
  threshold: 0.8,
  require: ['purchase_order' as const, 'new_date' as const],
  openKey: `extract-test-${++n}`,
  runId: null,
  workflowId: null,
});

test("the provider's sure answer is applied and logged; it received no sender, name or phone", async () => {
  sim.rules.push({ match: /P00042/, answer: ANSWER });
  const result = await withProvider.extract(request());
  assert.equal(result.outcome, 'applied');
  assert.equal(result.by, 'provider');
  assert.equal(result.values.purchase_order, 'P00042');
  assert.equal(result.values.new_date, '2026-03-20');
  assert.equal(result.gateConfidence, 0.93);
  const sent = sim.requests.entries.map((r) => r.body).join('\n');
  assert.ok(sent.includes('P00042'), 'the reference was sent');
  for (const personal of ['jane.whitfield@holzwerk.test', 'Whitfield', 'Jane', '7946', '+44 20'])
    assert.ok(!sent.includes(personal), `${personal} was sent to the provider`);
  const row = await t.store.db
    .selectFrom('ai_recommendations')
    .selectAll()
    .where('id', '=', result.recommendationId)
    .executeTakeFirstOrThrow();
  assert.equal(row.use, 'mail_references');
  assert.equal(row.answered_model, 'sim-extract-1');
  assert.equal(row.review_status, null);
});

test('a required value below the threshold is left for review', async () => {
  sim.rules.push({ match: /P00042/, answer: { ...ANSWER, new_date: field('2026-03-20', 0.6) } });
  const result = await withProvider.extract(request());
  assert.equal(result.outcome, 'review');
  assert.equal(result.gateConfidence, 0.6);
  const row = await t.store.db
    .selectFrom('ai_recommendations')
    .select('review_status')
    .where('id', '=', result.recommendationId)
    .executeTakeFirstOrThrow();
  assert.equal(row.review_status, 'pending');
});

test('the provider down: the deterministic rules answer, and the row says why', async () => {
  sim.faults.push({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
  const result = await withProvider.extract(request());
  assert.equal(result.by, 'rules');
  assert.equal(result.errorCode, 'AI_UNAVAILABLE');
  assert.equal(result.outcome, 'applied');
  assert.equal(result.values.purchase_order, 'P00042');
  assert.equal(result.values.new_date, '2026-03-20');
  assert.equal(result.values.reason, 'a kiln breakdown');
});

test('an answer off the schema (a date that is no date) falls back to the rules', async () => {
  sim.faults.push({
    kind: 'off_schema',
    content: { ...ANSWER, new_date: field('next week', 0.9) },
  });
  sim.faults.push({
    kind: 'off_schema',
    content: { ...ANSWER, new_date: field('next week', 0.9) },
  });
  const result = await withProvider.extract(request());
  assert.equal(result.by, 'rules');
  assert.equal(result.errorCode, 'AI_ANSWER_INVALID');
  assert.equal(result.values.new_date, '2026-03-20');
});

test('no provider configured: the rules answer without a request; a repeat of the step asks nothing again', async () => {
  const before = sim.requests.total;
  const r = request();
  const first = await withoutProvider.extract(r);
  const again = await withoutProvider.extract(r);
  assert.equal(first.by, 'rules');
  assert.equal(first.errorCode, 'AI_NOT_CONFIGURED');
  assert.equal(again.recommendationId, first.recommendationId);
  assert.equal(sim.requests.total, before);
  const row = await t.store.db
    .selectFrom('ai_recommendations')
    .selectAll()
    .where('id', '=', first.recommendationId)
    .executeTakeFirstOrThrow();
  assert.equal(row.answered_model, RULES_MODEL);
});

test('the rules: references, date formats, the keyed date, and unsure cases', () => {
  const r = (text: string, subject = '') => extractByRules({ subject, text });
  assert.deepEqual(r('PO P00015 now expected 2026-04-02.').new_date, field('2026-04-02', 0.92));
  assert.equal(r('New date: 03.04.2026').new_date.value, '2026-04-03');
  assert.equal(r('delayed until April 7, 2026').new_date.value, '2026-04-07');
  assert.equal(r('will ship on 9th Apr 2026').new_date.value, '2026-04-09');
  assert.equal(r('ordered 2026-03-01, new date 2026-04-01').new_date.value, '2026-04-01');
  assert.ok(
    r('either 2026-04-01 or 2026-04-09').new_date.confidence < 0.8,
    'two dates, no keyword',
  );
  assert.equal(r('31.02.2026').new_date.value, '', 'no such day');
  assert.equal(r('purchase order no. 4711 is late').purchase_order.value, '4711');
  assert.ok(r('P00015 and P00016').purchase_order.confidence < 0.8, 'two orders');
  assert.equal(r('Tracking 1Z999AA10123456784').tracking_number.value, '1Z999AA10123456784');
  assert.equal(r('for your order S00031').order_name.value, 'S00031');
  assert.equal(r('> old: P00001\nabout P00002').purchase_order.value, 'P00002', 'quotes skipped');
});

/**
 * The OpenAI-compatible client against the simulator, which speaks the protocol's shapes:
 * the request it sends (json_schema response_format, bearer key), the error bodies and how
 * each becomes a registry code, Retry-After honoured, timeouts, and strict answers.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { z } from 'zod';
import { AiClient, aiProviderSettings, type AnswerSchema } from '../../src/connectors/ai/index.ts';
import { startAiSimulator, type AiSimulator } from '../../sim/ai/index.ts';
import { closedPortUrl } from '../carriers/support.ts';

const KEY = 'sk-sim-client-test-0123456789';
let sim: AiSimulator;
const waits: number[] = [];

const schema: AnswerSchema<{ label: string; confidence: number }> = {
  name: 'label',
  jsonSchema: {
    type: 'object',
    properties: {
      label: { type: 'string', enum: ['a', 'b'] },
      confidence: { type: 'number', minimum: 0, maximum: 1 },
    },
    required: ['label', 'confidence'],
    additionalProperties: false,
  },
  parse: z.strictObject({ label: z.enum(['a', 'b']), confidence: z.number().min(0).max(1) }),
};

function client(
  overrides: Partial<{ url: string; apiKey: string | null; timeoutMs: number; model: string }> = {},
) {
  return new AiClient(
    aiProviderSettings({
      baseUrl: overrides.url ?? sim.url,
      model: overrides.model ?? 'sim-triage-1',
      apiKey: overrides.apiKey === undefined ? KEY : overrides.apiKey,
      timeoutMs: overrides.timeoutMs ?? 2_000,
      retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 },
    }),
    { sleep: async (ms) => void waits.push(ms), random: () => 0.5 },
  );
}

const ask = (c: AiClient) => c.complete([{ role: 'user', content: 'classify: thing' }], schema);

before(async () => {
  sim = await startAiSimulator({ apiKey: KEY });
});
after(async () => sim.close());
beforeEach(() => {
  sim.rules.length = 0;
  sim.faults.length = 0;
  sim.requests.entries.length = 0;
  sim.delayMs = 0;
  waits.length = 0;
  sim.rules.push({ match: /thing/, answer: { label: 'b', confidence: 0.7 } });
});

test('a completion: the request has the real shape, the answer is checked and read', async () => {
  const answer = await ask(client());
  assert.deepEqual(answer.value, { label: 'b', confidence: 0.7 });
  assert.equal(answer.model, 'sim-triage-1');
  assert.match(answer.responseId!, /^chatcmpl-/);
  assert.ok(answer.promptTokens! > 0);
  assert.equal(answer.attempts, 1);
  const sent = sim.requests.entries[0]!;
  assert.equal(sent.path, '/v1/chat/completions');
  assert.equal(sent.authorized, true);
  assert.equal(sent.request!.model, 'sim-triage-1');
  assert.deepEqual(sent.request!.response_format, {
    type: 'json_schema',
    json_schema: { name: 'label', strict: true, schema: schema.jsonSchema },
  });
});

test('401 with the real error body: AI_AUTH_FAILED, not retried, the key not repeated', async () => {
  await assert.rejects(ask(client({ apiKey: 'sk-wrong-000000000000' })), (e: any) => {
    assert.equal(e.code, 'AI_AUTH_FAILED');
    assert.equal(e.retryable, false);
    assert.doesNotMatch(e.message, /sk-wrong|0000/);
    return true;
  });
  assert.equal(sim.requests.entries.length, 1);
  await assert.rejects(ask(client({ apiKey: null })), { code: 'AI_AUTH_FAILED' });
});

test('the simulator answers 401 and 429 with the hosted API error bodies', async () => {
  const noKey = await fetch(`${sim.url}/chat/completions`, { method: 'POST', body: '{}' });
  assert.equal(noKey.status, 401);
  const body = (await noKey.json()) as { error: Record<string, unknown> };
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(body.error.type, 'invalid_request_error');
  sim.faults.push({ kind: 'rate_limited', retryAfterS: 7 });
  const limited = await fetch(`${sim.url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'sim-triage-1', messages: [{ role: 'user', content: 'thing' }] }),
  });
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '7');
  assert.equal(((await limited.json()) as any).error.code, 'rate_limit_exceeded');
});

test('429 then success: one wait of at least the Retry-After', async () => {
  sim.faults.push({ kind: 'rate_limited', retryAfterS: 3 });
  const answer = await ask(client());
  assert.equal(answer.attempts, 2);
  assert.equal(waits.length, 1);
  assert.ok(waits[0]! >= 3_000);
});

test('5xx is retried with backoff; after the last attempt AI_UNAVAILABLE', async () => {
  sim.faults.push({ kind: 'status', status: 500 }, { kind: 'status', status: 502 });
  assert.equal((await ask(client())).attempts, 3);
  assert.deepEqual(waits, [90, 180]); // 100 and 200 ms, a fifth of each jittered at 0.5
  sim.faults.push(...Array(3).fill({ kind: 'status', status: 503 }));
  await assert.rejects(
    ask(client()),
    (e: any) => e.code === 'AI_UNAVAILABLE' && /503/.test(e.message),
  );
});

test('a 404 model is AI_REQUEST_REJECTED at once; an unreachable host AI_UNAVAILABLE', async () => {
  await assert.rejects(ask(client({ model: 'no-such-model' })), (e: any) => {
    assert.equal(e.code, 'AI_REQUEST_REJECTED');
    assert.match(e.message, /404: The model `no-such-model` does not exist/);
    return true;
  });
  assert.equal(sim.requests.entries.length, 1);
  await assert.rejects(ask(client({ url: await closedPortUrl('/v1') })), {
    code: 'AI_UNAVAILABLE',
  });
});

test('a delay beyond the timeout is AI_TIMEOUT after every attempt', async () => {
  sim.delayMs = 800;
  await assert.rejects(ask(client({ timeoutMs: 120 })), { code: 'AI_TIMEOUT' });
  assert.equal(sim.requests.entries.length, 3);
});

test('malformed content and an off-schema answer are AI_ANSWER_INVALID, never a guess', async () => {
  sim.faults.push({ kind: 'malformed' });
  await assert.rejects(ask(client()), (e: any) => {
    assert.equal(e.code, 'AI_ANSWER_INVALID');
    assert.match(e.message, /not JSON \(cut off: finish_reason length\)/);
    return true;
  });
  sim.faults.push({ kind: 'off_schema', content: { label: 'c', confidence: 2 } });
  await assert.rejects(ask(client()), (e: any) => {
    assert.equal(e.code, 'AI_ANSWER_INVALID');
    assert.deepEqual(e.details.map((d: any) => d.path).sort(), ['confidence', 'label']);
    return true;
  });
  assert.equal(sim.requests.entries.length, 2, 'an invalid answer is not asked again');
});

test('settings are checked, every bad value named, the key never shown', () => {
  assert.throws(
    () =>
      aiProviderSettings({
        baseUrl: 'ftp://x',
        model: '',
        apiKey: '',
        timeoutMs: 5,
        retry: { maxAttempts: 3, initialDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 0 },
      }),
    (e: any) => {
      assert.equal(e.code, 'AI_CONFIG_INVALID');
      assert.deepEqual(e.details.map((d: any) => d.path).sort(), [
        'apiKey',
        'baseUrl',
        'model',
        'timeoutMs',
      ]);
      return true;
    },
  );
});

test("Crossdock's own rate limit spaces calls evenly and refuses one whose turn is too far, before the provider hears of it", async () => {
  // A clock that stands still: four calls asked at once, 120 a minute allowed.
  let now = 0;
  const slept: number[] = [];
  const limited = new AiClient(
    aiProviderSettings({
      baseUrl: sim.url,
      model: 'sim-triage-1',
      apiKey: KEY,
      timeoutMs: 2_000,
      requestsPerMinute: 120,
      retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 1_000 },
    }),
    {
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
      },
    },
  );
  const results = await Promise.allSettled([1, 2, 3, 4].map(() => ask(limited)));
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'fulfilled', 'fulfilled', 'rejected'],
  );
  // One call every 500 ms: the second waits 500, the third 1,000 (the most a call may wait).
  assert.deepEqual(slept, [500, 1_000]);
  const refused = (results[3] as PromiseRejectedResult).reason;
  assert.equal(refused.code, 'AI_RATE_LIMITED');
  assert.match(refused.message, /own limit of 120 calls a minute .* 1500 ms/);
  assert.equal(sim.requests.entries.length, 3, 'the refused call never reached the provider');
  // Once the time has passed, a call goes out again without waiting.
  now = 10_000;
  await ask(limited);
  assert.deepEqual(slept, [500, 1_000]);
  assert.equal(sim.requests.entries.length, 4);
});

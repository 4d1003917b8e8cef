import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signTimestamped } from '../../src/triggers/index.ts';
import { startTestApi, type TestApi } from './support.ts';

// The filter counts down recursively as far as the event asks: a hostile payload makes it run away.
const FLOW = `
id: counted
trigger:
  event: order.counted
  filter: "($f := function($n) { $n <= 0 ? 0 : 1 + $f($n - 1) }; $f(input.depth) >= 0)"
steps:
  - id: note
    type: transform
    with: { depth: "= input.depth" }
`;

describe('expressions that run inside the API process are bounded', () => {
  let h: TestApi;
  let secret = '';
  const signed = (body: string) => ({
    'content-type': 'application/json',
    'crossdock-signature': signTimestamped(secret, Math.floor(Date.now() / 1000), body),
  });
  const stored = async () => ({ events: await h.count('events'), runs: await h.count('runs') });

  before(async () => {
    h = await startTestApi({
      workflows: [FLOW],
      engine: {
        expressionLimits: {
          timeoutMs: 200,
          maxDepth: 2_000,
          maxItems: 10_000,
          maxOutputBytes: 64 * 1024,
        },
      },
    });
    const created = await h.request('POST', '/api/v1/sources', {
      token: await h.tokenFor('integrator'),
      body: {
        name: 'deep',
        verification: 'hmac-sha256',
        mapping: {
          type: 'order.counted',
          key: '= $string(($f := function($n) { $n <= 0 ? 0 : 1 + $f($n - 1) }; $f(body.depth))) & "-" & body.id',
          payload: '= body',
        },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    secret = created.body.secret;
  });
  after(() => h.close());

  test('a webhook whose mapping runs away is answered 422 EXPRESSION_LIMIT_EXCEEDED naming the mapping field, stores nothing, and the API keeps answering', async () => {
    const fine = JSON.stringify({ id: 'a', depth: 3 });
    const accepted = await h.request('POST', '/hooks/deep', { raw: fine, headers: signed(fine) });
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    const before = await stored();

    const hostile = JSON.stringify({ id: 'b', depth: 1e9 });
    const started = Date.now();
    const [refused, health] = await Promise.all([
      h.request('POST', '/hooks/deep', { raw: hostile, headers: signed(hostile) }),
      h.request('GET', '/healthz'),
    ]);
    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'EXPRESSION_LIMIT_EXCEEDED');
    assert.match(refused.body.error.message, /source deep mapping\.key/);
    assert.match(refused.body.error.message, /CROSSDOCK_EXPRESSION_(TIMEOUT_MS|MAX_DEPTH)/);
    assert.ok(Date.now() - started < 5_000);
    assert.equal(health.status, 200);
    assert.deepEqual(await stored(), before);
  });

  test('an event whose trigger filter runs away is answered 422 and starts nothing', async () => {
    const before = await stored();
    const token = await h.tokenFor('integrator');
    const refused = await h.request('POST', '/api/v1/events', {
      token,
      body: { source: 'shop', type: 'order.counted', key: 'c-1', payload: { depth: 1e9 } },
    });
    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'EXPRESSION_LIMIT_EXCEEDED');
    assert.match(refused.body.error.message, /test-0\.yaml trigger\.filter/);
    assert.deepEqual(await stored(), before);
    const fine = await h.request('POST', '/api/v1/events', {
      token,
      body: { source: 'shop', type: 'order.counted', key: 'c-2', payload: { depth: 2 } },
    });
    assert.equal(fine.status, 202, JSON.stringify(fine.body));
  });
});

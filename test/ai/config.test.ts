/** The AI provider's configuration: read from the environment, checked at start, the key never shown. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';

const KEY = 'sk-config-test-abcdefghijklmnop';

test('no provider unless CROSSDOCK_AI_URL is set', () => {
  assert.equal(loadConfig({}).ai, null);
});

test('a provider: URL, model, key and the defaults', () => {
  const config = loadConfig({
    CROSSDOCK_AI_URL: 'http://127.0.0.1:11434/v1',
    CROSSDOCK_AI_MODEL: 'llama3.1:8b',
    CROSSDOCK_AI_API_KEY: KEY,
  });
  assert.deepEqual(config.ai, {
    baseUrl: 'http://127.0.0.1:11434/v1',
    model: 'llama3.1:8b',
    apiKey: KEY,
    timeoutMs: 20_000,
    maxAttempts: 3,
    maxRetryAfterMs: 10_000,
  });
});

test('a URL without a model, or a key without a URL, is refused naming the variable', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      const e = error as { code: string; details: { path: string; message: string }[] };
      assert.equal(e.code, 'CONFIG_INVALID');
      assert.doesNotMatch(JSON.stringify(e), new RegExp(KEY));
      return e.details.map((d) => d.path);
    }
    assert.fail('the configuration was accepted');
  };
  assert.deepEqual(problems({ CROSSDOCK_AI_URL: 'https://api.example.test/v1' }), [
    'CROSSDOCK_AI_MODEL',
  ]);
  assert.deepEqual(problems({ CROSSDOCK_AI_API_KEY: KEY }), ['CROSSDOCK_AI_API_KEY']);
  assert.deepEqual(
    problems({
      CROSSDOCK_AI_URL: 'ftp://x',
      CROSSDOCK_AI_MODEL: 'm',
      CROSSDOCK_AI_TIMEOUT_MS: '5',
    }),
    ['CROSSDOCK_AI_URL', 'CROSSDOCK_AI_TIMEOUT_MS'],
  );
});

test('prices per model: dollars per 1M tokens, input and output; a bad entry is refused naming the variable', () => {
  assert.deepEqual(loadConfig({}).aiPrices, {});
  assert.deepEqual(
    loadConfig({ CROSSDOCK_AI_PRICES: 'gpt-4o-mini=0.15/0.60, llama3.1:8b=0/0' }).aiPrices,
    {
      'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
      'llama3.1:8b': { inputPerMTok: 0, outputPerMTok: 0 },
    },
  );
  for (const bad of ['gpt-4o-mini=0.15', 'gpt-4o-mini=-1/2', 'a=1/2,a=1/3']) {
    assert.throws(
      () => loadConfig({ CROSSDOCK_AI_PRICES: bad }),
      (error: { code?: string; details?: { path: string; message: string }[] }) =>
        error.code === 'CONFIG_INVALID' &&
        error.details?.some((d) => d.path === 'CROSSDOCK_AI_PRICES') === true,
      bad,
    );
  }
});

test('a spending limit: dollars per UTC day and month, only with a provider whose model has a price', () => {
  const provider = {
    CROSSDOCK_AI_URL: 'https://api.example.test/v1',
    CROSSDOCK_AI_MODEL: 'gpt-4o-mini',
    CROSSDOCK_AI_PRICES: 'gpt-4o-mini=0.15/0.60',
  };
  assert.equal(loadConfig(provider).ai?.budget, undefined, 'no limit unless one is set');
  assert.deepEqual(loadConfig({ ...provider, CROSSDOCK_AI_BUDGET_DAILY_USD: '12.50' }).ai?.budget, {
    dailyUsd: 12.5,
    monthlyUsd: null,
  });
  assert.deepEqual(loadConfig({ ...provider, CROSSDOCK_AI_BUDGET_MONTHLY_USD: '200' }).ai?.budget, {
    dailyUsd: null,
    monthlyUsd: 200,
  });
  const refused = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      const e = error as { code: string; details: { path: string; message: string }[] };
      assert.equal(e.code, 'CONFIG_INVALID');
      return e.details.map((d) => `${d.path}: ${d.message}`);
    }
    assert.fail('the configuration was accepted');
  };
  for (const bad of ['0', '-3', 'ten', '1.234', '1e3'])
    assert.match(
      refused({ ...provider, CROSSDOCK_AI_BUDGET_DAILY_USD: bad }).join('\n'),
      /^CROSSDOCK_AI_BUDGET_DAILY_USD: must be/,
      bad,
    );
  assert.deepEqual(refused({ CROSSDOCK_AI_BUDGET_MONTHLY_USD: '5' }), [
    'CROSSDOCK_AI_BUDGET_MONTHLY_USD: set CROSSDOCK_AI_URL too (without it there is no provider)',
  ]);
  assert.deepEqual(
    refused({
      ...provider,
      CROSSDOCK_AI_PRICES: 'other-model=1/2',
      CROSSDOCK_AI_BUDGET_DAILY_USD: '5',
    }),
    [
      'CROSSDOCK_AI_PRICES: must price gpt-4o-mini when CROSSDOCK_AI_BUDGET_DAILY_USD is set (a limit in dollars cannot count an unpriced model)',
    ],
  );
});

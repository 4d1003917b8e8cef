import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { retryDelayMs } from '../../src/engine/index.ts';
import { parseRetryAfter } from '../../src/connectors/http/index.ts';

const policy = { max_attempts: 5, initial_delay_ms: 100, max_delay_ms: 1_000, multiplier: 2, jitter: 0.2 };
const error = { code: 'X', message: 'x', category: 'transient' as const, retryable: true };

describe('retry backoff', () => {
  test('grows exponentially, is capped, and jitter only shortens within its fraction', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => retryDelayMs(policy, n, error, () => 1)), [100, 200, 400, 800, 1000]);
    assert.deepEqual([1, 2, 3].map((n) => retryDelayMs(policy, n, error, () => 0)), [80, 160, 320]);
  });

  test('a Retry-After from the other side is a floor', () => {
    assert.equal(retryDelayMs(policy, 1, { ...error, retryAfterMs: 30_000 }, () => 0.5), 30_000);
  });

  test('Retry-After is read as seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('7'), 7_000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')), 10_000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });
});

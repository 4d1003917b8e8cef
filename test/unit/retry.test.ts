import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { retryDelayMs } from '../../src/engine/index.ts';
import { backoffDelayMs, type Backoff } from '../../src/workflows/index.ts';
import { parseRetryAfter } from '../../src/connectors/http/index.ts';

const policy = {
  max_attempts: 5,
  initial_delay_ms: 100,
  max_delay_ms: 1_000,
  multiplier: 2,
  jitter: 0.2,
};
const error = { code: 'X', message: 'x', category: 'transient' as const, retryable: true };

describe('retry backoff', () => {
  test('grows exponentially, is capped, and jitter only shortens within its fraction', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => retryDelayMs(policy, n, error, () => 1)),
      [100, 200, 400, 800, 1000],
    );
    assert.deepEqual(
      [1, 2, 3].map((n) => retryDelayMs(policy, n, error, () => 0)),
      [80, 160, 320],
    );
  });

  test('a Retry-After from the other side is a floor', () => {
    assert.equal(
      retryDelayMs(policy, 1, { ...error, retryAfterMs: 30_000 }, () => 0.5),
      30_000,
    );
  });

  test('Retry-After is read as seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('7'), 7_000);
    assert.equal(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
      10_000,
    );
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });

  test('every delay lies between the capped exponential less its jitter fraction and the cap', () => {
    // A fixed pseudo-random sequence (mulberry32): the same draws on every run.
    let seed = 0x2f6b;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const backoffs: Backoff[] = [
      { initial_delay_ms: 500, max_delay_ms: 60_000, multiplier: 2, jitter: 0.2 },
      { initial_delay_ms: 250, max_delay_ms: 8_000, multiplier: 2, jitter: 0.5 },
      { initial_delay_ms: 1_000, max_delay_ms: 300_000, multiplier: 3, jitter: 1 },
      { initial_delay_ms: 30_000, max_delay_ms: 3_600_000, multiplier: 2, jitter: 0 },
    ];
    for (const backoff of backoffs) {
      for (let failures = 1; failures <= 20; failures++) {
        const capped = Math.min(
          backoff.max_delay_ms,
          backoff.initial_delay_ms * backoff.multiplier ** (failures - 1),
        );
        for (let draw = 0; draw < 50; draw++) {
          const delay = backoffDelayMs(backoff, failures, random);
          assert.ok(
            delay >= Math.round(capped * (1 - backoff.jitter)) && delay <= capped,
            `${JSON.stringify(backoff)} after ${failures}: ${delay} outside [${capped * (1 - backoff.jitter)}, ${capped}]`,
          );
        }
      }
      // The cap is the longest wait, whatever the draw; the least is the cap less its jitter.
      assert.equal(
        backoffDelayMs(backoff, 40, () => 0.9999999),
        backoff.max_delay_ms,
      );
      assert.equal(
        backoffDelayMs(backoff, 40, () => 0),
        Math.round(backoff.max_delay_ms * (1 - backoff.jitter)),
      );
    }
  });

  test('draws spread the retries of runs failing together; without jitter they coincide', () => {
    const draws = [0, 0.25, 0.5, 0.75, 0.99];
    const spread = draws.map((r) =>
      backoffDelayMs(
        { initial_delay_ms: 1_000, max_delay_ms: 60_000, multiplier: 2, jitter: 1 },
        3,
        () => r,
      ),
    );
    assert.deepEqual(spread, [0, 1000, 2000, 3000, 3960]);
    const together = draws.map((r) =>
      backoffDelayMs(
        { initial_delay_ms: 1_000, max_delay_ms: 60_000, multiplier: 2, jitter: 0 },
        3,
        () => r,
      ),
    );
    assert.deepEqual(new Set(together), new Set([4000]));
  });

  test('a Retry-After is a floor for every backoff, even above the cap', () => {
    const backoff = { initial_delay_ms: 100, max_delay_ms: 1_000, multiplier: 2, jitter: 0.5 };
    assert.equal(
      backoffDelayMs(backoff, 1, () => 0, 30_000),
      30_000,
    );
    assert.equal(
      backoffDelayMs(backoff, 1, () => 0, 10),
      50,
    );
  });
});

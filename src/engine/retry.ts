import type { RetryPolicy } from '../workflows/index.ts';
import type { SerializedError } from '../errors/index.ts';
import type { Random } from './clock.ts';

export const DEFAULT_RETRY: RetryPolicy = {
  max_attempts: 3,
  initial_delay_ms: 500,
  max_delay_ms: 60_000,
  multiplier: 2,
  jitter: 0.2,
};

/**
 * Delay before attempt `failedAttempts + 1`: exponential from initial_delay_ms, capped at
 * max_delay_ms, with part of it randomised (jitter) so that many runs failing together
 * do not retry together. A `retryAfterMs` from the error (e.g. HTTP Retry-After) is a
 * floor: we never retry earlier than the other side asked.
 */
export function retryDelayMs(policy: RetryPolicy, failedAttempts: number, error: SerializedError, random: Random): number {
  const exponential = policy.initial_delay_ms * policy.multiplier ** Math.max(0, failedAttempts - 1);
  const capped = Math.min(policy.max_delay_ms, exponential);
  const jittered = capped * (1 - policy.jitter) + capped * policy.jitter * random();
  return Math.round(Math.max(jittered, error.retryAfterMs ?? 0));
}

/** Whether another attempt is allowed after `failedAttempts` failures of this error. */
export function shouldRetry(policy: RetryPolicy, failedAttempts: number, error: SerializedError): boolean {
  return error.retryable && failedAttempts < policy.max_attempts;
}

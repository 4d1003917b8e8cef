import { backoffDelayMs, type Backoff, type RetryPolicy } from '../workflows/index.ts';
import type { SerializedError } from '../errors/index.ts';
import type { Random } from './clock.ts';

export const DEFAULT_RETRY: RetryPolicy = {
  max_attempts: 3,
  initial_delay_ms: 500,
  max_delay_ms: 60_000,
  multiplier: 2,
  jitter: 0.2,
};

/** Delay before attempt `failedAttempts + 1` (backoffDelayMs), no earlier than the error's Retry-After. */
export function retryDelayMs(
  policy: Backoff,
  failedAttempts: number,
  error: SerializedError,
  random: Random,
): number {
  return backoffDelayMs(policy, failedAttempts, random, error.retryAfterMs);
}

/** Whether another attempt is allowed after `failedAttempts` failures of this error. */
export function shouldRetry(
  policy: RetryPolicy,
  failedAttempts: number,
  error: SerializedError,
): boolean {
  return error.retryable && failedAttempts < policy.max_attempts;
}

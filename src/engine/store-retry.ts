import { isStoreFault } from '../store/index.ts';
import type { RetryPolicy } from '../workflows/index.ts';
import type { Random } from './clock.ts';
import { retryDelayMs } from './retry.ts';

/**
 * How the engine rides out a store fault (STORE_UNAVAILABLE, STORE_CONFLICT) in a
 * transaction it may run again whole: 100 ms doubling to 2 s, about 10 s in all, which
 * covers a restart of PostgreSQL. Longer outages are the caller's to handle.
 */
export const STORE_RETRY: RetryPolicy = {
  max_attempts: 8,
  initial_delay_ms: 100,
  max_delay_ms: 2_000,
  multiplier: 2,
  jitter: 0.2,
};

/**
 * Runs `transaction` again after a store fault, with the project's backoff, at most
 * `policy.max_attempts` times; any other failure, or the last fault, is thrown.
 *
 * Only for work that is safe to run again whole: it must hold its own transaction (a
 * fault rolled it back, or it committed and only the answer was lost), and running it a
 * second time after a commit whose answer was lost must change nothing more (a key, a
 * fence). Each call site says why that holds.
 */
export async function retryOnStoreFault<T>(
  transaction: () => Promise<T>,
  random: Random,
  policy: RetryPolicy = STORE_RETRY,
): Promise<T> {
  for (let failed = 1; ; failed++) {
    try {
      return await transaction();
    } catch (error) {
      if (!isStoreFault(error) || failed >= policy.max_attempts) throw error;
      // The fault's own Retry-After is for remote callers; in here the policy's short steps apply.
      const delayMs = retryDelayMs(policy, failed, { ...error.toJSON(), retryAfterMs: 0 }, random);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

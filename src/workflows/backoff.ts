/**
 * The one backoff formula of Crossdock: step retries, store retries, notification
 * redelivery, carrier fallbacks and the Odoo client's own repeats all wait by it, so one
 * reading of a `retry:` or `backoff:` block holds everywhere.
 *
 * The delay before the attempt after `failures` failures is exponential from
 * `initial_delay_ms`, capped at `max_delay_ms`; a `jitter` fraction of it is random
 * (0: none, 1: "full jitter"), so many runs failing together do not retry together, and
 * the cap stays the longest wait. A Retry-After the other side sent is a floor: we never
 * ask again earlier than we were told.
 */

/** A backoff as workflows write it (a step's `retry:`, `carrier.book`'s `backoff:`). */
export interface Backoff {
  initial_delay_ms: number;
  max_delay_ms: number;
  multiplier: number;
  /** Fraction of the delay replaced by randomness, 0 to 1. */
  jitter: number;
}

/** A source of numbers in [0, 1): Math.random in production, a fixed sequence in tests. */
export type RandomSource = () => number;

export function backoffDelayMs(
  backoff: Backoff,
  failures: number,
  random: RandomSource,
  retryAfterMs?: number,
): number {
  const exponential = backoff.initial_delay_ms * backoff.multiplier ** Math.max(0, failures - 1);
  const capped = Math.min(backoff.max_delay_ms, exponential);
  // In [capped × (1 - jitter), capped): randomness only shortens the wait, within its fraction.
  const jittered = capped * (1 - backoff.jitter + backoff.jitter * random());
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}

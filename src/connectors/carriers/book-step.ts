/**
 * carrier.book: books a shipment with the first carrier of a list that accepts it.
 *
 * For each carrier in order: a non-retryable error (rejected, auth, bad request) moves on
 * to the next carrier at once; a transient one (unavailable, 5xx, 429) is tried again
 * after a backoff, up to `attempts_per_carrier` times, then the step moves on. When every
 * carrier failed the step fails CARRIER_ALL_FAILED, naming each carrier's last error.
 *
 * Durability: the backoff is a suspension, not a sleep. The step returns
 * { kind: 'suspend', until, state } with its position (carrier index, failures, attempts
 * so far); the engine checkpoints it and resumes the step at `until` with that state, so
 * no worker is held and a restart continues where the last checkpoint left off.
 *
 * Idempotency: carrier i is always booked with the key `${ctx.idempotencyKey}:${carrier}`,
 * which is the same on every attempt, after a crash and on a replay of this step. Work
 * done after the last checkpoint (a carrier tried, then the next) may be repeated after a
 * crash; repeating it sends the same keys, so a carrier that did book answers with that
 * booking and none books twice. What keys cannot cover: a carrier whose every attempt
 * timed out may have booked without us knowing, and the step then books with the next.
 */
import { z } from 'zod';
import { CrossdockError, toCrossdockError } from '../../errors/index.ts';
import {
  backoffDelayMs,
  type RandomSource,
  type StepContext,
  type StepType,
} from '../../workflows/index.ts';
import type { Booking, Shipment } from './model.ts';
import type { CarrierRegistry } from './registry.ts';
import {
  carrierListConfig,
  carrierNames,
  choicesOf,
  shipmentConfig,
  shipmentSummary,
  type CarrierChoice,
} from './step-config.ts';

const BookConfig = z.strictObject({
  /** In order of preference: codes, or { carrier, service }. Each carrier at most once. */
  carriers: carrierListConfig(10),
  shipment: shipmentConfig(),
  /** Tries per carrier for transient failures before falling back to the next one. */
  attempts_per_carrier: z.int().min(1).max(10).default(3),
  backoff: z
    .strictObject({
      initial_delay_ms: z.int().min(0).max(3_600_000).default(1_000),
      /** Also the longest Retry-After the step waits for; a longer one moves on to the next carrier. */
      max_delay_ms: z.int().min(0).max(86_400_000).default(60_000),
      multiplier: z.number().min(1).max(10).default(2),
      /** Fraction of each delay that is random, so bookings failing together do not retry together. */
      jitter: z.number().min(0).max(1).default(0.2),
    })
    .prefault({}),
});
type BookConfig = z.output<typeof BookConfig>;

export interface BookingAttempt {
  carrier: string;
  service: string | null;
  at: string;
  outcome: 'booked' | 'failed';
  error?: { code: string; message: string; retryable: boolean };
}

/** What the step keeps across its suspensions (checkpointed by the engine). */
interface BookState {
  index: number;
  /** Transient failures of the carrier at `index` so far. */
  failures: number;
  attempts: BookingAttempt[];
  /** The end of the current backoff: an early wake-up suspends again until then. */
  until: string | null;
}

export interface BookOutput extends Omit<Booking, 'label_url'> {
  label_url: string | null;
  /** How many carriers before this one failed. */
  fallbacks_used: number;
  attempts: BookingAttempt[];
}

export function bookStep(registry: CarrierRegistry): StepType<BookConfig> {
  return {
    type: 'carrier.book',
    description:
      'Books a shipment with the first carrier of a list that accepts it, with durable backoff and fallback; output { carrier, booking_id, tracking_ref, price, fallbacks_used, attempts }',
    config: BookConfig as z.ZodType<BookConfig>,
    sideEffect: true,
    async execute(ctx, config) {
      const choices = choicesOf(config.carriers);
      const shipment = config.shipment as Shipment;
      registry.require(choices.map((c) => c.carrier)); // an unknown code fails before anything is booked
      let state = (ctx.resumeState as BookState | undefined) ?? {
        index: 0,
        failures: 0,
        attempts: [],
        until: null,
      };
      if (state.until !== null && ctx.now() < new Date(state.until))
        return { kind: 'suspend', until: new Date(state.until), state };
      while (state.index < choices.length) {
        const choice = choices[state.index]!;
        const tried = await tryCarrier(ctx, registry, choice, shipment);
        if ('booking' in tried) {
          const attempts = [
            ...state.attempts,
            {
              carrier: choice.carrier,
              service: choice.service,
              at: tried.at,
              outcome: 'booked' as const,
            },
          ];
          return { kind: 'done', output: bookOutput(tried.booking, state.index, attempts) };
        }
        const { error } = tried;
        const attempts = [
          ...state.attempts,
          {
            carrier: choice.carrier,
            service: choice.service,
            at: tried.at,
            outcome: 'failed' as const,
            error: { code: error.code, message: error.message, retryable: error.retryable },
          },
        ];
        const failures = state.failures + 1;
        const delayMs =
          error.retryable && failures < config.attempts_per_carrier
            ? backoffMs(config.backoff, failures, error.retryAfterMs, ctx.random)
            : null;
        if (delayMs !== null) {
          const until = new Date(ctx.now().getTime() + delayMs);
          return {
            kind: 'suspend',
            until,
            state: {
              index: state.index,
              failures,
              attempts,
              until: until.toISOString(),
            } satisfies BookState,
          };
        }
        state = { index: state.index + 1, failures: 0, attempts, until: null };
      }
      throw allFailed(shipment, choices, state.attempts);
    },
    describe: (c) =>
      `would book ${shipmentSummary(c.shipment)} with ${carrierNames(c.carriers)} (up to ${c.attempts_per_carrier} tries each for transient failures)`,
  };
}

async function tryCarrier(
  ctx: StepContext,
  registry: CarrierRegistry,
  choice: CarrierChoice,
  shipment: Shipment,
): Promise<{ booking: Booking; at: string } | { error: CrossdockError; at: string }> {
  const at = ctx.now().toISOString();
  try {
    const booking = await registry.get(choice.carrier).book(shipment, {
      idempotencyKey: `${ctx.idempotencyKey}:${choice.carrier}`,
      ...(choice.service === null ? {} : { service: choice.service }),
      signal: ctx.signal,
    });
    return { booking, at };
  } catch (thrown) {
    const error = toCrossdockError(thrown);
    // Lost lease or a defect: not the carrier's answer, so no reason to move on.
    if (ctx.signal.aborted || !error.code.startsWith('CARRIER_')) throw error;
    ctx.log('warn', `carrier ${choice.carrier} did not book`, {
      code: error.code,
      retryable: error.retryable,
    });
    return { error, at };
  }
}

/**
 * The wait before trying the same carrier again (backoffDelayMs); a Retry-After is a floor.
 * A Retry-After beyond max_delay_ms is longer than this step waits: null, move on.
 */
export function backoffMs(
  backoff: BookConfig['backoff'],
  failures: number,
  retryAfterMs: number | undefined,
  random: RandomSource,
): number | null {
  if (retryAfterMs !== undefined && retryAfterMs > backoff.max_delay_ms) return null;
  return backoffDelayMs(backoff, failures, random, retryAfterMs);
}

function bookOutput(
  booking: Booking,
  fallbacksUsed: number,
  attempts: BookingAttempt[],
): BookOutput {
  return {
    carrier: booking.carrier,
    service: booking.service,
    booking_id: booking.booking_id,
    tracking_ref: booking.tracking_ref,
    label_url: booking.label_url ?? null,
    price: booking.price,
    currency: booking.currency,
    fallbacks_used: fallbacksUsed,
    attempts,
  };
}

function allFailed(
  shipment: Shipment,
  choices: CarrierChoice[],
  attempts: BookingAttempt[],
): CrossdockError {
  const last = choices.map((choice) => ({
    carrier: choice.carrier,
    error: attempts.filter((a) => a.carrier === choice.carrier).at(-1)?.error,
  }));
  const summary = last.map((l) => `${l.carrier} ${l.error?.code ?? 'not tried'}`).join(', ');
  return new CrossdockError(
    'CARRIER_ALL_FAILED',
    `No carrier could book ${shipmentSummary(shipment)}: ${summary}. Fix the cause (see details) and replay the run from this step; it sends the same idempotency keys again.`,
    {
      category: 'user',
      retryable: false,
      details: last.map((l) => ({
        path: l.carrier,
        message: l.error ? `${l.error.code}: ${l.error.message}` : 'not tried',
      })),
    },
  );
}

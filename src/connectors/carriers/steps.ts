/**
 * carrier.rates, carrier.cancel and carrier.track, and the factory that builds all the
 * carrier step types over one registry. carrier.book is in book-step.ts.
 */
import { z } from 'zod';
import { CrossdockError, toCrossdockError } from '../../errors/index.ts';
import type { StepType } from '../../workflows/index.ts';
import { bookStep } from './book-step.ts';
import type { Rate, Shipment } from './model.ts';
import type { CarrierRegistry } from './registry.ts';
import {
  carrierCodeConfig,
  carrierListConfig,
  carrierNames,
  choicesOf,
  shipmentConfig,
  shipmentSummary,
  textConfig,
} from './step-config.ts';

/** Every carrier step type, built over one registry (one per Crossdock instance). */
export function carrierStepTypes(registry: CarrierRegistry): StepType<any>[] {
  return [ratesStep(registry), bookStep(registry), cancelStep(registry), trackStep(registry)];
}

const RatesConfig = z.strictObject({
  /** Carriers to ask (codes; a service given here is ignored: every service is quoted). */
  carriers: carrierListConfig(20),
  shipment: shipmentConfig(),
});
type RatesConfig = z.output<typeof RatesConfig>;

export interface RateError {
  carrier: string;
  code: string;
  message: string;
  retryable: boolean;
}

/**
 * Asks every carrier at once. A carrier that fails is listed in `errors` instead of failing
 * the step, as long as one carrier answered (an empty list is an answer: it does not serve
 * this shipment). Rates are sorted by price, then transit days; prices in different
 * currencies are not converted.
 */
export function ratesStep(registry: CarrierRegistry): StepType<RatesConfig> {
  return {
    type: 'carrier.rates',
    description:
      'Quotes a shipment with several carriers; output { rates, cheapest, fastest, errors } (a failing carrier is listed, not fatal)',
    config: RatesConfig as z.ZodType<RatesConfig>,
    sideEffect: false,
    async execute(ctx, config) {
      const codes = choicesOf(config.carriers).map((c) => c.carrier);
      const ports = registry.require(codes);
      const shipment = config.shipment as Shipment;
      const settled = await Promise.allSettled(
        ports.map((port) => port.rates(shipment, { signal: ctx.signal })),
      );
      const rates: Rate[] = [];
      const errors: RateError[] = [];
      settled.forEach((result, index) => {
        if (result.status === 'fulfilled') return void rates.push(...result.value);
        const error = toCrossdockError(result.reason);
        if (!error.code.startsWith('CARRIER_')) throw error; // a defect, not a carrier's answer
        errors.push({
          carrier: codes[index]!,
          code: error.code,
          message: error.message,
          retryable: error.retryable,
        });
      });
      if (errors.length === codes.length) throw noRates(shipment, errors);
      rates.sort(
        (a, b) =>
          a.price - b.price ||
          a.transit_days - b.transit_days ||
          a.carrier.localeCompare(b.carrier),
      );
      const fastest =
        [...rates].sort((a, b) => a.transit_days - b.transit_days || a.price - b.price)[0] ?? null;
      return { kind: 'done', output: { rates, cheapest: rates[0] ?? null, fastest, errors } };
    },
    describe: (c) =>
      `would ask ${carrierNames(c.carriers).replaceAll(', then ', ', ')} for rates for ${shipmentSummary(c.shipment)}`,
  };
}

/** No carrier answered: worth retrying when any failure was transient, not when every one was permanent. */
function noRates(shipment: Shipment, errors: RateError[]): CrossdockError {
  const retryable = errors.some((e) => e.retryable);
  return new CrossdockError(
    'CARRIER_RATES_FAILED',
    `No carrier quoted ${shipmentSummary(shipment)}: ${errors.map((e) => `${e.carrier} ${e.code}`).join(', ')}`,
    {
      retryable,
      details: errors.map((e) => ({ path: e.carrier, message: `${e.code}: ${e.message}` })),
    },
  );
}

const CancelConfig = z.strictObject({
  carrier: carrierCodeConfig(),
  booking_id: textConfig(),
});
type CancelConfig = z.output<typeof CancelConfig>;

export function cancelStep(registry: CarrierRegistry): StepType<CancelConfig> {
  return {
    type: 'carrier.cancel',
    description: 'Cancels a booking with its carrier; output { carrier, booking_id, status }',
    config: CancelConfig as z.ZodType<CancelConfig>,
    sideEffect: true,
    async execute(ctx, config) {
      // Idempotency: the step's key goes with every attempt, and cancelling a cancelled
      // booking answers like the first time, so a repeat after a crash is harmless.
      const cancelled = await registry
        .get(config.carrier)
        .cancel(config.booking_id, { idempotencyKey: ctx.idempotencyKey, signal: ctx.signal });
      return { kind: 'done', output: cancelled };
    },
    describe: (c) => `would cancel booking ${c.booking_id} with ${c.carrier}`,
  };
}

const TrackConfig = z.strictObject({
  carrier: carrierCodeConfig(),
  tracking_ref: textConfig(),
});
type TrackConfig = z.output<typeof TrackConfig>;

export function trackStep(registry: CarrierRegistry): StepType<TrackConfig> {
  return {
    type: 'carrier.track',
    description:
      'Reads the tracking events of a shipment; output { carrier, tracking_ref, events, latest }',
    config: TrackConfig as z.ZodType<TrackConfig>,
    sideEffect: false,
    async execute(ctx, config) {
      const events = await registry
        .get(config.carrier)
        .track(config.tracking_ref, { signal: ctx.signal });
      return {
        kind: 'done',
        output: {
          carrier: config.carrier,
          tracking_ref: config.tracking_ref,
          events,
          latest: events.at(-1) ?? null,
        },
      };
    },
    describe: (c) => `would read the tracking of ${c.tracking_ref} from ${c.carrier}`,
  };
}

/**
 * Carriers: the carrier port, a generic REST adapter configured per carrier, the
 * carrier.* workflow steps, and the tracking webhook route. See docs/CARRIERS.md.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ConnectorCallSink, Logger } from '../../observability/index.ts';
import type { StepType } from '../../workflows/index.ts';
import type { CarrierConfig } from './config.ts';
import { createCarrierRegistry, type CarrierRegistry } from './registry.ts';
import { carrierStepTypes } from './steps.ts';
import { carrierWebhookRoutes, type CarrierTrackingEvent } from './webhooks.ts';

export {
  TrackingStatus,
  TRACKING_STATUSES,
  CarrierCodeSchema,
  ShipmentSchema,
  AddressSchema,
  ParcelSchema,
  type Address,
  type Parcel,
  type Shipment,
  type ShipmentInput,
  type Rate,
  type Booking,
  type Cancellation,
  type TrackingEvent,
  type CarrierPort,
  type CallOptions,
  type BookOptions,
  type CancelOptions,
} from './model.ts';
export {
  CARRIER_ERROR_CODES,
  CarrierOperation,
  codeForStatus,
  carrierStatusError,
  carrierTransportError,
  reasonOf,
  type CarrierErrorCode,
  type HttpOutcome,
} from './errors.ts';
export {
  CarrierConfigSchema,
  parseCarrierConfigs,
  parseCarrierFile,
  loadCarrierSettings,
  trackingStatusOf,
  type CarrierConfig,
  type CarrierConfigInput,
  type CarrierWebhookConfig,
} from './config.ts';
export { createRestCarrier, type RestCarrierDeps } from './rest-adapter.ts';
export { CarrierRegistry, createCarrierRegistry } from './registry.ts';
export { carrierStepTypes, ratesStep, cancelStep, trackStep, type RateError } from './steps.ts';
export { bookStep, backoffMs, type BookOutput, type BookingAttempt } from './book-step.ts';
export {
  verifyCarrierWebhook,
  carrierWebhookEvent,
  receiveCarrierWebhook,
  carrierWebhookRoutes,
  type CarrierTrackingEvent,
  type CarrierWebhookDeps,
  type HeaderBag,
} from './webhooks.ts';

export interface CarrierIntegrationDeps {
  /** The engine's intake, for tracking events. */
  accept: (
    event: CarrierTrackingEvent,
  ) => Promise<{ eventId: string; duplicate: boolean; conflict: boolean }>;
  now: () => Date;
  logger: Logger;
  /** Counts each carrier's HTTP calls (the dashboard's error rate per carrier). */
  calls?: ConnectorCallSink;
}

export interface CarrierIntegration {
  /** Resolved configurations: they hold secrets, never log them. */
  configs: CarrierConfig[];
  registry: CarrierRegistry;
  /** carrier.rates, carrier.book, carrier.cancel, carrier.track. */
  steps: StepType<any>[];
  /** POST /hooks/carriers/:code, for buildApi's `plugins`. */
  routes: FastifyPluginAsync;
}

/** Wires the carriers of one Crossdock instance (the composition root calls this once). */
export function createCarrierIntegration(
  configs: CarrierConfig[],
  deps: CarrierIntegrationDeps,
): CarrierIntegration {
  const registry = createCarrierRegistry(configs, {
    now: deps.now,
    ...(deps.calls ? { calls: deps.calls } : {}),
  });
  return {
    configs,
    registry,
    steps: carrierStepTypes(registry),
    routes: carrierWebhookRoutes({
      carriers: configs,
      accept: deps.accept,
      now: deps.now,
      logger: deps.logger,
    }),
  };
}

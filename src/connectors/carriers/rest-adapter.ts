/**
 * The generic REST adapter: one CarrierPort per configured carrier that speaks the
 * carrier REST profile (docs/CARRIERS.md): POST /rates, POST /shipments with an
 * Idempotency-Key, DELETE /shipments/{id}, GET /tracking/{ref}, JSON both ways.
 * Paths, authentication, timeouts and status names come from the CarrierConfig.
 *
 * The adapter makes one HTTP call per method call and never retries by itself: whether
 * and when to try again (or try another carrier) is the caller's decision, made from the
 * error's code, `retryable` and `retryAfterMs`.
 *
 * Each call is counted once as `carrier:<code>` (connector stats): an error unless it
 * answered 2xx with a body of the expected shape.
 */
import { z } from 'zod';
import type { ConnectorCallSink } from '../../observability/index.ts';
import { httpCall, HttpCallTimedOut, type HttpAnswer } from '../http/index.ts';
import { trackingStatusOf, type CarrierConfig } from './config.ts';
import {
  carrierError,
  carrierStatusError,
  carrierTransportError,
  type CarrierOperation,
} from './errors.ts';
import {
  type Booking,
  type BookOptions,
  type CallOptions,
  type CancelOptions,
  type Cancellation,
  type CarrierPort,
  type Rate,
  type Shipment,
  type TrackingEvent,
  type TrackingStatus,
} from './model.ts';

export interface RestCarrierDeps {
  /** For Retry-After given as an HTTP date. */
  now?: () => Date;
  /** Told of every HTTP call and whether it succeeded. */
  calls?: ConnectorCallSink;
}

const RatesAnswer = z.object({
  rates: z.array(
    z.object({
      service: z.string().min(1),
      price: z.number().min(0),
      currency: z.string().min(3).max(3),
      transit_days: z.int().min(0),
    }),
  ),
});
const BookingAnswer = z.object({
  booking_id: z.string().min(1),
  tracking_ref: z.string().min(1),
  service: z.string().min(1),
  price: z.number().min(0),
  currency: z.string().min(3).max(3),
  label_url: z.string().min(1).optional(),
});
const CancelAnswer = z.object({ booking_id: z.string().min(1), status: z.literal('cancelled') });
const TrackingAnswer = z.object({
  events: z.array(
    z.object({
      id: z.string().min(1),
      status: z.string().min(1),
      at: z.string().min(1),
      reason: z.string().optional(),
      location: z.string().optional(),
    }),
  ),
});

interface CarrierRequest {
  operation: CarrierOperation;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
  idempotencyKey?: string;
  timeoutMs: number;
  signal: AbortSignal | undefined;
}

export function createRestCarrier(config: CarrierConfig, deps: RestCarrierDeps = {}): CarrierPort {
  const now = deps.now ?? (() => new Date());
  const base = config.base_url.replace(/\/+$/, '');
  const bookTimeoutMs = config.book_timeout_ms ?? config.timeout_ms;
  const connector = `carrier:${config.code}`;

  async function call<T>(request: CarrierRequest, schema: z.ZodType<T>): Promise<T> {
    let answer: T;
    try {
      answer = await send(request, schema);
    } catch (error) {
      deps.calls?.record(connector, false);
      throw error;
    }
    deps.calls?.record(connector, true);
    return answer;
  }

  async function send<T>(request: CarrierRequest, schema: z.ZodType<T>): Promise<T> {
    const url = `${base}${request.path}`;
    const headers: Record<string, string> = {
      accept: 'application/json',
      [config.auth.header]: `${config.auth.prefix}${config.auth.api_key}`,
    };
    if (request.idempotencyKey !== undefined) headers['idempotency-key'] = request.idempotencyKey;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    let answer: HttpAnswer;
    try {
      answer = await httpCall({
        method: request.method,
        url,
        headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        ...(request.signal ? { signal: request.signal } : {}),
        timeoutMs: request.timeoutMs,
      });
    } catch (cause) {
      throw carrierTransportError(
        config.code,
        request.operation,
        request.method,
        url,
        cause,
        cause instanceof HttpCallTimedOut ? request.timeoutMs : null,
      );
    }
    if (answer.status < 200 || answer.status > 299) {
      throw carrierStatusError({
        carrier: config.code,
        operation: request.operation,
        method: request.method,
        url,
        status: answer.status,
        retryAfter: answer.header('retry-after'),
        body: answer.text,
        nowMs: now().getTime(),
      });
    }
    return readAnswer(answer.text, schema, request.operation);
  }

  function readAnswer<T>(text: string, schema: z.ZodType<T>, operation: CarrierOperation): T {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw carrierError(
        'CARRIER_RESPONSE_INVALID',
        `Carrier ${config.code} answered ${operation} with a body that is not JSON`,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
        .join('; ');
      throw carrierError(
        'CARRIER_RESPONSE_INVALID',
        `Carrier ${config.code} answered ${operation} with an unexpected body: ${problems}`,
      );
    }
    return parsed.data;
  }

  function statusOf(name: string): TrackingStatus {
    const mapped = trackingStatusOf(config, name);
    if (mapped === null) {
      throw carrierError(
        'CARRIER_RESPONSE_INVALID',
        `Carrier ${config.code} reported tracking status "${name}", which its configuration does not map; add it to statuses`,
      );
    }
    return mapped;
  }

  const fill = (template: string, name: string, value: string) =>
    template.replace(`{${name}}`, encodeURIComponent(value));

  return {
    code: config.code,

    async rates(shipment: Shipment, options: CallOptions = {}): Promise<Rate[]> {
      const answer = await call(
        {
          operation: 'rates',
          method: 'POST',
          path: config.paths.rates,
          body: { shipment },
          timeoutMs: config.timeout_ms,
          signal: options.signal,
        },
        RatesAnswer,
      );
      return answer.rates.map((r) => ({
        carrier: config.code,
        service: r.service,
        price: r.price,
        currency: r.currency,
        transit_days: r.transit_days,
      }));
    },

    async book(shipment: Shipment, options: BookOptions): Promise<Booking> {
      // Idempotency: the key goes with every attempt; the carrier answers a repeat with the
      // booking it already made (and refuses the key with a different request), so a retry
      // after a lost answer, a crash or a replay never books a second shipment.
      const body =
        options.service === undefined ? { shipment } : { shipment, service: options.service };
      const answer = await call(
        {
          operation: 'book',
          method: 'POST',
          path: config.paths.book,
          body,
          idempotencyKey: options.idempotencyKey,
          timeoutMs: bookTimeoutMs,
          signal: options.signal,
        },
        BookingAnswer,
      );
      return {
        carrier: config.code,
        service: answer.service,
        booking_id: answer.booking_id,
        tracking_ref: answer.tracking_ref,
        price: answer.price,
        currency: answer.currency,
        ...(answer.label_url === undefined ? {} : { label_url: answer.label_url }),
      };
    },

    async cancel(bookingId: string, options: CancelOptions): Promise<Cancellation> {
      // Idempotency: cancelling a cancelled booking answers as the first time did.
      const path = fill(config.paths.cancel, 'booking_id', bookingId);
      const answer = await call(
        {
          operation: 'cancel',
          method: 'DELETE',
          path,
          idempotencyKey: options.idempotencyKey,
          timeoutMs: config.timeout_ms,
          signal: options.signal,
        },
        CancelAnswer,
      );
      return { carrier: config.code, booking_id: answer.booking_id, status: 'cancelled' };
    },

    async track(trackingRef: string, options: CallOptions = {}): Promise<TrackingEvent[]> {
      const path = fill(config.paths.track, 'tracking_ref', trackingRef);
      const answer = await call(
        {
          operation: 'track',
          method: 'GET',
          path,
          timeoutMs: config.timeout_ms,
          signal: options.signal,
        },
        TrackingAnswer,
      );
      return answer.events.map((e) => ({
        event_id: e.id,
        tracking_ref: trackingRef,
        status: statusOf(e.status),
        at: e.at,
        ...(e.reason === undefined ? {} : { reason: e.reason }),
        ...(e.location === undefined ? {} : { location: e.location }),
      }));
    },
  };
}

/**
 * The carrier port: what Crossdock needs from any parcel or freight carrier, in its own
 * terms. Adapters (the generic REST adapter, or a hand-written one) implement CarrierPort
 * and map the carrier's failures into CARRIER_* errors at their edge.
 */
import { z } from 'zod';

/** The tracking statuses Crossdock knows; a carrier's own names are mapped to these by configuration. */
export const TrackingStatus = {
  in_transit: 'in_transit',
  delivered: 'delivered',
  delayed: 'delayed',
  damaged: 'damaged',
  lost: 'lost',
  exception: 'exception',
} as const;
export type TrackingStatus = (typeof TrackingStatus)[keyof typeof TrackingStatus];
export const TRACKING_STATUSES = Object.values(TrackingStatus) as [
  TrackingStatus,
  ...TrackingStatus[],
];

/** Carrier codes name event sources (`carrier.<code>`) and URL segments: kept short and plain. */
export const CarrierCodeSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_-]{1,31}$/,
    'lower-case letters, digits, "_" and "-", 2 to 32, starting with a letter',
  );

export const AddressSchema = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  street: z.string().min(1).max(200).optional(),
  city: z.string().min(1).max(100).optional(),
  postcode: z.string().min(1).max(16),
  /** ISO 3166-2 subdivision, e.g. "ES-CN" (Canary Islands); carriers may refuse some. */
  region: z.string().min(1).max(64).optional(),
  /** ISO 3166-1 alpha-2, upper case: "DE". */
  country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code in upper case, e.g. DE'),
});
export type Address = z.infer<typeof AddressSchema>;

export const ParcelSchema = z.strictObject({
  weight_kg: z.number().positive().max(10_000),
  length_cm: z.number().positive().max(1_000).optional(),
  width_cm: z.number().positive().max(1_000).optional(),
  height_cm: z.number().positive().max(1_000).optional(),
});
export type Parcel = z.infer<typeof ParcelSchema>;

export const MoneySchema = z.strictObject({
  amount: z.number().min(0),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code, e.g. EUR'),
});

export const ShipmentSchema = z.strictObject({
  /** Our reference, printed on the label and echoed in tracking: the Odoo picking name (WH/OUT/00042). */
  reference: z.string().min(1).max(64),
  from: AddressSchema,
  to: AddressSchema,
  parcels: z.array(ParcelSchema).min(1).max(50),
  declared_value: MoneySchema,
  /** Dangerous goods (ADR/IATA): only carriers that accept them can book. */
  hazardous: z.boolean().default(false),
});
export type Shipment = z.output<typeof ShipmentSchema>;
export type ShipmentInput = z.input<typeof ShipmentSchema>;

export interface Rate {
  carrier: string;
  service: string;
  price: number;
  currency: string;
  transit_days: number;
}

export interface Booking {
  carrier: string;
  service: string;
  booking_id: string;
  tracking_ref: string;
  label_url?: string;
  price: number;
  currency: string;
}

export interface Cancellation {
  carrier: string;
  booking_id: string;
  status: 'cancelled';
}

export interface TrackingEvent {
  /** The carrier's id of this event: what deduplicates repeated deliveries of it. */
  event_id: string;
  tracking_ref: string;
  status: TrackingStatus;
  /** ISO 8601. */
  at: string;
  reason?: string;
  location?: string;
}

export interface CallOptions {
  /** Aborts the call (the step's lease was lost, the worker stops). */
  signal?: AbortSignal;
}

export interface BookOptions extends CallOptions {
  /**
   * Sent as the Idempotency-Key header. The same key always means the same booking: a
   * carrier that honours it answers a repeat with the booking it already made.
   */
  idempotencyKey: string;
  /** The carrier's service code; absent: the carrier's default service. */
  service?: string;
}

export interface CancelOptions extends CallOptions {
  idempotencyKey: string;
}

/**
 * One carrier. Every method throws a CrossdockError with a CARRIER_* code on failure; the
 * code says whether trying again can help (see docs/error-codes.md).
 */
export interface CarrierPort {
  readonly code: string;
  /** Quotes for this shipment; an empty list when the carrier does not serve it. */
  rates(shipment: Shipment, options?: CallOptions): Promise<Rate[]>;
  book(shipment: Shipment, options: BookOptions): Promise<Booking>;
  cancel(bookingId: string, options: CancelOptions): Promise<Cancellation>;
  /** Every tracking event the carrier has for this reference, oldest first. */
  track(trackingRef: string, options?: CallOptions): Promise<TrackingEvent[]>;
}

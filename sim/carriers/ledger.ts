/**
 * One simulated carrier's business: quotes, bookings (exactly once per Idempotency-Key),
 * cancellations and tracking histories. Pure in-memory state; the HTTP layer is api.ts.
 */
import { createHash } from 'node:crypto';
import type { CarrierProfile, ServiceProfile, SimTrackingStatus } from './profiles.ts';

export interface SimShipment {
  reference: string;
  from: { country: string; region?: string };
  to: { country: string; region?: string };
  parcels: { weight_kg: number }[];
  hazardous: boolean;
}

export interface SimBooking {
  booking_id: string;
  tracking_ref: string;
  idempotency_key: string;
  reference: string;
  service: string;
  price: number;
  currency: string;
  status: 'booked' | 'cancelled';
  created_at: string;
  shipment: SimShipment;
}

export interface SimTrackingRecord {
  id: string;
  status: SimTrackingStatus;
  at: string;
  reason?: string;
  location?: string;
  signed_by?: string;
  proof_ref?: string;
}

export type Refusal = { refused: string; code: string };

export interface Quote {
  service: string;
  price: number;
  currency: string;
  transit_days: number;
}

export class CarrierLedger {
  readonly bookings: SimBooking[] = [];
  readonly #byKey = new Map<string, { fingerprint: string; booking: SimBooking }>();
  readonly #tracking = new Map<string, SimTrackingRecord[]>();
  #booked = 0;
  #events = 0;

  constructor(
    readonly profile: CarrierProfile,
    private readonly clock: () => Date,
  ) {}

  /** Why this carrier cannot take the shipment, or null if it can. */
  refusal(shipment: SimShipment): Refusal | null {
    const p = this.profile;
    for (const end of [shipment.from, shipment.to]) {
      if (!p.countries.includes(end.country))
        return { code: 'region_not_served', refused: `${p.code} does not serve ${end.country}` };
    }
    if (p.domesticOnly && shipment.from.country !== shipment.to.country) {
      return {
        code: 'region_not_served',
        refused: `${p.code} ships within one country only (${shipment.from.country} -> ${shipment.to.country})`,
      };
    }
    if (shipment.to.region !== undefined && p.excludedRegions.includes(shipment.to.region)) {
      return {
        code: 'region_not_served',
        refused: `${p.code} does not deliver to region ${shipment.to.region}`,
      };
    }
    if (shipment.hazardous && p.hazardousSurcharge === null)
      return {
        code: 'hazardous_not_accepted',
        refused: `${p.code} does not carry hazardous goods`,
      };
    const heavy = shipment.parcels.findIndex((parcel) => parcel.weight_kg > p.maxParcelKg);
    if (heavy >= 0)
      return {
        code: 'too_heavy',
        refused: `parcel ${heavy + 1} weighs ${shipment.parcels[heavy]!.weight_kg} kg; ${p.code} takes at most ${p.maxParcelKg} kg per parcel`,
      };
    return null;
  }

  quotes(shipment: SimShipment): Quote[] {
    if (this.refusal(shipment) !== null) return [];
    return this.profile.services.map((service) => this.#quote(service, shipment));
  }

  #quote(service: ServiceProfile, shipment: SimShipment): Quote {
    const crossBorder = shipment.from.country !== shipment.to.country;
    const kg = shipment.parcels.reduce((sum, parcel) => sum + parcel.weight_kg, 0);
    const base =
      (service.basePrice * shipment.parcels.length + service.perKg * kg) *
      (crossBorder ? service.crossBorderFactor : 1);
    const price =
      Math.round((base + (shipment.hazardous ? (this.profile.hazardousSurcharge ?? 0) : 0)) * 100) /
      100;
    return {
      service: service.code,
      price,
      currency: this.profile.currency,
      transit_days: crossBorder ? service.transitDays.crossBorder : service.transitDays.domestic,
    };
  }

  /**
   * Books once per key: the same key with the same request answers the booking made the
   * first time (replayed: true); the same key with another request is refused.
   */
  book(
    key: string,
    body: unknown,
    shipment: SimShipment,
    serviceCode: string | null,
  ): { booking: SimBooking; replayed: boolean } | Refusal {
    const fingerprint = createHash('sha256').update(canonicalJson(body)).digest('hex');
    const known = this.#byKey.get(key);
    if (known) {
      if (known.fingerprint !== fingerprint)
        return {
          code: 'idempotency_key_reused',
          refused: `Idempotency-Key ${key} was used for a different request`,
        };
      return { booking: known.booking, replayed: true };
    }
    const refusal = this.refusal(shipment);
    if (refusal) return refusal;
    const service =
      serviceCode === null
        ? this.profile.services[0]
        : this.profile.services.find((s) => s.code === serviceCode);
    if (!service)
      return {
        code: 'service_unknown',
        refused: `${this.profile.code} has no service "${serviceCode}"; it has ${this.profile.services.map((s) => s.code).join(', ')}`,
      };
    const seq = ++this.#booked;
    const quote = this.#quote(service, shipment);
    const booking: SimBooking = {
      booking_id: `${this.profile.prefix}-${String(seq).padStart(6, '0')}`,
      tracking_ref: `${this.profile.prefix}${String(4_000_000_000 + seq * 7919)}`,
      idempotency_key: key,
      reference: shipment.reference,
      service: service.code,
      price: quote.price,
      currency: quote.currency,
      status: 'booked',
      created_at: this.clock().toISOString(),
      shipment,
    };
    this.bookings.push(booking);
    this.#byKey.set(key, { fingerprint, booking });
    this.#tracking.set(booking.tracking_ref, []);
    return { booking, replayed: false };
  }

  cancel(bookingId: string): { booking: SimBooking } | Refusal | null {
    const booking = this.bookings.find((b) => b.booking_id === bookingId);
    if (!booking) return null;
    if (this.history(booking.tracking_ref)?.some((e) => e.status === 'delivered'))
      return {
        code: 'already_delivered',
        refused: `${bookingId} was delivered; it cannot be cancelled`,
      };
    booking.status = 'cancelled';
    return { booking };
  }

  history(trackingRef: string): SimTrackingRecord[] | undefined {
    return this.#tracking.get(trackingRef);
  }

  /**
   * Adds a tracking event (to a booked shipment's history, if there is one) and returns it. An
   * id already in the shipment's history is the same event sent again (a carrier retrying its
   * webhook): the recorded event is returned as it was, not recorded twice.
   */
  recordEvent(
    trackingRef: string,
    event: {
      status: SimTrackingStatus;
      at?: string;
      reason?: string;
      id?: string;
      location?: string;
      signed_by?: string;
      proof_ref?: string;
    },
  ): SimTrackingRecord {
    const known = this.#tracking.get(trackingRef)?.find((e) => e.id === event.id);
    if (event.id !== undefined && known) return known;
    this.#events += 1;
    const record: SimTrackingRecord = {
      id: event.id ?? `${this.profile.prefix}-EV-${String(this.#events).padStart(6, '0')}`,
      status: event.status,
      at: event.at ?? this.clock().toISOString(),
      ...(event.reason === undefined ? {} : { reason: event.reason }),
      ...(event.location === undefined ? {} : { location: event.location }),
      ...(event.signed_by === undefined ? {} : { signed_by: event.signed_by }),
      ...(event.proof_ref === undefined ? {} : { proof_ref: event.proof_ref }),
    };
    this.#tracking.get(trackingRef)?.push(record);
    return record;
  }

  bookingByTrackingRef(trackingRef: string): SimBooking | undefined {
    return this.bookings.find((b) => b.tracking_ref === trackingRef);
  }

  /**
   * Forgets the bookings made before `before` (their idempotency keys and tracking histories
   * with them), but for those `keep` names by booking id, tracking reference, shipment reference
   * or key; answers how many went. A long-running demo calls it, as it makes its simulated Odoo
   * forget: a carrier keeps its bookings elsewhere, not in Crossdock's process. Numbers go on.
   */
  forget(before: Date, keep: ReadonlySet<string>): number {
    const cutoff = before.toISOString();
    const kept = this.bookings.filter(
      (b) =>
        b.created_at >= cutoff ||
        [b.booking_id, b.tracking_ref, b.reference, b.idempotency_key].some((n) => keep.has(n)),
    );
    const gone = this.bookings.length - kept.length;
    if (gone === 0) return 0;
    const live = new Set(kept);
    for (const [key, { booking }] of this.#byKey) if (!live.has(booking)) this.#byKey.delete(key);
    for (const b of this.bookings) if (!live.has(b)) this.#tracking.delete(b.tracking_ref);
    this.bookings.splice(0, this.bookings.length, ...kept);
    return gone;
  }
}

/** JSON with sorted keys: two equal requests have one fingerprint whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The simulated carriers. Each differs in where it goes, what it takes, what it costs,
 * how fast and how reliable it is, how it authenticates, what its tracking statuses are
 * called and how it signs and shapes its webhooks, so that one generic adapter has to be
 * configured differently for each, as with real carriers.
 */

export type SimTrackingStatus =
  'in_transit' | 'delivered' | 'delayed' | 'damaged' | 'lost' | 'exception';
export const SIM_TRACKING_STATUSES: readonly SimTrackingStatus[] = [
  'in_transit',
  'delivered',
  'delayed',
  'damaged',
  'lost',
  'exception',
];

export interface ServiceProfile {
  code: string;
  basePrice: number;
  perKg: number;
  /** Price factor when the shipment crosses a border. */
  crossBorderFactor: number;
  transitDays: { domestic: number; crossBorder: number };
}

/** How a carrier's webhook body is shaped (the Crossdock config maps its field paths). */
export type WebhookFormat = 'standard' | 'legacy' | 'nested';

export interface CarrierProfile {
  code: string;
  name: string;
  /** Prefix of booking ids and tracking references. */
  prefix: string;
  /** Countries (ISO 3166-1 alpha-2) it picks up in and delivers to. */
  countries: readonly string[];
  domesticOnly: boolean;
  /** Subdivisions (ISO 3166-2) it does not deliver to. */
  excludedRegions: readonly string[];
  /** Surcharge for dangerous goods; null: it does not carry them. */
  hazardousSurcharge: number | null;
  maxParcelKg: number;
  currency: string;
  /** The first is the default service. */
  services: readonly ServiceProfile[];
  /** Share of calls answered 503 when the simulator runs with random failures on. */
  failureRate: number;
  auth: { header: string; prefix: string; apiKey: string };
  webhook: {
    secret: string;
    signatureHeader: string;
    /** "hex", "sha256=<hex>" or base64 of the HMAC-SHA256. */
    encoding: 'hex' | 'prefixed-hex' | 'base64';
    /** When set, the MAC covers "<unix seconds>.<body>" and this header carries the seconds. */
    timestampHeader: string | null;
    format: WebhookFormat;
  };
  /** Its names for our statuses. */
  statusNames: Readonly<Record<SimTrackingStatus, string>>;
}

const OWN_NAMES: Record<SimTrackingStatus, string> = {
  in_transit: 'in_transit',
  delivered: 'delivered',
  delayed: 'delayed',
  damaged: 'damaged',
  lost: 'lost',
  exception: 'exception',
};
const EU = ['AT', 'BE', 'CZ', 'DE', 'DK', 'ES', 'FR', 'IT', 'NL', 'PL', 'PT', 'SE'];

export const SWIFTPOST: CarrierProfile = {
  code: 'swiftpost',
  name: 'SwiftPost (cheap, domestic, slower)',
  prefix: 'SP',
  countries: ['DE'],
  domesticOnly: true,
  excludedRegions: [],
  hazardousSurcharge: null,
  maxParcelKg: 31.5,
  currency: 'EUR',
  services: [
    {
      code: 'standard',
      basePrice: 4.9,
      perKg: 0.35,
      crossBorderFactor: 1,
      transitDays: { domestic: 3, crossBorder: 3 },
    },
    {
      code: 'economy',
      basePrice: 3.9,
      perKg: 0.3,
      crossBorderFactor: 1,
      transitDays: { domestic: 5, crossBorder: 5 },
    },
  ],
  failureRate: 0.02,
  auth: { header: 'authorization', prefix: 'Bearer ', apiKey: 'sim-swiftpost-key' },
  webhook: {
    secret: 'sim-swiftpost-webhook-secret',
    signatureHeader: 'x-swiftpost-signature',
    encoding: 'hex',
    timestampHeader: 'x-swiftpost-timestamp',
    format: 'standard',
  },
  statusNames: OWN_NAMES,
};

export const EUROLINE: CarrierProfile = {
  code: 'euroline',
  name: 'EuroLine (EU-wide road, mid price)',
  prefix: 'EL',
  countries: EU,
  domesticOnly: false,
  excludedRegions: ['ES-CN', 'PT-20', 'PT-30'],
  hazardousSurcharge: null,
  maxParcelKg: 70,
  currency: 'EUR',
  services: [
    {
      code: 'road',
      basePrice: 7.5,
      perKg: 0.55,
      crossBorderFactor: 1.35,
      transitDays: { domestic: 2, crossBorder: 4 },
    },
  ],
  failureRate: 0.05,
  auth: { header: 'x-api-key', prefix: '', apiKey: 'sim-euroline-key' },
  webhook: {
    secret: 'sim-euroline-webhook-secret',
    signatureHeader: 'x-euroline-hmac',
    encoding: 'base64',
    timestampHeader: null,
    format: 'legacy',
  },
  statusNames: {
    in_transit: 'transit',
    delivered: 'delivered',
    delayed: 'late',
    damaged: 'damaged',
    lost: 'missing',
    exception: 'problem',
  },
};

export const CARGOPLUS: CarrierProfile = {
  code: 'cargoplus',
  name: 'CargoPlus (premium express, dangerous goods)',
  prefix: 'CP',
  countries: [...EU, 'CH', 'GB', 'NO', 'US'],
  domesticOnly: false,
  excludedRegions: [],
  hazardousSurcharge: 35,
  maxParcelKg: 100,
  currency: 'EUR',
  services: [
    {
      code: 'express',
      basePrice: 19,
      perKg: 1.2,
      crossBorderFactor: 1.6,
      transitDays: { domestic: 1, crossBorder: 2 },
    },
    {
      code: 'express_noon',
      basePrice: 29,
      perKg: 1.4,
      crossBorderFactor: 1.8,
      transitDays: { domestic: 1, crossBorder: 1 },
    },
  ],
  failureRate: 0.01,
  auth: { header: 'authorization', prefix: 'Bearer ', apiKey: 'sim-cargoplus-key' },
  webhook: {
    secret: 'sim-cargoplus-webhook-secret',
    signatureHeader: 'x-cargoplus-signature',
    encoding: 'prefixed-hex',
    timestampHeader: 'x-cargoplus-timestamp',
    format: 'nested',
  },
  statusNames: {
    in_transit: 'IN_TRANSIT',
    delivered: 'DELIVERED',
    delayed: 'DELAYED',
    damaged: 'DAMAGED',
    lost: 'LOST',
    exception: 'EXCEPTION',
  },
};

export const PARCELNOW: CarrierProfile = {
  code: 'parcelnow',
  name: 'ParcelNow (budget, unreliable)',
  prefix: 'PN',
  countries: ['AT', 'CZ', 'DE', 'NL', 'PL'],
  domesticOnly: false,
  excludedRegions: [],
  hazardousSurcharge: null,
  maxParcelKg: 20,
  currency: 'EUR',
  services: [
    {
      code: 'budget',
      basePrice: 2.9,
      perKg: 0.25,
      crossBorderFactor: 1.2,
      transitDays: { domestic: 4, crossBorder: 7 },
    },
  ],
  failureRate: 0.25,
  auth: { header: 'x-api-key', prefix: '', apiKey: 'sim-parcelnow-key' },
  webhook: {
    secret: 'sim-parcelnow-webhook-secret',
    signatureHeader: 'x-parcelnow-signature',
    encoding: 'hex',
    timestampHeader: null,
    format: 'standard',
  },
  statusNames: OWN_NAMES,
};

export const DEFAULT_CARRIER_PROFILES: readonly CarrierProfile[] = [
  SWIFTPOST,
  EUROLINE,
  CARGOPLUS,
  PARCELNOW,
];

/** Where the fields of each webhook format are, as Crossdock's carrier configuration names them. */
export const WEBHOOK_FIELDS: Record<WebhookFormat, Record<string, string>> = {
  standard: {
    event_id: 'id',
    tracking_ref: 'tracking_ref',
    status: 'status',
    at: 'at',
    reason: 'reason',
    reference: 'reference',
    signed_by: 'signed_by',
    proof_ref: 'proof_ref',
  },
  legacy: {
    event_id: 'event_id',
    tracking_ref: 'tracking_number',
    status: 'state',
    at: 'timestamp',
    reason: 'note',
    reference: 'customer_ref',
    signed_by: 'signature_name',
    proof_ref: 'pod_url',
  },
  nested: {
    event_id: 'event.id',
    tracking_ref: 'shipment.tracking_number',
    status: 'event.type',
    at: 'event.occurred_at',
    reason: 'event.note',
    reference: 'shipment.reference',
    signed_by: 'event.signed_by',
    proof_ref: 'event.proof_document',
  },
};

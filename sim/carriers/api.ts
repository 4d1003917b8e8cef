/**
 * One simulated carrier's REST API (the carrier REST profile of docs/CARRIERS.md):
 * POST /rates, POST /shipments (Idempotency-Key required), DELETE /shipments/:id,
 * GET /tracking/:ref, GET /labels/:id.pdf. Errors answer { error: { code, message } }.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { SimOperation } from './faults.ts';
import type { CarrierLedger, SimBooking, SimShipment } from './ledger.ts';

export interface SimAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface CarrierRequest {
  method: string;
  /** The path below the carrier's base, e.g. "/shipments/SP-000001". */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The carrier's base URL (for label links). */
  baseUrl: string;
}

export const json = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): SimAnswer => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
export const failure = (
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) => json(status, { error: { code, message } }, headers);

/** Which operation a request is, or null for a route the carrier does not have. */
export function operationOf(method: string, path: string): SimOperation | 'label' | null {
  if (method === 'POST' && path === '/rates') return 'rates';
  if (method === 'POST' && path === '/shipments') return 'book';
  if (method === 'DELETE' && /^\/shipments\/[^/]+$/.test(path)) return 'cancel';
  if (method === 'GET' && /^\/tracking\/[^/]+$/.test(path)) return 'track';
  if (method === 'GET' && /^\/labels\/[^/]+\.pdf$/.test(path)) return 'label';
  return null;
}

export function handleCarrierRequest(ledger: CarrierLedger, request: CarrierRequest): SimAnswer {
  const auth = ledger.profile.auth;
  if (request.headers[auth.header] !== `${auth.prefix}${auth.apiKey}`)
    return failure(401, 'unauthorized', 'missing or invalid API key');
  const operation = operationOf(request.method, request.path);
  const last = decodeURIComponent(request.path.split('/').at(-1) ?? '');
  switch (operation) {
    case 'rates': {
      const parsed = readShipment(request.body);
      return 'invalid' in parsed
        ? failure(400, 'invalid_request', parsed.invalid)
        : json(200, { rates: ledger.quotes(parsed.shipment) });
    }
    case 'book':
      return book(ledger, request);
    case 'cancel': {
      const result = ledger.cancel(last);
      if (result === null) return failure(404, 'not_found', `no booking ${last}`);
      return 'refused' in result
        ? failure(409, result.code, result.refused)
        : json(200, { booking_id: result.booking.booking_id, status: 'cancelled' });
    }
    case 'track': {
      const history = ledger.history(last);
      if (history === undefined)
        return failure(404, 'not_found', `no shipment with tracking reference ${last}`);
      const names = ledger.profile.statusNames;
      return json(200, {
        tracking_ref: last,
        events: history.map((e) => ({ ...e, status: names[e.status] })),
      });
    }
    case 'label':
      return {
        status: 200,
        headers: { 'content-type': 'application/pdf' },
        body: `%PDF-1.4\n% simulated label ${last}\n`,
      };
    default:
      return failure(404, 'not_found', `no route ${request.method} ${request.path}`);
  }
}

function book(ledger: CarrierLedger, request: CarrierRequest): SimAnswer {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string' || key.trim() === '')
    return failure(
      400,
      'idempotency_key_missing',
      'send an Idempotency-Key header with every booking',
    );
  const parsed = readShipment(request.body);
  if ('invalid' in parsed) return failure(400, 'invalid_request', parsed.invalid);
  const service = (JSON.parse(request.body) as { service?: unknown }).service;
  if (service !== undefined && typeof service !== 'string')
    return failure(400, 'invalid_request', 'service must be text');
  const result = ledger.book(key, JSON.parse(request.body), parsed.shipment, service ?? null);
  if ('refused' in result) return failure(422, result.code, result.refused);
  return json(
    201,
    bookingBody(result.booking, request.baseUrl),
    result.replayed ? { 'idempotent-replayed': 'true' } : {},
  );
}

function bookingBody(booking: SimBooking, baseUrl: string) {
  return {
    booking_id: booking.booking_id,
    tracking_ref: booking.tracking_ref,
    service: booking.service,
    price: booking.price,
    currency: booking.currency,
    label_url: `${baseUrl}/labels/${booking.booking_id}.pdf`,
  };
}

/** The carrier's own check of a request body: only what it needs, its own messages. */
function readShipment(body: string): { shipment: SimShipment } | { invalid: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { invalid: 'the body is not JSON' };
  }
  const s = (parsed as { shipment?: Record<string, any> } | null)?.shipment;
  if (!s || typeof s !== 'object') return { invalid: 'shipment is missing' };
  const country = (end: unknown) =>
    typeof (end as { country?: unknown })?.country === 'string'
      ? (end as { country: string }).country
      : null;
  if (country(s.from) === null || country(s.to) === null)
    return { invalid: 'shipment.from.country and shipment.to.country are required' };
  if (
    !Array.isArray(s.parcels) ||
    s.parcels.length === 0 ||
    !s.parcels.every((p: any) => typeof p?.weight_kg === 'number' && p.weight_kg > 0)
  ) {
    return { invalid: 'shipment.parcels needs at least one parcel with a positive weight_kg' };
  }
  if (typeof s.reference !== 'string' || s.reference === '')
    return { invalid: 'shipment.reference is required' };
  const region = (end: any) =>
    typeof end?.region === 'string' ? { region: end.region as string } : {};
  return {
    shipment: {
      reference: s.reference,
      from: { country: country(s.from)!, ...region(s.from) },
      to: { country: country(s.to)!, ...region(s.to) },
      parcels: s.parcels.map((p: { weight_kg: number }) => ({ weight_kg: p.weight_kg })),
      hazardous: s.hazardous === true,
    },
  };
}

/**
 * Tracking webhooks as each simulated carrier sends them: its body shape, its status
 * names, its signature (HMAC-SHA256, hex / "sha256=<hex>" / base64, over the body or over
 * "<unix seconds>.<body>"). Tests can repeat a delivery (duplicates) and spoil it on
 * purpose (wrong secret, no signature, skewed timestamp, body changed after signing).
 */
import { createHmac } from 'node:crypto';
import type { SimTrackingRecord } from './ledger.ts';
import type { CarrierProfile } from './profiles.ts';

export interface SendTrackingOptions {
  /** Where to post; defaults to the simulator's webhook URL for this carrier. */
  url?: string;
  /** Send the same event this many times (a carrier retrying, or a duplicate delivery). Default 1. */
  deliveries?: number;
  signature?: 'valid' | 'wrong-secret' | 'missing';
  /** Seconds added to the signed timestamp (carriers that send one). */
  timestampSkewS?: number;
  /** Change the body after signing it. */
  tamper?: boolean;
}

export interface WebhookDelivery {
  seq: number;
  carrier: string;
  url: string;
  eventId: string;
  headers: Record<string, string>;
  body: string;
  /** The receiver's HTTP status; null when it could not be reached. */
  status: number | null;
  response: string;
}

export function webhookBody(
  profile: CarrierProfile,
  trackingRef: string,
  reference: string | null,
  event: SimTrackingRecord,
): Record<string, unknown> {
  const status = profile.statusNames[event.status];
  const optional = (name: string, value: string | null | undefined) =>
    value === undefined || value === null ? {} : { [name]: value };
  switch (profile.webhook.format) {
    case 'legacy':
      return {
        event_id: event.id,
        tracking_number: trackingRef,
        state: status,
        timestamp: event.at,
        ...optional('note', event.reason),
        ...optional('customer_ref', reference),
        ...optional('signature_name', event.signed_by),
        ...optional('pod_url', event.proof_ref),
      };
    case 'nested':
      return {
        event: {
          id: event.id,
          type: status,
          occurred_at: event.at,
          ...optional('note', event.reason),
          ...optional('signed_by', event.signed_by),
          ...optional('proof_document', event.proof_ref),
        },
        shipment: { tracking_number: trackingRef, ...optional('reference', reference) },
      };
    default:
      return {
        id: event.id,
        tracking_ref: trackingRef,
        status,
        at: event.at,
        ...optional('reason', event.reason),
        ...optional('reference', reference),
        ...optional('signed_by', event.signed_by),
        ...optional('proof_ref', event.proof_ref),
      };
  }
}

export function signedHeaders(
  profile: CarrierProfile,
  body: string,
  now: Date,
  options: SendTrackingOptions,
): Record<string, string> {
  const w = profile.webhook;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': `${profile.code}-webhooks/1.0`,
  };
  const timestamp = Math.floor(now.getTime() / 1000) + (options.timestampSkewS ?? 0);
  if (w.timestampHeader !== null) headers[w.timestampHeader] = String(timestamp);
  if (options.signature === 'missing') return headers;
  const secret = options.signature === 'wrong-secret' ? `${w.secret}-not` : w.secret;
  const mac = createHmac('sha256', secret);
  if (w.timestampHeader !== null) mac.update(`${timestamp}.`);
  mac.update(body);
  headers[w.signatureHeader] =
    w.encoding === 'base64'
      ? mac.digest('base64')
      : `${w.encoding === 'prefixed-hex' ? 'sha256=' : ''}${mac.digest('hex')}`;
  return headers;
}

export async function deliver(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number | null; response: string }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(5_000),
    });
    return { status: response.status, response: await response.text() };
  } catch (error) {
    return { status: null, response: error instanceof Error ? error.message : String(error) };
  }
}

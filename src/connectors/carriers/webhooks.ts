/**
 * Tracking webhooks from carriers: POST /hooks/carriers/:code. Each carrier signs its
 * deliveries its own way (configuration, see CarrierConfig.webhook): an HMAC-SHA256 of the
 * raw body, or of "<timestamp>.<raw body>" with the timestamp in its own header and a
 * tolerance window. Order: authenticate the raw bytes, parse, map, then the durable
 * insert; 2xx only after it committed. A refused delivery stores nothing.
 *
 * Duplicates: the event key is the carrier's event id, and the intake deduplicates by
 * (source, key), so a delivery repeated by the carrier (or replayed by an attacker within
 * the tolerance window) starts nothing new. That is why no signature replay table is kept.
 */
import type { FastifyPluginAsync } from 'fastify';
import { CrossdockError } from '../../errors/index.ts';
import type { Logger } from '../../observability/index.ts';
import {
  acceptRawJsonBodies,
  parseJsonBody,
  verifyBodyHmac,
  webhookRefused,
  type Verdict,
} from '../../triggers/index.ts';
import { trackingStatusOf, type CarrierConfig } from './config.ts';
import type { TrackingStatus } from './model.ts';

export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/** Checks a delivery's signature (constant-time) and, if the carrier sends one, its timestamp: the webhook verifier of src/triggers. */
export function verifyCarrierWebhook(
  config: CarrierConfig,
  rawBody: Buffer | string,
  headers: HeaderBag,
  now: Date,
): Verdict {
  const webhook = config.webhook;
  if (!webhook)
    return {
      ok: false,
      code: 'HOOK_UNAUTHORIZED',
      message: `Carrier ${config.code} has no webhook configuration`,
    };
  return verifyBodyHmac(rawBody, webhook.secret, {
    value: headerValue(headers, webhook.signature_header),
    header: webhook.signature_header,
    encoding: webhook.signature_encoding,
    ...(webhook.timestamp_header === undefined
      ? {}
      : {
          timestamp: {
            value: headerValue(headers, webhook.timestamp_header),
            header: webhook.timestamp_header,
            toleranceS: webhook.tolerance_seconds,
            nowMs: now.getTime(),
          },
        }),
  });
}

/** Node lower-cases incoming header names; other callers may not. A repeated header is refused. */
function headerValue(headers: HeaderBag, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const key =
    wanted in headers ? wanted : Object.keys(headers).find((k) => k.toLowerCase() === wanted);
  const value = key === undefined ? undefined : headers[key];
  return typeof value === 'string' ? value : undefined;
}

export interface CarrierTrackingEvent {
  /** `carrier.<code>`: event sources allow letters, digits, "_", "-" and "." only. */
  source: string;
  type: `shipment.${TrackingStatus}`;
  /** The carrier's event id: a repeated delivery has the same key and is a duplicate. */
  key: string;
  payload: {
    carrier: string;
    tracking_ref: string;
    status: TrackingStatus;
    at: string;
    reason?: string;
    reference?: string;
    signed_by?: string;
    proof_ref?: string;
  };
}

/** A delivery's JSON body as a Crossdock event, by the carrier's field paths and status names. */
export function carrierWebhookEvent(config: CarrierConfig, body: unknown): CarrierTrackingEvent {
  const fields = config.webhook?.fields ?? {
    event_id: 'id',
    tracking_ref: 'tracking_ref',
    status: 'status',
    at: 'at',
    reason: 'reason',
    reference: 'reference',
    signed_by: 'signed_by',
    proof_ref: 'proof_ref',
  };
  const problems: { path: string; message: string }[] = [];
  const text = (path: string, required: boolean): string | undefined => {
    const value = valueAt(body, path);
    if (typeof value === 'string' && value.trim() !== '' && value.length <= 256) return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (value !== undefined && value !== null)
      problems.push({ path, message: 'expected text of at most 256 characters' });
    else if (required) problems.push({ path, message: 'missing' });
    return undefined;
  };
  const eventId = text(fields.event_id, true);
  const trackingRef = text(fields.tracking_ref, true);
  const statusName = text(fields.status, true);
  const atText = text(fields.at, true);
  const reason = text(fields.reason, false);
  const reference = text(fields.reference, false);
  const signedBy = text(fields.signed_by, false);
  const proofRef = text(fields.proof_ref, false);
  const status = statusName === undefined ? null : trackingStatusOf(config, statusName);
  if (statusName !== undefined && status === null)
    problems.push({
      path: fields.status,
      message: `status "${statusName}" is not mapped; add it to the carrier's statuses`,
    });
  const at = atText === undefined ? Number.NaN : Date.parse(atText);
  if (atText !== undefined && Number.isNaN(at))
    problems.push({ path: fields.at, message: 'not an ISO 8601 time' });
  if (
    problems.length > 0 ||
    eventId === undefined ||
    trackingRef === undefined ||
    status === null
  ) {
    throw new CrossdockError(
      'CARRIER_WEBHOOK_INVALID',
      `The tracking webhook from ${config.code} cannot be read: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      {
        category: 'user',
        retryable: false,
        details: problems,
      },
    );
  }
  return {
    source: `carrier.${config.code}`,
    type: `shipment.${status}`,
    key: eventId,
    payload: {
      carrier: config.code,
      tracking_ref: trackingRef,
      status,
      at: new Date(at).toISOString(),
      ...(reason === undefined ? {} : { reason }),
      ...(reference === undefined ? {} : { reference }),
      ...(signedBy === undefined ? {} : { signed_by: signedBy }),
      ...(proofRef === undefined ? {} : { proof_ref: proofRef }),
    },
  };
}

function valueAt(body: unknown, path: string): unknown {
  let value: unknown = body;
  for (const segment of path.split('.')) {
    if (
      value === null ||
      typeof value !== 'object' ||
      Array.isArray(value) ||
      !Object.hasOwn(value, segment)
    )
      return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

export interface CarrierWebhookDeps {
  carriers: readonly CarrierConfig[];
  /** The engine's durable intake. */
  accept: (
    event: CarrierTrackingEvent,
  ) => Promise<{ eventId: string; duplicate: boolean; conflict: boolean }>;
  now: () => Date;
  logger: Logger;
}

/**
 * One delivery, independent of the HTTP framework: verify, parse, map, accept. Answers
 * 202 for a new event, 200 for a duplicate; throws a CrossdockError (HOOK_* for 401,
 * BODY_INVALID / CARRIER_WEBHOOK_INVALID for 400) for a refused one.
 */
export async function receiveCarrierWebhook(
  deps: CarrierWebhookDeps,
  code: string,
  rawBody: Buffer,
  headers: HeaderBag,
): Promise<{
  status: 200 | 202;
  body: { eventId: string; duplicate: boolean; conflict: boolean };
}> {
  const config = deps.carriers.find((c) => c.code === code);
  const verdict: Verdict = config
    ? verifyCarrierWebhook(config, rawBody, headers, deps.now())
    : { ok: false, code: 'HOOK_UNAUTHORIZED', message: 'Unknown carrier' };
  if (!verdict.ok) {
    deps.logger.warn({ carrier: code.slice(0, 40), code: verdict.code }, 'carrier webhook refused');
    throw webhookRefused(verdict);
  }
  const event = carrierWebhookEvent(config!, parseJsonBody(rawBody));
  const accepted = await deps.accept(event);
  return {
    status: accepted.duplicate || accepted.conflict ? 200 : 202,
    body: { eventId: accepted.eventId, duplicate: accepted.duplicate, conflict: accepted.conflict },
  };
}

/** The Fastify route for the API server (pass it in `plugins` of buildApi). Its scope reads bodies as raw bytes. */
export function carrierWebhookRoutes(deps: CarrierWebhookDeps): FastifyPluginAsync {
  return async (app) => {
    acceptRawJsonBodies(app);
    app.post<{ Params: { code: string } }>('/hooks/carriers/:code', async (request, reply) => {
      const body = request.body instanceof Buffer ? request.body : Buffer.alloc(0);
      const answer = await receiveCarrierWebhook(deps, request.params.code, body, request.headers);
      return reply.status(answer.status).send(answer.body);
    });
  };
}

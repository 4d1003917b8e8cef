/**
 * The one place where a carrier's HTTP outcome becomes a CrossdockError. Every code is
 * documented in docs/error-codes.md and the mapping is table-tested in
 * test/carriers/error-map.test.ts. Messages name the carrier, the operation and the
 * carrier's own reason; never a header, a key or a query string.
 */
import { CrossdockError, pickErrorCodes, type ErrorCode } from '../../errors/index.ts';
import { parseRetryAfter, safeUrl } from '../http/index.ts';

/** The carrier connector's codes; their category, retryability and HTTP status are the registry's (src/errors/codes.ts). */
const CARRIER_CODES = [
  'CARRIER_UNAVAILABLE',
  'CARRIER_SERVER_ERROR',
  'CARRIER_RATE_LIMITED',
  'CARRIER_BOOKING_REJECTED',
  'CARRIER_AUTH_FAILED',
  'CARRIER_NOT_FOUND',
  'CARRIER_REQUEST_INVALID',
  'CARRIER_RESPONSE_INVALID',
  'CARRIER_ALL_FAILED',
  'CARRIER_RATES_FAILED',
  'CARRIER_UNKNOWN',
  'CARRIER_CONFIG_INVALID',
  'CARRIER_WEBHOOK_INVALID',
] as const satisfies readonly ErrorCode[];
export type CarrierErrorCode = (typeof CARRIER_CODES)[number];
export const CARRIER_ERROR_CODES = pickErrorCodes(CARRIER_CODES);

export const CarrierOperation = {
  rates: 'rates',
  book: 'book',
  cancel: 'cancel',
  track: 'track',
} as const;
export type CarrierOperation = (typeof CarrierOperation)[keyof typeof CarrierOperation];

const VERB: Record<CarrierOperation, string> = {
  rates: 'quoting',
  book: 'booking',
  cancel: 'cancelling',
  track: 'tracking',
};

export function carrierError(
  code: CarrierErrorCode,
  message: string,
  extra: { retryAfterMs?: number; reason?: string; cause?: unknown } = {},
): CrossdockError {
  return new CrossdockError(code, message, {
    ...(extra.retryAfterMs === undefined ? {} : { retryAfterMs: extra.retryAfterMs }),
    ...(extra.reason === undefined ? {} : { details: [{ path: 'reason', message: extra.reason }] }),
    ...(extra.cause === undefined ? {} : { cause: extra.cause }),
  });
}

export interface HttpOutcome {
  carrier: string;
  operation: CarrierOperation;
  method: string;
  url: string;
  status: number;
  retryAfter: string | null;
  body: string;
  nowMs: number;
}

/** Which code an HTTP status is, for this operation. Rules in order; the first match wins. */
export function codeForStatus(status: number, operation: CarrierOperation): CarrierErrorCode {
  if (status === 401 || status === 403) return 'CARRIER_AUTH_FAILED';
  if (status === 404) return 'CARRIER_NOT_FOUND';
  if (status === 408) return 'CARRIER_UNAVAILABLE';
  if (status === 422 && operation === 'book') return 'CARRIER_BOOKING_REJECTED';
  if (status === 429) return 'CARRIER_RATE_LIMITED';
  if (status >= 500 && status <= 599) return 'CARRIER_SERVER_ERROR';
  if (status >= 400 && status <= 499) return 'CARRIER_REQUEST_INVALID';
  return 'CARRIER_RESPONSE_INVALID'; // 1xx/3xx: nothing a carrier API should answer here
}

/** A non-2xx answer. The carrier's reason (its error message) is kept in the message and details. */
export function carrierStatusError(outcome: HttpOutcome): CrossdockError {
  const code = codeForStatus(outcome.status, outcome.operation);
  const reason = reasonOf(outcome.body);
  const retryAfterMs =
    code === 'CARRIER_RATE_LIMITED' || code === 'CARRIER_SERVER_ERROR'
      ? parseRetryAfter(outcome.retryAfter, outcome.nowMs)
      : undefined;
  const what =
    code === 'CARRIER_BOOKING_REJECTED'
      ? `Carrier ${outcome.carrier} rejected the booking`
      : `Carrier ${outcome.carrier} answered ${outcome.status} when ${VERB[outcome.operation]}`;
  const message = `${what} (${outcome.method} ${safeUrl(outcome.url)})${reason ? `: ${reason}` : ''}`;
  return carrierError(code, message, {
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(reason ? { reason } : {}),
  });
}

/** No answer: a timeout, or the connection failed. The request may or may not have been processed. */
export function carrierTransportError(
  carrier: string,
  operation: CarrierOperation,
  method: string,
  url: string,
  cause: unknown,
  timeoutMs: number | null,
): CrossdockError {
  if (timeoutMs !== null) {
    return carrierError(
      'CARRIER_UNAVAILABLE',
      `Carrier ${carrier} did not answer within ${timeoutMs} ms when ${VERB[operation]} (${method} ${safeUrl(url)})`,
      { cause },
    );
  }
  const inner = (cause as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const reason = [
    inner?.code,
    inner?.message,
    (cause as { code?: unknown } | null)?.code,
    cause instanceof Error ? cause.message : String(cause),
  ].find((r): r is string => typeof r === 'string' && r !== '');
  return carrierError(
    'CARRIER_UNAVAILABLE',
    `Carrier ${carrier} could not be reached when ${VERB[operation]} (${method} ${safeUrl(url)}): ${reason}`,
    { cause },
  );
}

/** The carrier's own explanation: `{ error: { message } }`, `{ message }`, `{ reason }`, or short text. */
export function reasonOf(body: string): string {
  const text = body.trim();
  if (text === '') return '';
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const error = parsed?.error;
    const candidates = [
      typeof error === 'object' && error !== null
        ? (error as Record<string, unknown>).message
        : error,
      parsed?.message,
      parsed?.reason,
    ];
    const found = candidates.find((c): c is string => typeof c === 'string' && c.trim() !== '');
    if (found !== undefined) return found.slice(0, 300);
  } catch {
    // not JSON: fall through to the text itself
  }
  return /^\s*</.test(text) ? '' : text.slice(0, 300); // an HTML error page says nothing useful
}

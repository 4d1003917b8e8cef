/**
 * When the client may repeat a failed call by itself, and how long it waits.
 *
 * Idempotency story: a read (or a call the caller marks idempotent) is repeated on any
 * transient failure. Any other call is repeated only when Odoo certainly did not commit
 * it: the connection was never established, Odoo answered 503, or PostgreSQL rolled the
 * transaction back (serialization failure, OperationalError). A 502/504, a reset
 * connection or a timeout may hide a committed write, so those surface as retryable
 * errors for the engine, which retries with its own idempotency keys.
 */
import type { OdooErrorCode } from './error-map.ts';
import type { OdooFailure } from './failure.ts';
import type { Backoff } from '../../workflows/index.ts';
import type { RetryPolicy } from './config.ts';

/** Methods that only read; repeating them cannot change anything in Odoo. */
export const READ_ONLY_METHODS: ReadonlySet<string> = new Set([
  'search',
  'search_read',
  'search_count',
  'read',
  'read_group',
  'fields_get',
  'name_search',
  'name_get',
  'default_get',
  'check_access_rights',
  'check_access_rule',
  'exists',
  'get_metadata',
  'web_search_read',
  'web_read',
]);

const TRANSIENT_CODES: ReadonlySet<OdooErrorCode> = new Set([
  'ODOO_UNAVAILABLE',
  'ODOO_TIMEOUT',
  'ODOO_SERIALIZATION_FAILURE',
]);

/** Socket errors raised before a connection exists: the request never left. */
const NOT_CONNECTED_ERRORS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** True when Odoo cannot have committed the call that failed this way. */
export function certainlyNotCommitted(failure: OdooFailure, code: OdooErrorCode): boolean {
  if (failure.kind === 'network') return NOT_CONNECTED_ERRORS.has(failure.errorCode);
  if (failure.kind === 'http-status') return failure.httpStatus === 503;
  // What is left are Odoo's own answers: PostgreSQL rolled the transaction back.
  return code === 'ODOO_SERIALIZATION_FAILURE' || code === 'ODOO_UNAVAILABLE';
}

export function shouldRetry(
  failure: OdooFailure,
  code: OdooErrorCode,
  repeatable: boolean,
): boolean {
  if (!TRANSIENT_CODES.has(code)) return false;
  return repeatable || certainlyNotCommitted(failure, code);
}

/**
 * The profile's retry policy as a backoff (the one formula, src/workflows/backoff.ts):
 * doubling, with half of each delay random, so concurrent clients spread out but still
 * back off.
 */
export function odooBackoff(policy: RetryPolicy): Backoff {
  return {
    initial_delay_ms: policy.baseDelayMs,
    max_delay_ms: policy.maxDelayMs,
    multiplier: 2,
    jitter: 0.5,
  };
}

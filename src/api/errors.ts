import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CrossdockError, toCrossdockError } from '../errors/index.ts';

/** HTTP status by error code where the category alone does not say it. */
const STATUS_BY_CODE: Record<string, number> = {
  EVENT_TOO_LARGE: 413,
  EXPRESSION_LIMIT_EXCEEDED: 422,
  RUN_NOT_FOUND: 404,
  WORKFLOW_UNKNOWN: 404,
  WORKFLOW_VERSION_UNKNOWN: 404,
  ROUTE_NOT_FOUND: 404,
  RUN_NOT_REPLAYABLE: 409,
  RUN_ALREADY_ENDED: 409,
  STORE_UNAVAILABLE: 503,
  STORE_LOCKED: 503,
  CONTENT_TYPE_UNSUPPORTED: 415,
  AUTH_REQUIRED: 401,
  TOKEN_REJECTED: 401,
  LOGIN_FAILED: 401,
  SETUP_CODE_INVALID: 401,
  HOOK_UNAUTHORIZED: 401,
  HOOK_SIGNATURE_MISSING: 401,
  HOOK_SIGNATURE_INVALID: 401,
  HOOK_TIMESTAMP_STALE: 401,
  HOOK_REPLAYED: 401,
  FORBIDDEN: 403,
  CSRF_FAILED: 403,
  EVENT_SOURCE_FORBIDDEN: 403,
  EVENT_SOURCE_RESERVED: 403,
  TOKEN_SCOPE_DENIED: 403,
  USER_NOT_FOUND: 404,
  TOKEN_NOT_FOUND: 404,
  SOURCE_NOT_FOUND: 404,
  SECRET_NOT_FOUND: 404,
  EVENT_NOT_FOUND: 404,
  USER_EXISTS: 409,
  SOURCE_EXISTS: 409,
  SETUP_DONE: 409,
  APPROVAL_NOT_FOUND: 404,
  APPROVAL_ALREADY_DECIDED: 409,
  APPROVAL_ALREADY_VOTED: 409,
  APPROVAL_ESCALATED: 409,
  APPROVAL_RUN_ENDED: 409,
  APPROVAL_NOT_ASSIGNED: 403,
  APPROVAL_LINK_INVALID: 404,
  APPROVAL_LINK_USED: 409,
  APPROVAL_LINK_EXPIRED: 410,
  APPROVAL_BULK_REFUSED: 409,
  APPROVAL_BULK_CHANGED: 409,
  DELEGATION_NOT_FOUND: 404,
  EXCEPTION_NOT_FOUND: 404,
  NOTIFICATION_NOT_FOUND: 404,
  NOTIFICATION_NOT_RESENDABLE: 409,
  EXCEPTION_ILLEGAL_TRANSITION: 409,
  EXCEPTION_NOT_RETRYABLE: 409,
  EXCEPTION_ACTION_NOT_ALLOWED: 409,
  POLICY_NOT_FOUND: 404,
  RATE_LIMITED: 429,
  SECRETS_KEY_MISSING: 503,
};

/**
 * The one error mapper: every failure leaves as
 * { error: { code, message, details: [{ path, message }], requestId } }.
 * A bug shows only its code and the request id; the rest goes to the log.
 */
export function sendError(request: FastifyRequest, reply: FastifyReply, thrown: unknown): FastifyReply {
  const error = fromFastify(thrown) ?? toCrossdockError(thrown);
  const status = STATUS_BY_CODE[error.code] ?? (error.category === 'user' ? 400 : error.category === 'policy' ? 422 : error.category === 'transient' ? 503 : 500);
  if (status >= 500) request.log.error({ err: thrown, code: error.code }, 'request failed');
  const hidden = status === 500;
  if (error.retryAfterMs !== undefined) reply.header('retry-after', String(Math.ceil(error.retryAfterMs / 1000)));
  return reply.status(status).send({
    error: {
      code: error.code,
      message: hidden ? 'Internal error; quote the request id to an administrator' : error.message,
      details: hidden ? [] : error.details,
      requestId: request.id,
    },
  });
}

/** Fastify's own refusals (body too large, bad JSON) in our vocabulary. */
function fromFastify(thrown: unknown): CrossdockError | undefined {
  const error = thrown as FastifyError;
  if (error?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new CrossdockError('EVENT_TOO_LARGE', 'The request body is larger than the configured limit', { category: 'user' });
  }
  if (error?.statusCode === 429) {
    const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
    return new CrossdockError('RATE_LIMITED', 'Too many requests; slow down and retry after the time in Retry-After', { category: 'user', ...(retryAfterMs ? { retryAfterMs } : {}) });
  }
  if (error?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new CrossdockError('CONTENT_TYPE_UNSUPPORTED', 'Send JSON (content-type: application/json)', { category: 'user' });
  }
  if (error?.statusCode === 400 && typeof error.code === 'string' && error.code.startsWith('FST_ERR_CTP')) {
    return new CrossdockError('BODY_INVALID', `The request body is not valid JSON: ${error.message}`, { category: 'user' });
  }
  // Any other refusal of Fastify's own (a malformed URL or header) is the client's, not a bug.
  if (typeof error?.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 && String(error.code).startsWith('FST_')) {
    return new CrossdockError('REQUEST_INVALID', error.message, { category: 'user' });
  }
  return undefined;
}

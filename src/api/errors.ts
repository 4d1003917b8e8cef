import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CrossdockError, httpStatusOf, toCrossdockError } from '../errors/index.ts';

/**
 * The one error mapper: every failure leaves as
 * { error: { code, message, details: [{ path, message }], requestId } }.
 * A bug shows only its code and the request id; the rest goes to the log.
 */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  thrown: unknown,
): FastifyReply {
  const error = fromFastify(thrown) ?? toCrossdockError(thrown);
  const status = httpStatusOf(error);
  if (status >= 500) request.log.error({ err: thrown, code: error.code }, 'request failed');
  const hidden = status === 500;
  if (error.retryAfterMs !== undefined)
    reply.header('retry-after', String(Math.ceil(error.retryAfterMs / 1000)));
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
    return new CrossdockError(
      'EVENT_TOO_LARGE',
      'The request body is larger than the configured limit',
      { category: 'user' },
    );
  }
  if (error?.statusCode === 429) {
    const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
    return new CrossdockError(
      'RATE_LIMITED',
      'Too many requests; slow down and retry after the time in Retry-After',
      { category: 'user', ...(retryAfterMs ? { retryAfterMs } : {}) },
    );
  }
  if (error?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new CrossdockError(
      'CONTENT_TYPE_UNSUPPORTED',
      'Send JSON (content-type: application/json)',
      { category: 'user' },
    );
  }
  if (
    error?.statusCode === 400 &&
    typeof error.code === 'string' &&
    error.code.startsWith('FST_ERR_CTP')
  ) {
    return new CrossdockError(
      'BODY_INVALID',
      `The request body is not valid JSON: ${error.message}`,
      { category: 'user' },
    );
  }
  // Any other refusal of Fastify's own (a malformed URL or header) is the client's, not a bug.
  if (
    typeof error?.statusCode === 'number' &&
    error.statusCode >= 400 &&
    error.statusCode < 500 &&
    String(error.code).startsWith('FST_')
  ) {
    return new CrossdockError('REQUEST_INVALID', error.message, { category: 'user' });
  }
  return undefined;
}

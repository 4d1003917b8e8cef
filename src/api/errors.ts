import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CrossdockError, toCrossdockError } from '../errors/index.ts';

/** HTTP status by error code where the category alone does not say it. */
const STATUS_BY_CODE: Record<string, number> = {
  EVENT_TOO_LARGE: 413,
  RUN_NOT_FOUND: 404,
  WORKFLOW_UNKNOWN: 404,
  ROUTE_NOT_FOUND: 404,
  RUN_NOT_REPLAYABLE: 409,
  RUN_ALREADY_ENDED: 409,
  STORE_UNAVAILABLE: 503,
  STORE_LOCKED: 503,
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
  if (error?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new CrossdockError('CONTENT_TYPE_UNSUPPORTED', 'Send JSON (content-type: application/json)', { category: 'user' });
  }
  if (error?.statusCode === 400 && typeof error.code === 'string' && error.code.startsWith('FST_ERR_CTP')) {
    return new CrossdockError('BODY_INVALID', `The request body is not valid JSON: ${error.message}`, { category: 'user' });
  }
  return undefined;
}

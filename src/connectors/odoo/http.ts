/**
 * One HTTP exchange with Odoo, with a per-request timeout. Socket errors and timeouts
 * become OdooFailureError; any HTTP status is returned as is (the readers decide).
 *
 * Through Crossdock's HTTP client (connectors/http/client.ts): node:http with keep-alive
 * pools, so consecutive calls to one Odoo share sockets, at a fraction of fetch's CPU.
 */
import { HttpCallTimedOut, httpCall } from '../http/index.ts';
import { OdooFailureError } from './failure.ts';

/** How a call reaches Odoo: the HTTP client, or a test's wrapper around it. */
export type HttpExchange = typeof httpCall;

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** The caller's cancellation; its abort reason is rethrown unchanged. */
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  contentType: string;
  text: string;
}

/** The errno-style code of a failed call (on the error, or on a cause nested in it). */
function socketErrorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth += 1) {
    const candidate = current as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof candidate.code === 'string') return candidate.code;
    if (Array.isArray(candidate.errors) && candidate.errors.length > 0)
      current = candidate.errors[0];
    else current = candidate.cause;
  }
  return 'UNKNOWN';
}

function socketErrorDetail(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error && cause.message !== '') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

export async function exchange(http: HttpExchange, request: HttpRequest): Promise<HttpAnswer> {
  try {
    const answer = await http({
      method: request.method,
      url: request.url,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      ...(request.signal === undefined ? {} : { signal: request.signal }),
      timeoutMs: request.timeoutMs,
    });
    return {
      status: answer.status,
      contentType: answer.header('content-type') ?? '',
      text: answer.text,
    };
  } catch (error) {
    if (request.signal?.aborted === true) throw request.signal.reason;
    if (error instanceof HttpCallTimedOut)
      throw new OdooFailureError({ kind: 'timeout', timeoutMs: request.timeoutMs });
    throw new OdooFailureError({
      kind: 'network',
      errorCode: socketErrorCode(error),
      detail: socketErrorDetail(error),
    });
  }
}

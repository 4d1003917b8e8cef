/**
 * One HTTP exchange with Odoo, with a per-request timeout. Socket errors and timeouts
 * become OdooFailureError; any HTTP status is returned as is (the readers decide).
 *
 * Keep-alive: Node's global fetch (undici) pools and reuses connections per origin by
 * default, so consecutive calls to one Odoo share sockets.
 */
import { OdooFailureError } from './failure.ts';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

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

/** The errno-style code of a failed fetch (undici puts it on `cause`, sometimes nested). */
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

export async function exchange(fetchImpl: FetchLike, request: HttpRequest): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal =
    request.signal === undefined ? timeout : AbortSignal.any([timeout, request.signal]);
  try {
    const init: RequestInit = { method: request.method, headers: request.headers, signal };
    if (request.body !== undefined) init.body = request.body;
    const response = await fetchImpl(request.url, init);
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      text,
    };
  } catch (error) {
    if (request.signal?.aborted === true) throw request.signal.reason;
    if (timeout.aborted)
      throw new OdooFailureError({ kind: 'timeout', timeoutMs: request.timeoutMs });
    throw new OdooFailureError({
      kind: 'network',
      errorCode: socketErrorCode(error),
      detail: socketErrorDetail(error),
    });
  }
}

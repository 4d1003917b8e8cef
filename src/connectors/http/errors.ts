import { CrossdockError } from '../../errors/index.ts';

/**
 * The one place where HTTP outcomes become Crossdock errors. Retryable: the request may
 * not have been processed, or the server asks us to come back (timeouts, socket errors,
 * 408, 425, 429, 500, 502, 503, 504). Everything else in 4xx/5xx is the request's fault or a
 * refusal that repeating will not change.
 */
const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

export function httpStatusError(
  method: string,
  url: string,
  status: number,
  retryAfter: string | null,
  bodyText: string,
): CrossdockError {
  const retryable = RETRYABLE_STATUS.has(status);
  const retryAfterMs = parseRetryAfter(retryAfter);
  const code =
    status === 429
      ? 'HTTP_RATE_LIMITED'
      : status >= 500
        ? 'HTTP_SERVER_ERROR'
        : 'HTTP_CLIENT_ERROR';
  return new CrossdockError(
    code,
    `${method} ${safeUrl(url)} answered ${status}${bodyText ? `: ${bodyText.slice(0, 300)}` : ''}`,
    {
      category: retryable ? 'transient' : 'user',
      retryable,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    },
  );
}

export function httpTransportError(
  method: string,
  url: string,
  cause: unknown,
  timedOut: boolean,
): CrossdockError {
  if (timedOut) {
    return new CrossdockError('HTTP_TIMEOUT', `${method} ${safeUrl(url)} did not answer in time`, {
      category: 'transient',
      cause,
    });
  }
  const failure = cause as { cause?: { code?: string }; code?: string; message?: string } | null;
  const reason = failure?.cause?.code ?? failure?.code ?? failure?.message ?? String(cause);
  return new CrossdockError('HTTP_UNREACHABLE', `${method} ${safeUrl(url)} failed: ${reason}`, {
    category: 'transient',
    cause,
  });
}

/** Retry-After is seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A URL for messages: no credentials, no query string (it may carry tokens). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}

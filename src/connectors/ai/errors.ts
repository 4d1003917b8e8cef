import { CrossdockError } from '../../errors/index.ts';
import { parseRetryAfter, safeUrl } from '../http/index.ts';

/**
 * The one place where an OpenAI-compatible provider's answers become Crossdock errors.
 * Retryable: 429 (no earlier than its Retry-After), 408, 409 (the hosted API's "try again"),
 * 5xx, timeouts and unreachable hosts. 401/403 is the key; other 4xx are the request's
 * fault (a model the provider does not have, a schema it refuses) and repeating changes nothing.
 */
export function providerStatusError(
  url: string,
  status: number,
  headers: { header(name: string): string | null },
  bodyText: string,
  apiKey: string | null,
): CrossdockError {
  const where = safeUrl(url);
  if (status === 401 || status === 403)
    // The provider's message may echo part of the key: it is not repeated.
    return new CrossdockError(
      'AI_AUTH_FAILED',
      `${where} refused the API key (${status}); check CROSSDOCK_AI_API_KEY`,
    );
  const said = providerMessage(bodyText, apiKey);
  if (status === 429) {
    const retryAfterMs = retryAfterOf(headers);
    return new CrossdockError('AI_RATE_LIMITED', `${where} answered 429${said}`, {
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (status >= 500 || status === 408 || status === 409)
    return new CrossdockError('AI_UNAVAILABLE', `${where} answered ${status}${said}`, {
      ...(retryAfterOf(headers) === undefined ? {} : { retryAfterMs: retryAfterOf(headers)! }),
    });
  return new CrossdockError('AI_REQUEST_REJECTED', `${where} answered ${status}${said}`);
}

export function providerTransportError(url: string, cause: unknown, timedOut: boolean) {
  if (timedOut)
    return new CrossdockError('AI_TIMEOUT', `${safeUrl(url)} did not answer in time`, { cause });
  const failure = cause as { cause?: { code?: string }; code?: string; message?: string } | null;
  const reason = failure?.cause?.code ?? failure?.code ?? failure?.message ?? String(cause);
  return new CrossdockError('AI_UNAVAILABLE', `${safeUrl(url)} failed: ${reason}`, { cause });
}

export function answerInvalid(message: string, details?: { path: string; message: string }[]) {
  return new CrossdockError('AI_ANSWER_INVALID', message, details ? { details } : {});
}

/**
 * OpenAI's SDK reads `retry-after-ms` before `retry-after` (seconds or an HTTP date); so
 * does this client.
 */
export function retryAfterOf(headers: { header(name: string): string | null }): number | undefined {
  const ms = headers.header('retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  return parseRetryAfter(headers.header('retry-after'));
}

/** `: <the provider's error.message>`, at most 300 characters, with the key blanked if echoed. */
function providerMessage(bodyText: string, apiKey: string | null): string {
  let message: string = bodyText;
  try {
    const parsed = JSON.parse(bodyText) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') message = parsed.error.message;
  } catch {
    // not JSON: the text as it came
  }
  if (apiKey) message = message.split(apiKey).join('[key]');
  message = message.trim().slice(0, 300);
  return message ? `: ${message}` : '';
}

import { z } from 'zod';
import { dynamic, type StepType } from '../../workflows/index.ts';
import { httpCall, HttpCallTimedOut, type HttpAnswer } from './client.ts';
import { httpStatusError, httpTransportError, safeUrl } from './errors.ts';

const RequestConfig = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  url: dynamic(z.url({ protocol: /^https?$/ })),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
  timeout_ms: z.int().min(1).max(300_000).default(10_000),
  /** Header that carries the step's idempotency key; set to false to send none. */
  idempotency_header: z.union([z.string().min(1), z.literal(false)]).default('Idempotency-Key'),
});
type RequestConfig = z.infer<typeof RequestConfig>;

/**
 * Calls an HTTP endpoint. Idempotency: every attempt and every replay of this step in
 * this run sends the same Idempotency-Key, so a receiver that honours it applies the
 * request once even when a crash makes us send it again.
 */
export const httpRequestStep: StepType<RequestConfig> = {
  type: 'http.request',
  description: 'Calls an HTTP endpoint with a timeout, retry classification and an idempotency key',
  config: RequestConfig,
  sideEffect: true,
  unsafeToRepeat: (c) =>
    c.idempotency_header === false
      ? 'idempotency_header is false: a repeat (a retry, a crash, a replay) sends the request again with nothing to recognise it by'
      : null,
  async execute(ctx, config) {
    const headers: Record<string, string> = { accept: 'application/json', ...config.headers };
    if (config.idempotency_header !== false)
      headers[config.idempotency_header] = ctx.idempotencyKey;
    let body: string | undefined;
    if (config.body !== undefined && config.method !== 'GET') {
      body = typeof config.body === 'string' ? config.body : JSON.stringify(config.body);
      headers['content-type'] ??=
        typeof config.body === 'string' ? 'text/plain' : 'application/json';
    }
    let response: HttpAnswer;
    try {
      response = await httpCall({
        method: config.method,
        url: config.url,
        headers,
        body,
        signal: ctx.signal,
        timeoutMs: config.timeout_ms,
      });
    } catch (cause) {
      throw httpTransportError(
        config.method,
        config.url,
        cause,
        cause instanceof HttpCallTimedOut || ctx.signal.aborted,
      );
    }
    if (response.status < 200 || response.status > 299)
      throw httpStatusError(
        config.method,
        config.url,
        response.status,
        response.header('retry-after'),
        response.text,
      );
    return {
      kind: 'done',
      output: {
        status: response.status,
        body: parseBody(response.text, response.header('content-type')),
      },
    };
  },
  describe: (c) =>
    `would call ${c.method} ${typeof c.url === 'string' ? safeUrl(c.url) : c.url}${c.body === undefined ? '' : ` with body ${JSON.stringify(c.body)}`}`,
};

function parseBody(text: string, contentType: string | null): unknown {
  if (text === '') return null;
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

import http from 'node:http';
import https from 'node:https';

/**
 * One HTTP exchange over node:http with keep-alive connection pools. A worker calling the
 * same carrier or endpoint for run after run reuses its connections; node:http costs about a
 * quarter of the CPU per request that `fetch` does (bench/RESULTS.md, "http.request without
 * fetch"). The pools belong to the process, as fetch's global dispatcher did; idle sockets
 * close after a few seconds and never keep the process alive.
 */
const agents = {
  'http:': new http.Agent({
    keepAlive: true,
    keepAliveMsecs: 1_000,
    maxSockets: 256,
    timeout: 30_000,
  }),
  'https:': new https.Agent({
    keepAlive: true,
    keepAliveMsecs: 1_000,
    maxSockets: 256,
    timeout: 30_000,
  }),
};

/** Redirects followed for one call (fetch's default is 20; an API that needs more is broken). */
const MAX_REDIRECTS = 5;

export interface HttpCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** How long the whole call may take, redirects included; past it the call fails with HttpCallTimedOut. */
  timeoutMs?: number;
}

/** A call that did not end within its `timeoutMs`. */
export class HttpCallTimedOut extends Error {
  constructor(timeoutMs: number, cause: unknown) {
    super(`no answer within ${timeoutMs} ms`, { cause });
    this.name = 'HttpCallTimedOut';
  }
}

export interface HttpAnswer {
  status: number;
  /** The URL that answered (after redirects). */
  url: string;
  header(name: string): string | null;
  text: string;
}

/**
 * Sends the request and reads the whole answer. Redirects are followed as fetch follows
 * them: 301, 302 and 303 turn into a GET without a body (303 always, 301 and 302 for a
 * POST), 307 and 308 repeat the method and body; at most five.
 */
export async function httpCall(call: HttpCall): Promise<HttpAnswer> {
  if (call.timeoutMs === undefined) return follow(call);
  // One controller for the caller's signal and the deadline. AbortSignal.timeout and
  // AbortSignal.any would do the same with weak references and finalizers per call, which a
  // worker making a thousand calls a second pays for in garbage collection.
  const controller = new AbortController();
  const forward = () => controller.abort(call.signal?.reason);
  if (call.signal?.aborted) forward();
  else call.signal?.addEventListener('abort', forward, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, call.timeoutMs);
  try {
    return await follow({ ...call, signal: controller.signal });
  } catch (error) {
    throw timedOut ? new HttpCallTimedOut(call.timeoutMs, error) : error;
  } finally {
    clearTimeout(timer);
    call.signal?.removeEventListener('abort', forward);
  }
}

async function follow(call: HttpCall): Promise<HttpAnswer> {
  let current = { ...call };
  for (let hop = 0; ; hop++) {
    const answer = await exchange(current);
    const location = answer.header('location');
    if (!REDIRECT.has(answer.status) || location === null) return answer;
    if (hop >= MAX_REDIRECTS)
      throw new Error(`more than ${MAX_REDIRECTS} redirects (last to ${location})`);
    const next = new URL(location, current.url).toString();
    const toGet =
      answer.status === 303 ||
      ((answer.status === 301 || answer.status === 302) && current.method === 'POST');
    current = toGet
      ? {
          ...current,
          url: next,
          method: 'GET',
          body: undefined,
          headers: withoutBody(current.headers),
        }
      : { ...current, url: next };
  }
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);

function withoutBody(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (!/^content-(type|length|encoding|language|location)$/i.test(name)) kept[name] = value;
  return kept;
}

function exchange(call: HttpCall): Promise<HttpAnswer> {
  const url = new URL(call.url);
  const transport = url.protocol === 'https:' ? https : http;
  const agent = agents[url.protocol as keyof typeof agents];
  const headers: Record<string, string | number> = { ...call.headers };
  if (call.body !== undefined) headers['content-length'] = Buffer.byteLength(call.body);
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      { method: call.method, headers, agent, signal: call.signal },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          if (!response.complete) {
            reject(new Error('the connection closed before the answer was complete'));
            return;
          }
          resolve({
            status: response.statusCode ?? 0,
            url: call.url,
            header: (name) => {
              const value = response.headers[name.toLowerCase()];
              return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
            },
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    request.on('error', reject);
    request.end(call.body);
  });
}

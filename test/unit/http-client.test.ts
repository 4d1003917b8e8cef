import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { httpCall, HttpCallTimedOut } from '../../src/connectors/http/client.ts';
import { httpStatusError, httpTransportError } from '../../src/connectors/http/errors.ts';

/** What the http.request step's client sends and reads, against a local server that records it. */
describe('http.request: the keep-alive client', () => {
  let server: http.Server;
  let base: string;
  const seen: { method: string; url: string; body: string; headers: http.IncomingHttpHeaders }[] =
    [];
  let connections = 0;

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, body, headers: req.headers });
        const route = req.url!.split('?')[0];
        if (route === '/ok') {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ tracking: 'T-1' }));
        } else if (route === '/busy') {
          res.writeHead(503, { 'retry-after': '7' });
          res.end('try later');
        } else if (route === '/see-other') {
          res.writeHead(303, { location: '/ok?from=303' });
          res.end();
        } else if (route === '/temporary') {
          res.writeHead(307, { location: '/ok?from=307' });
          res.end();
        } else if (route === '/loop') {
          res.writeHead(302, { location: '/loop' });
          res.end();
        } else if (route === '/slow') {
          // never answers: the caller's timeout ends it
        } else if (route === '/cut') {
          res.writeHead(200, { 'content-length': '100' });
          res.write('partial');
          res.destroy();
        }
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const call = (path: string, method = 'POST', body?: string, timeoutMs = 5_000) =>
    httpCall({
      method,
      url: `${base}${path}`,
      headers: { 'content-type': 'application/json', 'idempotency-key': 'run-1:book' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });

  test('sends method, headers and body, and reuses one connection for calls one after another', async () => {
    seen.length = 0;
    const before = connections;
    for (let i = 0; i < 5; i++) {
      const answer = await call('/ok', 'POST', JSON.stringify({ order: i }));
      assert.equal(answer.status, 200);
      assert.deepEqual(JSON.parse(answer.text), { tracking: 'T-1' });
      assert.equal(answer.header('Content-Type'), 'application/json');
    }
    assert.equal(connections - before, 1, 'five calls over one kept-alive connection');
    assert.deepEqual(
      seen.map((s) => [s.method, s.body, s.headers['idempotency-key']]),
      [0, 1, 2, 3, 4].map((i) => ['POST', JSON.stringify({ order: i }), 'run-1:book']),
    );
  });

  test('a 503 with Retry-After is a retryable server error that says when to come back', async () => {
    const answer = await call('/busy');
    assert.equal(answer.status, 503);
    const error = httpStatusError(
      'POST',
      `${base}/busy`,
      503,
      answer.header('retry-after'),
      answer.text,
    );
    assert.equal(error.code, 'HTTP_SERVER_ERROR');
    assert.equal(error.retryable, true);
    assert.equal(error.retryAfterMs, 7_000);
    assert.match(error.message, /answered 503: try later/);
  });

  test('303 turns a POST into a GET without its body; 307 repeats the POST with it', async () => {
    seen.length = 0;
    const seeOther = await call('/see-other', 'POST', '{"a":1}');
    assert.equal(seeOther.status, 200);
    const temporary = await call('/temporary', 'POST', '{"b":2}');
    assert.equal(temporary.status, 200);
    assert.deepEqual(
      seen.map((s) => [s.method, s.url, s.body, s.headers['content-type'] ?? null]),
      [
        ['POST', '/see-other', '{"a":1}', 'application/json'],
        ['GET', '/ok?from=303', '', null],
        ['POST', '/temporary', '{"b":2}', 'application/json'],
        ['POST', '/ok?from=307', '{"b":2}', 'application/json'],
      ],
    );
  });

  test('a redirect loop stops after five hops with a transport error', async () => {
    const failure = await call('/loop', 'GET').catch((e: unknown) => e);
    const error = httpTransportError('GET', `${base}/loop`, failure, false);
    assert.equal(error.code, 'HTTP_UNREACHABLE');
    assert.match(error.message, /more than 5 redirects/);
  });

  test('no answer within the timeout is HTTP_TIMEOUT; a refused port names ECONNREFUSED', async () => {
    const signal = AbortSignal.timeout(150);
    const slow = await httpCall({ method: 'GET', url: `${base}/slow`, headers: {}, signal }).catch(
      (e: unknown) => e,
    );
    assert.ok(slow instanceof Error);
    assert.equal(
      httpTransportError('GET', `${base}/slow`, slow, signal.aborted).code,
      'HTTP_TIMEOUT',
    );

    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await httpCall({
      method: 'GET',
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      signal: AbortSignal.timeout(5_000),
    }).catch((e: unknown) => e);
    const error = httpTransportError(
      'GET',
      `http://127.0.0.1:${port}/?token=secret`,
      refused,
      false,
    );
    assert.equal(error.code, 'HTTP_UNREACHABLE');
    assert.match(error.message, /ECONNREFUSED/);
    assert.doesNotMatch(error.message, /secret/, 'the query string (tokens) stays out of messages');
  });

  test("a deadline (timeoutMs) ends the call as HttpCallTimedOut; the caller's signal ends it as cancelled; neither leaves a listener", async () => {
    const run = new AbortController();
    const timedOut = await httpCall({
      method: 'GET',
      url: `${base}/slow`,
      headers: {},
      signal: run.signal,
      timeoutMs: 100,
    }).catch((e: unknown) => e);
    assert.ok(timedOut instanceof HttpCallTimedOut, `timed out, got ${String(timedOut)}`);
    assert.match(timedOut.message, /100 ms/);
    assert.equal(httpTransportError('GET', base, timedOut, true).code, 'HTTP_TIMEOUT');

    const cancelled = httpCall({
      method: 'GET',
      url: `${base}/slow`,
      headers: {},
      signal: run.signal,
      timeoutMs: 60_000,
    }).catch((e: unknown) => e);
    run.abort(new Error('run cancelled'));
    const reason = await cancelled;
    assert.ok(
      reason instanceof Error && !(reason instanceof HttpCallTimedOut),
      'cancelled, not timed out',
    );

    const kept = new AbortController();
    const answer = await httpCall({
      method: 'GET',
      url: `${base}/ok`,
      headers: {},
      signal: kept.signal,
      timeoutMs: 5_000,
    });
    assert.equal(answer.status, 200);
    assert.equal(
      getEventListeners(kept.signal, 'abort').length,
      0,
      'a finished call forgets the signal',
    );
  });

  test('an answer cut before its announced length is a transport error, not a short body', async () => {
    const cut = await call('/cut', 'GET').catch((e: unknown) => e);
    assert.ok(cut instanceof Error, 'the cut answer is refused');
    assert.equal(httpTransportError('GET', `${base}/cut`, cut, false).code, 'HTTP_UNREACHABLE');
  });
});

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startTestApi, type TestApi } from '../api/support.ts';

/** A seeded generator: the same inputs on every run, so a failure can be reproduced. */
function random(seed: number) {
  let s = seed >>> 0;
  const next = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: T[]) => items[int(items.length)]!;
  return { next, int, pick };
}

function randomJson(r: ReturnType<typeof random>, depth = 0): unknown {
  const kind = r.int(depth > 3 ? 5 : 8);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return r.next() < 0.5;
    case 2:
      return r.pick([0, -1, 1e308, -1e-308, 2 ** 53 + 1, 3.14]);
    case 3:
      return r.pick([
        '',
        'x',
        '\u0000',
        '\ud800',
        'ü'.repeat(50),
        '"; DROP TABLE events; --',
        '{{payload}}',
        '$$',
        '../../etc/passwd',
      ]);
    case 4:
      return r.pick(['shop', 'order.created', 'SO-1', 'Bad Source!']);
    case 5:
      return Array.from({ length: r.int(4) }, () => randomJson(r, depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = r.int(5); i > 0; i--)
        out[
          r.pick([
            'source',
            'type',
            'key',
            'payload',
            'id',
            'kind',
            '__proto__',
            'constructor',
            'name',
            'verification',
            'mapping',
            'x',
          ])
        ] = randomJson(r, depth + 1);
      return out;
    }
  }
}

function randomBody(r: ReturnType<typeof random>): string | Buffer {
  switch (r.int(7)) {
    case 0:
      return Buffer.from(Array.from({ length: r.int(200) }, () => r.int(256)));
    case 1:
      return JSON.stringify(randomJson(r)).slice(0, Math.max(1, r.int(60)));
    case 2:
      return '['.repeat(5000) + ']'.repeat(5000);
    case 3:
      return Buffer.concat([
        Buffer.from('{"source":"shop","type":"x","payload":{"a":"'),
        Buffer.from([0xff, 0xfe, 0xc0, 0x80]),
        Buffer.from('"}}'),
      ]);
    case 4:
      return JSON.stringify({
        source: 'shop',
        type: 'order.created',
        payload: { blob: 'y'.repeat(5000 + r.int(100_000)) },
      });
    default:
      return JSON.stringify(randomJson(r));
  }
}

/** A raw HTTP/1.1 exchange, for requests fetch refuses to send (bad headers, odd framing). */
function rawRequest(port: number, text: string | Buffer): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.on('error', () => undefined);
    socket.end(text);
  });
}

describe('fuzzing the ingress and the API: no 5xx, no crash, nothing stored from rejected requests', () => {
  let h: TestApi;
  let operator = '';
  let admin = '';
  before(async () => {
    h = await startTestApi({ maxBodyBytes: 4096 });
    operator = await h.tokenFor('operator');
    admin = await h.tokenFor('admin');
    const created = await h.request('POST', '/api/v1/sources', {
      token: admin,
      body: {
        name: 'carrier',
        verification: 'hmac-sha256',
        mapping: { type: 'x.y', key: '= body.id' },
      },
    });
    assert.equal(created.status, 201);
  });
  after(() => h.close());

  test('random and malformed bodies, wrong types, huge and non-UTF-8 bodies, odd headers', async () => {
    const r = random(20260305);
    const before = {
      events: await h.count('events'),
      deliveries: await h.count('webhook_deliveries'),
      sources: await h.count('webhook_sources'),
      users: await h.count('users'),
    };
    const statuses = new Map<number, number>();
    let accepted = 0;
    for (let i = 0; i < 400; i++) {
      const target = r.pick([
        '/hooks/carrier',
        '/hooks/carrier/tok',
        '/hooks/nosuch',
        '/api/v1/events',
        '/api/v1/sources',
        '/api/v1/users',
        '/api/v1/runs/1/replay',
        '/api/v1/workflows/validate',
        '/api/v1/auth/login',
        '/api/v1/setup',
      ]);
      const headers: Record<string, string> = {
        'content-type': r.pick([
          'application/json',
          'application/json; charset=latin1',
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/vnd.api+json',
          'multipart/form-data; boundary=x',
        ]),
      };
      if (r.next() < 0.7)
        headers.authorization = r.pick([
          `Bearer ${operator}`,
          `Bearer ${admin}`,
          'Bearer cdx_forged',
          'Basic YTpi',
          'Bearer ' + 'A'.repeat(5000),
          `bearer ${operator}`,
        ]);
      if (r.next() < 0.3)
        headers['crossdock-signature'] = r.pick([
          't=1,v1=00',
          't=99999999999999,v1=' + '0'.repeat(64),
          'v1=,t=',
          ',,,,',
          't=' + '9'.repeat(500),
        ]);
      if (r.next() < 0.2)
        headers.cookie = r.pick([
          'crossdock_session=' + 'x'.repeat(300),
          'crossdock_session=',
          'crossdock_session=%zz',
          ';;;',
        ]);
      if (r.next() < 0.2) headers['x-request-id'] = r.pick(['../../x', 'a'.repeat(500), 'ok-id-1']);
      const answer = await h.request(r.pick(['POST', 'POST', 'POST', 'PATCH', 'DELETE']), target, {
        raw: randomBody(r),
        headers,
      });
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      assert.ok(
        answer.status < 500,
        `request ${i} to ${target}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`,
      );
      if (answer.status >= 400) {
        assert.equal(
          typeof answer.body?.error?.code,
          'string',
          `request ${i}: every refusal has the error body`,
        );
        assert.ok(answer.body.error.requestId);
      }
      if (target === '/api/v1/events' && answer.status === 202) accepted++;
    }
    // Query strings and paths.
    for (const path of [
      '/api/v1/runs?limit=-1',
      '/api/v1/runs?limit=1e9',
      '/api/v1/runs?status[]=x',
      '/api/v1/runs?cursor=%%%',
      '/api/v1/runs?since=yesterday',
      '/api/v1/events?cursor=' + 'A'.repeat(300),
      '/api/v1/runs/%00',
      '/api/v1/runs/1%2F..%2F..',
      '/api/v1/users/-1',
      '/api/v1/audit?after=x',
      '/api/v1/events/99999999999999999999999',
    ]) {
      const answer = await h.request('GET', path, { token: admin });
      assert.ok(answer.status >= 400 && answer.status < 500, `${path}: ${answer.status}`);
    }
    // Requests fetch would not send: malformed header lines, absurd lengths, broken framing.
    const port = Number(new URL(h.base).port);
    for (const raw of [
      'POST /hooks/carrier HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{"a":',
      'POST /hooks/carrier HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n{}',
      'POST /api/v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
      `GET /api/v1/runs HTTP/1.1\r\nHost: x\r\nX-Long: ${'a'.repeat(20_000)}\r\n\r\n`,
      'GET /api/v1/runs HTTP/1.1\r\nHost: x\r\nBad Header Name: y\r\n\r\n',
      'GARBAGE\r\n\r\n',
    ]) {
      const status = await rawRequest(port, raw);
      assert.ok(status < 500, `raw request answered ${status}`);
    }
    // Still alive and sound; nothing from a refused request was stored.
    assert.equal((await h.request('GET', '/healthz')).status, 200);
    assert.equal((await h.request('GET', '/readyz')).status, 200);
    assert.deepEqual(
      {
        events: await h.count('events'),
        deliveries: await h.count('webhook_deliveries'),
        sources: await h.count('webhook_sources'),
        users: await h.count('users'),
      },
      { ...before, events: before.events + accepted },
    );
    assert.ok(
      (statuses.get(401) ?? 0) > 0 && (statuses.get(400) ?? 0) > 0 && (statuses.get(413) ?? 0) > 0,
      JSON.stringify([...statuses]),
    );
  });
});

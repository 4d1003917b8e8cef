import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { API_ROUTES } from '../../src/api/index.ts';
import { ManualClock, waitForRun } from '../support/engine.ts';
import { startTestApi, type TestApi } from './support.ts';

const FLOW = `
id: typed
trigger: { event: invoice.posted }
steps:
  - id: check
    type: switch
    with:
      cases: [{ when: "input.amount > 100", next: big }]
      default: small
  - id: big
    type: log
    with: { message: big }
    end: true
  - id: small
    type: log
    with: { message: small }
`;

describe('REST API v1', () => {
  let h: TestApi;
  const clock = new ManualClock('2026-04-01T08:00:00Z');
  let operator = '';
  before(async () => {
    h = await startTestApi({ workflows: [FLOW], engine: { clock } });
    h.engine.startWorkers(1);
    operator = await h.tokenFor('operator');
  });
  after(() => h.close());

  test('health, readiness and the OpenAPI document (one operation per route, each with its permission)', async () => {
    assert.deepEqual((await h.request('GET', '/healthz')).body, { status: 'ok' });
    assert.equal((await h.request('GET', '/readyz')).body.status, 'ready');
    const doc = (await h.request('GET', '/api/docs')).body;
    assert.equal(doc.openapi, '3.1.0');
    for (const r of API_ROUTES) {
      const op = doc.paths[r.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.[r.method.toLowerCase()];
      assert.ok(op, `${r.method} ${r.path} is documented`);
      assert.equal(op['x-permission'], r.access);
    }
    assert.ok(doc.paths['/hooks/{source}'].post);
  });

  test('events and runs: send, list with filters, cursor pages, show with the step timeline', async () => {
    for (let i = 1; i <= 5; i++) {
      const sent = await h.request('POST', '/api/v1/events', {
        token: operator,
        body: {
          source: 'erp',
          type: 'invoice.posted',
          key: `INV-${i}`,
          payload: { amount: i * 50 },
        },
      });
      assert.equal(sent.status, 202);
      await waitForRun(h.engine, sent.body.runIds[0]);
    }
    const page1 = await h.request('GET', '/api/v1/events?source=erp&limit=2', { token: operator });
    assert.deepEqual(
      page1.body.events.map((e: { key: string }) => e.key),
      ['INV-5', 'INV-4'],
    );
    const page2 = await h.request(
      'GET',
      `/api/v1/events?source=erp&limit=2&cursor=${page1.body.nextCursor}`,
      { token: operator },
    );
    assert.deepEqual(
      page2.body.events.map((e: { key: string }) => e.key),
      ['INV-3', 'INV-2'],
    );
    const page3 = await h.request(
      'GET',
      `/api/v1/events?source=erp&limit=2&cursor=${page2.body.nextCursor}`,
      { token: operator },
    );
    assert.deepEqual(
      page3.body.events.map((e: { key: string }) => e.key),
      ['INV-1'],
    );
    assert.equal(page3.body.nextCursor, null);
    const none = await h.request('GET', '/api/v1/runs?since=2026-04-01T09:00:00Z', {
      token: operator,
    });
    assert.deepEqual(none.body.runs, []);
    const runs = await h.request(
      'GET',
      '/api/v1/runs?workflow=typed&status=completed&since=2026-04-01T07:00:00Z&limit=10',
      { token: operator },
    );
    assert.equal(runs.body.runs.length, 5);
    const run = await h.request('GET', `/api/v1/runs/${runs.body.runs[0].id}`, { token: operator });
    assert.deepEqual(
      run.body.steps.map((s: { stepId: string }) => s.stepId),
      ['check', 'big'],
    );
    const bad = await h.request('GET', '/api/v1/runs?since=yesterday&limit=0', { token: operator });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.error.details.map((d: { path: string }) => d.path).sort(), [
      'query.limit',
      'query.since',
    ]);
  });

  test('events that arrive together over HTTP are committed together: fewer intake transactions than events', async () => {
    // Forty connections opened first, then one request on each, all written at once.
    const agent = new Agent({ keepAlive: true, maxSockets: 40 });
    const send = (method: string, path: string, body?: unknown) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(`${h.base}${path}`, {
          method,
          agent,
          headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
        });
        req.on('error', reject);
        req.on('response', (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        });
        req.end(body === undefined ? undefined : JSON.stringify(body));
      });
    try {
      await Promise.all(Array.from({ length: 40 }, () => send('GET', '/healthz')));
      const sent = await Promise.all(
        Array.from({ length: 40 }, (_, n) =>
          send('POST', '/api/v1/events', {
            source: 'erp',
            type: 'invoice.posted',
            key: `AT-ONCE-${n}`,
            payload: { amount: n },
          }),
        ),
      );
      assert.deepEqual([...new Set(sent.map((s) => s.status))], [202]);
      const ids = new Set(sent.map((s) => String(JSON.parse(s.body).eventId)));
      const entries = (await h.services.audit.list({ action: 'event.intake', limit: 1000 })).filter(
        (e) => (e.details as { events: { id: string }[] }).events.some((x) => ids.has(x.id)),
      );
      // Each intake transaction writes one entry: committed one by one, there would be 40.
      assert.ok(entries.length <= 10, `${entries.length} intake transactions for 40 events`);
    } finally {
      agent.destroy();
    }
  });

  test('workflows: the step graph, validation with line numbers, a dry run', async () => {
    const shown = await h.request('GET', '/api/v1/workflows/typed', { token: operator });
    assert.equal(shown.body.graph.start, 'check');
    assert.deepEqual(
      shown.body.graph.edges
        .filter((e: { from: string }) => e.from === 'check')
        .map((e: { to: string; kind: string }) => `${e.to}:${e.kind}`)
        .sort(),
      ['big:branch', 'small:branch'],
    );
    const invalid = await h.request('POST', '/api/v1/workflows/validate', {
      token: operator,
      body: { yaml: 'id: x\nsteps:\n  - id: a\n    type: nosuch\n' },
    });
    assert.equal(invalid.body.ok, false);
    assert.ok(invalid.body.problems.some((p: { line: number }) => p.line === 4));
    const dry = await h.request('POST', '/api/v1/workflows/typed/simulate', {
      token: operator,
      body: { event: { source: 'erp', type: 'invoice.posted', payload: { amount: 5 } } },
    });
    assert.equal(dry.body.outcome, 'completed');
  });

  test('a session: HTTP-only cookie, CSRF on writes, sign-out ends it', async () => {
    await h.services.users.create({
      email: 'lea@example.com',
      role: 'operator',
      password: 'a very long password',
    });
    const login = await h.request('POST', '/api/v1/auth/login', {
      body: { email: 'LEA@example.com', password: 'a very long password' },
    });
    assert.equal(login.status, 200);
    const setCookie = login.headers.get('set-cookie')!;
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    const cookie = setCookie.split(';')[0]!;
    assert.equal((await h.request('GET', '/api/v1/runs', { headers: { cookie } })).status, 200);
    const event = { source: 'erp', type: 'invoice.posted', key: 'INV-S', payload: { amount: 1 } };
    const noCsrf = await h.request('POST', '/api/v1/events', { headers: { cookie }, body: event });
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.body.error.code, 'CSRF_FAILED');
    assert.equal(
      (
        await h.request('POST', '/api/v1/events', {
          headers: { cookie, 'x-csrf-token': login.body.csrfToken },
          body: event,
        })
      ).status,
      202,
    );
    assert.equal(
      (
        await h.request('POST', '/api/v1/auth/logout', {
          headers: { cookie, 'x-csrf-token': login.body.csrfToken },
        })
      ).status,
      200,
    );
    assert.equal(
      (await h.request('GET', '/api/v1/runs', { headers: { cookie } })).body.error.code,
      'TOKEN_REJECTED',
    );
    const wrong = await h.request('POST', '/api/v1/auth/login', {
      body: { email: 'lea@example.com', password: 'not it' },
    });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'LOGIN_FAILED');
  });

  test('tokens: shown once, revocable, expiring, stopped when their user is disabled, limited to their event sources', async () => {
    const admin = await h.tokenFor('admin');
    const created = await h.request('POST', '/api/v1/tokens', {
      token: admin,
      body: {
        name: 'shop feed',
        scopes: ['events:send'],
        eventSources: ['shop'],
        expiresInDays: 1,
      },
    });
    assert.equal(created.status, 201);
    const listed = await h.request('GET', '/api/v1/tokens', { token: admin });
    assert.ok(!JSON.stringify(listed.body).includes(created.body.token));
    const shop = created.body.token;
    assert.equal(
      (
        await h.request('POST', '/api/v1/events', {
          token: shop,
          body: { source: 'shop', type: 'order.created', payload: {} },
        })
      ).status,
      202,
    );
    const elsewhere = await h.request('POST', '/api/v1/events', {
      token: shop,
      body: { source: 'erp', type: 'invoice.posted', payload: { amount: 1 } },
    });
    assert.equal(elsewhere.status, 403);
    assert.equal(elsewhere.body.error.code, 'EVENT_SOURCE_FORBIDDEN');
    clock.advance(2 * 86_400_000);
    assert.equal(
      (
        await h.request('POST', '/api/v1/events', {
          token: shop,
          body: { source: 'shop', type: 'order.created', payload: { n: 2 } },
        })
      ).status,
      401,
      'expired',
    );
    const other = await h.tokenFor('viewer');
    assert.equal((await h.request('GET', '/api/v1/runs', { token: other })).status, 200);
    const viewerId = (await h.services.users.findByEmail('viewer@test.example'))!.id;
    assert.equal(
      (await h.request('POST', `/api/v1/users/${viewerId}/disable`, { token: admin })).status,
      200,
    );
    assert.equal(
      (await h.request('GET', '/api/v1/runs', { token: other })).status,
      401,
      'disabled user',
    );
    const mine = await h.request('POST', '/api/v1/tokens', {
      token: operator,
      body: { name: 'mine' },
    });
    assert.equal(
      (await h.request('GET', '/api/v1/runs', { token: mine.body.token })).status,
      200,
      'works (and is remembered briefly) before it is revoked',
    );
    assert.equal(
      (await h.request('DELETE', `/api/v1/tokens/${mine.body.id}`, { token: operator })).status,
      200,
    );
    assert.equal(
      (await h.request('GET', '/api/v1/runs', { token: mine.body.token })).status,
      401,
      'revoked',
    );
    const entries = await h.services.audit.list({ limit: 1000 });
    const audit = entries.map((e) => e.action);
    for (const action of ['token.create', 'token.revoke', 'user.disable', 'event.intake'])
      assert.ok(audit.includes(action), action);
    // An accepted event is recorded once, by the intake's entry in its own transaction; not again as a generic write.
    assert.deepEqual(
      entries.filter((e) => e.action === 'api.write' && e.target === 'POST /api/v1/events'),
      [],
    );
  });

  test('secrets go in and never come out', async () => {
    const integrator = await h.tokenFor('integrator');
    const put = await h.request('POST', '/api/v1/secrets', {
      token: integrator,
      body: { name: 'smtp.password', value: 'smtp-Secret-Value-1' },
    });
    assert.equal(put.status, 201);
    const list = await h.request('GET', '/api/v1/secrets', { token: integrator });
    for (const body of [put.body, list.body])
      assert.ok(!JSON.stringify(body).includes('smtp-Secret-Value-1'));
    assert.equal(list.body.secrets[0].name, 'smtp.password');
  });

  test('rate limits answer 429 with Retry-After in the one error body', async () => {
    const limited = await startTestApi({ rateLimit: { perMinute: 3, loginPerMinute: 2 } });
    try {
      const token = await limited.tokenFor('viewer');
      const statuses = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await limited.request('GET', '/api/v1/runs', { token })).status);
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      const answer = await limited.request('GET', '/api/v1/runs', { token });
      assert.equal(answer.body.error.code, 'RATE_LIMITED');
      assert.ok(Number(answer.headers.get('retry-after')) > 0);
      assert.equal(
        (await limited.request('GET', '/api/v1/runs', { token: await limited.tokenFor('auditor') }))
          .status,
        200,
        'per token',
      );
      const logins = [];
      for (let i = 0; i < 3; i++)
        logins.push(
          (
            await limited.request('POST', '/api/v1/auth/login', {
              body: { email: 'x@example.com', password: 'y' },
            })
          ).status,
        );
      assert.deepEqual(logins, [401, 401, 429]);
    } finally {
      await limited.close();
    }
  });

  test('request ids: a harmless one is kept, others replaced; every answer carries one', async () => {
    const kept = await h.request('GET', '/api/v1/nothing', {
      headers: { 'x-request-id': 'trace-123' },
    });
    assert.equal(kept.headers.get('x-request-id'), 'trace-123');
    assert.equal(kept.body.error.requestId, 'trace-123');
    const replaced = await h.request('GET', '/healthz', {
      headers: { 'x-request-id': '<script>' },
    });
    assert.match(replaced.headers.get('x-request-id')!, /^[0-9a-f-]{36}$/);
  });
});

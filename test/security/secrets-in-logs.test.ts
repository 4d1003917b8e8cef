import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { base32Decode, EngineIdentity, totpAt } from '../../src/auth/index.ts';
import { createLogger, silentLogger } from '../../src/observability/index.ts';
import { signTimestamped } from '../../src/triggers/index.ts';
import { waitForRun } from '../support/engine.ts';
import { startTestApi, type TestApi } from '../api/support.ts';

const FLOW = `
id: call-home
trigger: { event: ping }
steps:
  - id: post
    type: http.request
    with:
      method: POST
      url: "= vars.apiUrl & '/api/v1/events'"
      headers: { authorization: "= 'Bearer ' & vars.apiToken" }
      body: { source: crossdock, type: pong, key: "= input.n", payload: { vars: "= vars" } }
    retry: { max_attempts: 1 }
`;

/**
 * Every log line of a full session (trace level: everything the code ever logs) is kept,
 * then searched for each secret value the session used: passwords, API tokens, the
 * session cookie and CSRF token, webhook secrets and signatures, stored credentials, the
 * secrets key. None may appear.
 */
describe('no secret reaches the logs', () => {
  let h: TestApi;
  let lines = '';
  const secrets = new Map<string, string>();
  before(async () => {
    const sink = new Writable({
      write: (chunk, _enc, done) => ((lines += chunk.toString()), done()),
    });
    const logger = createLogger({ level: 'trace', destination: sink });
    h = await startTestApi({ workflows: [FLOW], logger });
    h.engine.startWorkers(1);
  });
  after(() => h.close());

  test('a session that touches every secret logs none of them', async () => {
    const password = 'Correct-Horse-Battery-Staple-77';
    secrets.set('password', password);
    const admin = await h.tokenFor('admin');
    secrets.set('admin token', admin);
    assert.equal(
      (
        await h.request('POST', '/api/v1/users', {
          token: admin,
          body: { email: 'ops@example.com', role: 'operator', password },
        })
      ).status,
      201,
    );
    // Sign in, a wrong password, a wrong token, a forged cookie.
    const login = await h.request('POST', '/api/v1/auth/login', {
      body: { email: 'ops@example.com', password },
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    secrets.set('session cookie', cookie.split('=')[1]!);
    secrets.set('csrf token', login.body.csrfToken);
    await h.request('POST', '/api/v1/auth/login', {
      body: { email: 'ops@example.com', password: `${password}-wrong` },
    });
    await h.request('GET', '/api/v1/runs', { token: `${admin}x` });
    await h.request('GET', '/api/v1/runs', { headers: { cookie } });
    await h.request('POST', '/api/v1/events', {
      headers: { cookie, 'x-csrf-token': login.body.csrfToken, 'content-type': 'application/json' },
      raw: JSON.stringify({ source: 'shop', type: 'x', payload: {} }),
    });
    // A new token, shown once.
    const made = await h.request('POST', '/api/v1/tokens', {
      token: admin,
      body: { name: 'ci', scopes: ['events:send'] },
    });
    secrets.set('created token', made.body.token);
    // An authenticator enrolled and confirmed: its secret is in one answer, never in a log line.
    const enrolment = await h.request('POST', '/api/v1/auth/totp', { token: admin });
    secrets.set('authenticator secret', enrolment.body.secret);
    const confirmed = await h.request('POST', '/api/v1/auth/totp/confirm', {
      token: admin,
      body: { code: totpAt(base32Decode(enrolment.body.secret), h.engine.clock.now()) },
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    // A stored credential, and a webhook source with its secret, used well and badly.
    const odooKey = 'odoo-api-key-5f1c2e9a7b3d4c6e8f00';
    secrets.set('stored credential', odooKey);
    await h.request('POST', '/api/v1/secrets', {
      token: admin,
      body: { name: 'odoo.main.api_key', value: odooKey },
    });
    const source = await h.request('POST', '/api/v1/sources', {
      token: admin,
      body: {
        name: 'carrier',
        verification: 'hmac-sha256',
        mapping: { type: 'x.y', key: '= body.id' },
      },
    });
    secrets.set('webhook secret', source.body.secret);
    const body = JSON.stringify({ id: 'e1' });
    const signature = signTimestamped(source.body.secret, Math.floor(Date.now() / 1000), body);
    secrets.set('webhook signature', signature.split('v1=')[1]!);
    await h.request('POST', '/hooks/carrier', {
      raw: body,
      headers: { 'content-type': 'application/json', 'crossdock-signature': signature },
    });
    await h.request('POST', '/hooks/carrier', {
      raw: body,
      headers: { 'content-type': 'application/json', 'crossdock-signature': signature },
    }); // replay
    await h.request('POST', '/hooks/carrier', {
      raw: body,
      headers: {
        'content-type': 'application/json',
        'crossdock-signature': `t=1,v1=${createHmac('sha256', 'x').update(body).digest('hex')}`,
      },
    });
    const portal = await h.request('POST', '/api/v1/sources', {
      token: admin,
      body: {
        name: 'portal',
        verification: 'path-token',
        mapping: { type: 'x.y', key: '= body.id' },
      },
    });
    secrets.set('path token', portal.body.secret);
    await h.request('POST', `/hooks/portal/${portal.body.secret}`, {
      raw: body,
      headers: { 'content-type': 'application/json' },
    });
    await h.request('POST', `/hooks/portal/${portal.body.secret}x`, {
      raw: body,
      headers: { 'content-type': 'application/json' },
    });
    // A workflow that calls the API with the engine's token, once well and once with it broken.
    h.engine.vars.apiUrl = h.base;
    // The engine's own token (the only kind that may send as source crossdock), minted as a running instance mints it.
    let engineToken = '';
    const identity = new EngineIdentity(
      h.services.users,
      h.services.tokens,
      (token) => (engineToken = token),
      silentLogger(),
    );
    await identity.start();
    secrets.set('engine token', engineToken);
    Object.defineProperty(h.engine.vars, 'apiToken', {
      value: engineToken,
      enumerable: false,
      writable: true,
    });
    const ok = await h.request('POST', '/api/v1/events', {
      token: admin,
      body: { source: 'shop', type: 'ping', key: 'n1', payload: { n: 'n1' } },
    });
    const called = await waitForRun(h.engine, ok.body.runIds[0]);
    assert.equal(called.status, 'completed', JSON.stringify(called.error));
    assert.ok(
      !JSON.stringify(called).includes(engineToken),
      '`= vars` does not reveal the token (not enumerable)',
    );
    await identity.stop();
    h.engine.vars.apiToken = 'cdx_revoked-or-wrong-token-value-000000';
    secrets.set('wrong engine token', 'cdx_revoked-or-wrong-token-value-000000');
    const bad = await h.request('POST', '/api/v1/events', {
      token: admin,
      body: { source: 'shop', type: 'ping', key: 'n2', payload: { n: 'n2' } },
    });
    const failed = await waitForRun(h.engine, bad.body.runIds[0]);
    assert.equal(failed.status, 'failed');
    assert.ok(
      !JSON.stringify(failed).includes('cdx_revoked'),
      'the run record does not hold the token either',
    );

    assert.ok(
      lines.split('\n').length > 10,
      'the session did log (the check below is not vacuous)',
    );
    assert.match(lines, /webhook refused/);
    const found = [...secrets]
      .filter(([, value]) => value && lines.includes(value))
      .map(([name]) => name);
    assert.deepEqual(found, []);
  });
});

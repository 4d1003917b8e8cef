import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { signTimestamped, WebhookSources } from '../../src/triggers/index.ts';
import { ManualClock } from '../support/engine.ts';
import { startTestApi, type TestApi } from './support.ts';

const FLOW = `
id: delivered
trigger: { event: shipment.delivered, source: carrier }
steps:
  - id: note
    type: transform
    with: { shipment: "= input.shipment" }
`;

describe('webhook ingress: POST /hooks/:source', () => {
  let h: TestApi;
  const clock = new ManualClock('2026-03-02T10:00:00Z');
  let secret = '';
  const nowS = () => Math.floor(clock.now().getTime() / 1000);
  const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    h.request('POST', path, {
      raw: body,
      headers: { 'content-type': 'application/json', ...headers },
    });
  const signed = (body: string, t = nowS(), key = secret) => ({
    'crossdock-signature': signTimestamped(key, t, body),
  });
  /** Nothing stored: no event and no used-signature row beyond what accepted requests left. */
  const stored = async () => ({
    events: await h.count('events'),
    deliveries: await h.count('webhook_deliveries'),
  });

  before(async () => {
    h = await startTestApi({ workflows: [FLOW], engine: { clock }, maxBodyBytes: 4096 });
    const admin = await h.tokenFor('integrator');
    const created = await h.request('POST', '/api/v1/sources', {
      token: admin,
      body: {
        name: 'carrier',
        verification: 'hmac-sha256',
        mapping: {
          type: '= body.kind',
          key: '= body.id',
          payload: '= { "shipment": body.shipment }',
        },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    secret = created.body.secret;
    assert.ok(secret.length >= 32);
    const again = await h.request('GET', '/api/v1/sources/carrier', { token: admin });
    assert.equal(again.body.secret, undefined, 'the secret is shown once, at creation');
    assert.ok(!JSON.stringify(again.body).includes(secret));
    for (const source of [
      {
        name: 'shop',
        verification: 'header-hmac',
        signatureHeader: 'X-Shop-Hmac-Sha256',
        secret: 'shop-secret-0123456789-abcdefgh',
        mapping: { type: 'shipment.delivered', key: '= $string(body.id)' },
      },
      {
        name: 'portal',
        verification: 'path-token',
        secret: 'portal-token-0123456789-abcdefgh',
        mapping: { type: 'shipment.delivered', key: '= body.ref' },
      },
    ])
      assert.equal(
        (await h.request('POST', '/api/v1/sources', { token: admin, body: source })).status,
        201,
      );
  });
  after(() => h.close());

  test('a validly signed delivery is accepted once (202), and starts its workflow', async () => {
    const body = JSON.stringify({ id: 'evt_1', kind: 'shipment.delivered', shipment: 'SH-1' });
    const first = await post('/hooks/carrier', body, signed(body));
    assert.equal(first.status, 202, JSON.stringify(first.body));
    assert.equal(first.body.duplicate, false);
    const event = await h.request('GET', `/api/v1/events/${first.body.eventId}`, {
      token: await h.tokenFor('viewer'),
    });
    assert.equal(event.body.source, 'carrier');
    assert.equal(event.body.key, 'evt_1');
    assert.deepEqual(event.body.payload, { shipment: 'SH-1' });
    assert.equal(event.body.runs.length, 1);
    // The carrier re-sends the same event later, freshly signed: a duplicate, nothing new starts.
    clock.advance(10_000);
    const redelivered = await post('/hooks/carrier', body, signed(body));
    assert.equal(redelivered.status, 200);
    assert.deepEqual(redelivered.body, {
      eventId: first.body.eventId,
      duplicate: true,
      conflict: false,
    });
  });

  test('a replayed request (same signature and timestamp) is refused and stores nothing', async () => {
    const body = JSON.stringify({ id: 'evt_2', kind: 'shipment.delivered', shipment: 'SH-2' });
    const headers = signed(body);
    assert.equal((await post('/hooks/carrier', body, headers)).status, 202);
    const before = await stored();
    const replay = await post('/hooks/carrier', body, headers);
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error.code, 'HOOK_REPLAYED');
    assert.deepEqual(await stored(), before);
  });

  test('stale and future timestamps, tampered bodies, wrong keys and missing signatures are refused; nothing is stored', async () => {
    const body = JSON.stringify({ id: 'evt_3', kind: 'shipment.delivered', shipment: 'SH-3' });
    const tampered = JSON.stringify({
      id: 'evt_3',
      kind: 'shipment.delivered',
      shipment: 'SH-999',
    });
    const before = await stored();
    const cases: [string, Record<string, string>, string, number, string][] = [
      ['stale', signed(body, nowS() - 301), body, 401, 'HOOK_TIMESTAMP_STALE'],
      ['future', signed(body, nowS() + 301), body, 401, 'HOOK_TIMESTAMP_STALE'],
      ['tampered body', signed(body), tampered, 401, 'HOOK_SIGNATURE_INVALID'],
      ['wrong key', signed(body, nowS(), 'not-the-secret'), body, 401, 'HOOK_SIGNATURE_INVALID'],
      ['no signature', {}, body, 401, 'HOOK_SIGNATURE_MISSING'],
      [
        'garbage signature',
        { 'crossdock-signature': 'v1=zz,t=now' },
        body,
        401,
        'HOOK_SIGNATURE_INVALID',
      ],
    ];
    for (const [what, headers, sent, status, code] of cases) {
      const answer = await post('/hooks/carrier', sent, headers);
      assert.equal(answer.status, status, what);
      assert.equal(answer.body.error.code, code, what);
      assert.ok(answer.body.error.requestId, what);
      assert.deepEqual(answer.body.error.details, [], what);
    }
    assert.deepEqual(await stored(), before);
    // Inside the window is fine.
    assert.equal((await post('/hooks/carrier', body, signed(body, nowS() - 299))).status, 202);
  });

  test('unknown sources, bad bodies, wrong media types and oversize bodies get their documented errors and store nothing', async () => {
    const before = await stored();
    const unmappable = JSON.stringify({ kind: 'shipment.delivered' }); // no id: no dedupe key
    const notJson = '{"id": ';
    const badUtf8 = Buffer.concat([
      Buffer.from('{"id":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    const huge = JSON.stringify({
      id: 'evt_big',
      kind: 'shipment.delivered',
      blob: 'x'.repeat(10_000),
    });
    const checks: [Promise<{ status: number; body: any }>, number, string, string[]][] = [
      [post('/hooks/nosuch', unmappable, signed(unmappable)), 401, 'HOOK_UNAUTHORIZED', []],
      [
        post('/hooks/carrier', unmappable, signed(unmappable)),
        400,
        'HOOK_MAPPING_FAILED',
        ['mapping.key'],
      ],
      [post('/hooks/carrier', notJson, signed(notJson)), 400, 'BODY_INVALID', []],
      [
        post('/hooks/carrier', badUtf8, signed(badUtf8.toString('latin1'))),
        401,
        'HOOK_SIGNATURE_INVALID',
        [],
      ],
      [
        h.request('POST', '/hooks/carrier', {
          raw: 'id=1',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
        415,
        'CONTENT_TYPE_UNSUPPORTED',
        [],
      ],
      [post('/hooks/carrier', huge, signed(huge)), 413, 'EVENT_TOO_LARGE', []],
    ];
    for (const [pending, status, code, paths] of checks) {
      const answer = await pending;
      assert.equal(answer.status, status, `${code}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, code);
      assert.deepEqual(
        answer.body.error.details.map((d: { path: string }) => d.path),
        paths,
      );
    }
    // Correctly signed invalid UTF-8 is refused after the signature check.
    const mac = createHmac('sha256', secret).update(`${nowS()}.`).update(badUtf8).digest('hex');
    const invalidText = await post('/hooks/carrier', badUtf8, {
      'crossdock-signature': `t=${nowS()},v1=${mac}`,
    });
    assert.equal(invalidText.status, 400);
    assert.equal(invalidText.body.error.code, 'BODY_INVALID');
    assert.deepEqual(await stored(), before);
  });

  test('a provider header HMAC (hex or base64) and a secret path token authenticate their sources', async () => {
    const body = JSON.stringify({ id: 42 });
    const mac = createHmac('sha256', 'shop-secret-0123456789-abcdefgh').update(body);
    const digest = mac.digest();
    assert.equal(
      (await post('/hooks/shop', body, { 'x-shop-hmac-sha256': digest.toString('base64') })).status,
      202,
    );
    assert.equal(
      (await post('/hooks/shop', body, { 'x-shop-hmac-sha256': digest.toString('hex') })).status,
      200,
      'the same event again: a duplicate',
    );
    assert.equal(
      (await post('/hooks/shop', body, { 'x-shop-hmac-sha256': 'AAAA' })).body.error.code,
      'HOOK_SIGNATURE_INVALID',
    );
    const portal = JSON.stringify({ ref: 'P-1' });
    assert.equal(
      (await post('/hooks/portal/portal-token-0123456789-abcdefgh', portal)).status,
      202,
    );
    const wrong = await post('/hooks/portal/portal-token-0123456789-abcdefgX', portal);
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'HOOK_UNAUTHORIZED');
    assert.equal(
      (await post('/hooks/portal', portal)).status,
      401,
      'a path-token source without its token',
    );
  });

  test('rotating a secret stops the old one at once; refusals are counted in the metrics', async () => {
    const integrator = await h.tokenFor('integrator');
    const rotated = await h.request('POST', '/api/v1/sources/carrier/rotate-secret', {
      token: integrator,
    });
    assert.equal(rotated.status, 200);
    const body = JSON.stringify({ id: 'evt_9', kind: 'shipment.delivered', shipment: 'SH-9' });
    assert.equal(
      (await post('/hooks/carrier', body, signed(body))).body.error.code,
      'HOOK_SIGNATURE_INVALID',
    );
    secret = rotated.body.secret;
    assert.equal((await post('/hooks/carrier', body, signed(body))).status, 202);
    const metrics = await h.request('GET', '/metrics', { token: integrator });
    assert.match(
      metrics.body,
      /crossdock_events_rejected_total\{source="carrier",code="HOOK_SIGNATURE_INVALID"\} [1-9]/,
    );
    assert.match(
      metrics.body,
      /crossdock_events_rejected_total\{source="\(unknown\)",code="HOOK_UNAUTHORIZED"\} [1-9]/,
    );
    assert.match(metrics.body, /crossdock_events_accepted_total\{source="carrier"\} [1-9]/);
  });

  test('a source disabled by another process (the CLI on the same store) is refused here within a second, and enabled again likewise', async () => {
    const delivery = (id: string) => {
      const body = JSON.stringify({ id, kind: 'shipment.delivered', shipment: `SH-${id}` });
      return post('/hooks/carrier', body, signed(body));
    };
    assert.equal((await delivery('evt_20')).status, 202);
    const elsewhere = new WebhookSources(h.t.store.db, h.services.secrets, () => clock.now());
    await elsewhere.update('carrier', { enabled: false });
    // This process read the source less than a second ago and may still believe it.
    clock.advance(1_000);
    const refused = await delivery('evt_21');
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error.code, 'HOOK_UNAUTHORIZED');
    await elsewhere.update('carrier', { enabled: true });
    clock.advance(1_000);
    assert.equal((await delivery('evt_22')).status, 202);
  });
});

/**
 * Carrier webhook signatures (good, bad, stale, tampered), the mapping to Crossdock events,
 * and the route in the real API server, fed by the simulator's signed deliveries.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/index.ts';
import { servicesFor } from '../support/api-services.ts';
import {
  carrierWebhookEvent,
  carrierWebhookRoutes,
  parseCarrierConfigs,
  verifyCarrierWebhook,
  type CarrierConfig,
} from '../../src/connectors/carriers/index.ts';
import type { Engine } from '../../src/engine/index.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { engineWith } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';
import { shipment, startCarriers, type Carriers } from './support.ts';

const SECRET = 'whsec-0123456789abcdef';
const NOW = new Date('2026-01-05T08:00:00Z');
const T = String(NOW.getTime() / 1000);

const [TIMESTAMPED, BASE64, NONE] = parseCarrierConfigs([
  {
    code: 'stamped',
    base_url: 'https://a.example',
    auth: { api_key: 'k' },
    webhook: {
      secret: SECRET,
      signature_header: 'X-Sig',
      timestamp_header: 'X-Sig-Time',
      tolerance_seconds: 300,
    },
  },
  {
    code: 'plain64',
    base_url: 'https://b.example',
    auth: { api_key: 'k' },
    webhook: { secret: SECRET, signature_header: 'x-hmac', signature_encoding: 'base64' },
  },
  { code: 'nohooks', base_url: 'https://c.example', auth: { api_key: 'k' } },
]) as [CarrierConfig, CarrierConfig, CarrierConfig];

const BODY =
  '{"id":"EV-1","tracking_ref":"T1","status":"delayed","at":"2026-01-05T07:59:00Z","reason":"storm"}';
const mac = (message: string, secret = SECRET) => createHmac('sha256', secret).update(message);

describe('verifyCarrierWebhook', () => {
  test('a timestamped HMAC over "<t>.<body>": good, wrong secret, missing, stale, tampered', () => {
    const good = { 'x-sig': mac(`${T}.${BODY}`).digest('hex'), 'x-sig-time': T };
    assert.deepEqual(verifyCarrierWebhook(TIMESTAMPED, BODY, good, NOW), {
      ok: true,
      replayKey: null,
    });
    assert.deepEqual(
      verifyCarrierWebhook(
        TIMESTAMPED,
        Buffer.from(BODY),
        { 'X-SIG': `sha256=${good['x-sig']}`, 'X-Sig-Time': T },
        NOW,
      ),
      { ok: true, replayKey: null },
      'any header case; sha256= prefix',
    );
    const verdict = (body: string, headers: Record<string, string | string[]>, now = NOW) => {
      const v = verifyCarrierWebhook(TIMESTAMPED, body, headers, now);
      return v.ok ? 'ok' : v.code;
    };
    assert.equal(
      verdict(BODY, {
        'x-sig': mac(`${T}.${BODY}`, 'another-secret-here').digest('hex'),
        'x-sig-time': T,
      }),
      'HOOK_SIGNATURE_INVALID',
    );
    assert.equal(verdict(BODY, { 'x-sig-time': T }), 'HOOK_SIGNATURE_MISSING');
    assert.equal(verdict(BODY, { 'x-sig': good['x-sig'] }), 'HOOK_SIGNATURE_MISSING');
    assert.equal(
      verdict(BODY, { ...good, 'x-sig': [good['x-sig'], good['x-sig']] }),
      'HOOK_SIGNATURE_MISSING',
      'a repeated header is refused',
    );
    assert.equal(
      verdict(BODY.replace('storm', 'sun'), good),
      'HOOK_SIGNATURE_INVALID',
      'tampered body',
    );
    assert.equal(
      verdict(BODY, { ...good, 'x-sig-time': String(Number(T) + 1) }),
      'HOOK_SIGNATURE_INVALID',
      'the timestamp is signed too',
    );
    assert.equal(
      verdict(BODY, { ...good, 'x-sig-time': '2026-01-05T08:00:00Z' }),
      'HOOK_SIGNATURE_INVALID',
    );
    assert.equal(
      verdict(BODY, good, new Date(NOW.getTime() + 299_000)),
      'ok',
      'inside the tolerance',
    );
    assert.equal(verdict(BODY, good, new Date(NOW.getTime() + 301_000)), 'HOOK_TIMESTAMP_STALE');
    assert.equal(
      verdict(BODY, good, new Date(NOW.getTime() - 301_000)),
      'HOOK_TIMESTAMP_STALE',
      'from the future',
    );
    // A stale delivery with a forged signature is refused as forged, not as stale.
    assert.equal(
      verdict(BODY, { ...good, 'x-sig': '0'.repeat(64) }, new Date(NOW.getTime() + 3_600_000)),
      'HOOK_SIGNATURE_INVALID',
    );
  });

  test('a base64 HMAC over the body alone; no configuration refuses everything', () => {
    assert.deepEqual(
      verifyCarrierWebhook(BASE64, BODY, { 'x-hmac': mac(BODY).digest('base64') }, NOW),
      { ok: true, replayKey: null },
    );
    const hex = verifyCarrierWebhook(BASE64, BODY, { 'x-hmac': mac(BODY).digest('hex') }, NOW);
    assert.equal(hex.ok ? 'ok' : hex.code, 'HOOK_SIGNATURE_INVALID');
    const none = verifyCarrierWebhook(NONE, BODY, { 'x-hmac': mac(BODY).digest('base64') }, NOW);
    assert.equal(none.ok ? 'ok' : none.code, 'HOOK_UNAUTHORIZED');
  });
});

describe('carrierWebhookEvent', () => {
  test('maps a delivery to shipment.<status>, keyed by the carrier event id', () => {
    assert.deepEqual(carrierWebhookEvent(TIMESTAMPED, JSON.parse(BODY)), {
      source: 'carrier.stamped',
      type: 'shipment.delayed',
      key: 'EV-1',
      payload: {
        carrier: 'stamped',
        tracking_ref: 'T1',
        status: 'delayed',
        at: '2026-01-05T07:59:00.000Z',
        reason: 'storm',
      },
    });
  });

  test('field paths and status names come from the configuration; what does not fit is refused with each path', () => {
    const [nested] = parseCarrierConfigs([
      {
        code: 'nested',
        base_url: 'https://n.example',
        auth: { api_key: 'k' },
        statuses: { DAMAGED: 'damaged' },
        webhook: {
          secret: SECRET,
          signature_header: 'x-sig',
          fields: {
            event_id: 'event.id',
            tracking_ref: 'shipment.number',
            status: 'event.type',
            at: 'event.when',
            reason: 'event.note',
            reference: 'shipment.ref',
          },
        },
      },
    ]);
    const body = {
      event: { id: 77, type: 'DAMAGED', when: '2026-01-05T10:00:00+01:00', note: 'wet' },
      shipment: { number: 'N-9', ref: 'WH/OUT/00042' },
    };
    assert.deepEqual(carrierWebhookEvent(nested!, body), {
      source: 'carrier.nested',
      type: 'shipment.damaged',
      key: '77',
      payload: {
        carrier: 'nested',
        tracking_ref: 'N-9',
        status: 'damaged',
        at: '2026-01-05T09:00:00.000Z',
        reason: 'wet',
        reference: 'WH/OUT/00042',
      },
    });
    assert.throws(
      () =>
        carrierWebhookEvent(nested!, {
          event: { id: 'e', type: 'LOST', when: 'yesterday' },
          shipment: {},
        }),
      (error: Error & { code?: string; details?: { path: string }[] }) => {
        assert.equal(error.code, 'CARRIER_WEBHOOK_INVALID');
        assert.deepEqual(
          error.details?.map((d) => d.path),
          ['shipment.number', 'event.type', 'event.when'],
        );
        return true;
      },
    );
  });
});

describe('POST /hooks/carriers/:code in the API server, fed by the simulator', () => {
  let c: Carriers;
  let store: TestStore;
  let engine: Engine;
  let api: FastifyInstance;
  const ON_DELAY = `
id: shipment-delayed
trigger: { event: shipment.delayed }
steps:
  - id: note
    type: log
    with: { message: "= 'delayed ' & input.tracking_ref" }
`;

  before(async () => {
    c = await startCarriers();
    store = await openTestStore();
    engine = await engineWith(store.store, [ON_DELAY]);
    const routes = carrierWebhookRoutes({
      carriers: c.configs,
      accept: (event) => engine.accept(event),
      now: () => engine.clock.now(),
      logger: silentLogger(),
    });
    api = await buildApi({
      services: servicesFor(engine, { keyring: null }),
      logger: silentLogger(),
      maxBodyBytes: 64 * 1024,
      plugins: [routes],
    });
    await api.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    c.sim.setWebhookUrl((code) => `${base}/hooks/carriers/${code}`);
  });
  after(async () => {
    await api.close();
    await c.close();
    await store.dispose();
  });

  const eventsFrom = (source: string) =>
    store.store.db
      .selectFrom('events')
      .select(['type', 'dedupe_key', 'payload'])
      .where('source', '=', source)
      .orderBy('id')
      .execute();

  test('a delivery sent three times is one event and starts one run', async () => {
    const booking = await c.registry
      .get('swiftpost')
      .book(shipment({ reference: 'WH/OUT/00301' }), { idempotencyKey: 'hook-1' });
    const sent = await c.sim.sendTracking(
      'swiftpost',
      { tracking_ref: booking.tracking_ref, status: 'delayed', reason: 'storm over Kassel' },
      { deliveries: 3 },
    );
    assert.deepEqual(
      sent.map((d) => d.status),
      [202, 200, 200],
    );
    assert.deepEqual(
      sent.map((d) => JSON.parse(d.response).duplicate),
      [false, true, true],
    );
    const events = await eventsFrom('carrier.swiftpost');
    assert.equal(events.length, 1);
    assert.deepEqual(
      [events[0]!.type, events[0]!.dedupe_key],
      ['shipment.delayed', sent[0]!.eventId],
    );
    assert.deepEqual(events[0]!.payload, {
      carrier: 'swiftpost',
      tracking_ref: booking.tracking_ref,
      status: 'delayed',
      at: (events[0]!.payload as { at: string }).at,
      reason: 'storm over Kassel',
      reference: 'WH/OUT/00301',
    });
    assert.equal((await engine.runs.list({ workflowId: 'shipment-delayed' })).length, 1);
  });

  test('a carrier retrying its webhook later sends the same event under the same id: one event, one history entry', async () => {
    const booking = await c.registry
      .get('swiftpost')
      .book(shipment({ reference: 'WH/OUT/00302' }), { idempotencyKey: 'hook-retry' });
    const update = {
      tracking_ref: booking.tracking_ref,
      status: 'delayed' as const,
      reason: 'road closed',
    };
    const [first] = await c.sim.sendTracking('swiftpost', update);
    const [retry] = await c.sim.sendTracking('swiftpost', { ...update, event_id: first!.eventId });
    assert.equal(retry!.eventId, first!.eventId);
    assert.equal(retry!.body, first!.body, 'the same event, unchanged');
    assert.equal(JSON.parse(retry!.response).duplicate, true);
    const history = c.sim.tracking('swiftpost', booking.tracking_ref);
    assert.equal(history.filter((e) => e.id === first!.eventId).length, 1);
    const events = (await eventsFrom('carrier.swiftpost')).filter(
      (e) => e.dedupe_key === first!.eventId,
    );
    assert.equal(events.length, 1);
  });

  test("each carrier's own signature scheme and body shape: euroline (base64, legacy fields), cargoplus (sha256=, nested, UPPER_CASE)", async () => {
    const euro = await c.registry
      .get('euroline')
      .book(shipment({ reference: 'WH/OUT/00302' }), { idempotencyKey: 'hook-2' });
    const cargo = await c.registry
      .get('cargoplus')
      .book(shipment({ reference: 'WH/OUT/00303' }), { idempotencyKey: 'hook-3' });
    const [delivered] = await c.sim.sendTracking('euroline', {
      tracking_ref: euro.tracking_ref,
      status: 'delivered',
    });
    const [damaged] = await c.sim.sendTracking('cargoplus', {
      tracking_ref: cargo.tracking_ref,
      status: 'damaged',
      reason: 'pallet dropped',
    });
    assert.deepEqual([delivered!.status, damaged!.status], [202, 202]);
    assert.match(delivered!.body, /"state":"delivered"/);
    assert.match(damaged!.body, /"type":"DAMAGED"/);
    assert.deepEqual(
      (await eventsFrom('carrier.euroline')).map((e) => [
        e.type,
        (e.payload as { reference?: string }).reference,
      ]),
      [['shipment.delivered', 'WH/OUT/00302']],
    );
    assert.deepEqual(
      (await eventsFrom('carrier.cargoplus')).map((e) => [
        e.type,
        (e.payload as { reason?: string }).reason,
      ]),
      [['shipment.damaged', 'pallet dropped']],
    );
  });

  test("a proof of delivery (signer, document) is read from each carrier's body shape into signed_by and proof_ref", async () => {
    const proof = { signed_by: 'J. Petersen', proof_ref: 'https://pod.example/123.jpg' };
    const refs: Record<string, string> = {};
    for (const [index, code] of ['swiftpost', 'euroline', 'cargoplus'].entries()) {
      const booking = await c.registry
        .get(code)
        .book(shipment({ reference: `WH/OUT/0031${index}` }), {
          idempotencyKey: `hook-pod-${code}`,
        });
      refs[code] = booking.tracking_ref;
      const [sent] = await c.sim.sendTracking(code, {
        tracking_ref: booking.tracking_ref,
        status: 'delivered',
        ...proof,
      });
      assert.equal(sent!.status, 202, sent!.response);
    }
    for (const code of ['swiftpost', 'euroline', 'cargoplus']) {
      const delivered = (await eventsFrom(`carrier.${code}`)).filter(
        (e) => (e.payload as { tracking_ref: string }).tracking_ref === refs[code],
      );
      assert.deepEqual(
        delivered.map((e) => [
          e.type,
          (e.payload as { signed_by?: string }).signed_by,
          (e.payload as { proof_ref?: string }).proof_ref,
        ]),
        [['shipment.delivered', proof.signed_by, proof.proof_ref]],
        code,
      );
    }
  });

  test('forged, unsigned, stale, tampered and unknown-carrier deliveries are refused with 401 and store nothing', async () => {
    const before =
      (await eventsFrom('carrier.parcelnow')).length +
      (await eventsFrom('carrier.swiftpost')).length;
    const code = (d: { status: number | null; response: string }) => [
      d.status,
      JSON.parse(d.response).error.code,
    ];
    assert.deepEqual(
      code(
        (
          await c.sim.sendTracking(
            'parcelnow',
            { tracking_ref: 'PN1', status: 'exception' },
            { signature: 'wrong-secret' },
          )
        )[0]!,
      ),
      [401, 'HOOK_SIGNATURE_INVALID'],
    );
    assert.deepEqual(
      code(
        (
          await c.sim.sendTracking(
            'parcelnow',
            { tracking_ref: 'PN1', status: 'exception' },
            { signature: 'missing' },
          )
        )[0]!,
      ),
      [401, 'HOOK_SIGNATURE_MISSING'],
    );
    assert.deepEqual(
      code(
        (
          await c.sim.sendTracking(
            'parcelnow',
            { tracking_ref: 'PN1', status: 'exception' },
            { tamper: true },
          )
        )[0]!,
      ),
      [401, 'HOOK_SIGNATURE_INVALID'],
    );
    assert.deepEqual(
      code(
        (
          await c.sim.sendTracking(
            'swiftpost',
            { tracking_ref: 'SP1', status: 'in_transit' },
            { timestampSkewS: -600 },
          )
        )[0]!,
      ),
      [401, 'HOOK_TIMESTAMP_STALE'],
    );
    const url = c.sim.webhooks.at(-1)!.url.replace(/swiftpost$/, 'nosuchcarrier');
    assert.deepEqual(
      code(
        (
          await c.sim.sendTracking(
            'swiftpost',
            { tracking_ref: 'SP1', status: 'in_transit' },
            { url },
          )
        )[0]!,
      ),
      [401, 'HOOK_UNAUTHORIZED'],
    );
    assert.equal(
      (await eventsFrom('carrier.parcelnow')).length +
        (await eventsFrom('carrier.swiftpost')).length,
      before,
    );
  });

  test('a body that is signed but not readable is 400 CARRIER_WEBHOOK_INVALID', async () => {
    const [sent] = await c.sim.sendTracking('parcelnow', {
      tracking_ref: 'PN2',
      status: 'in_transit',
      at: 'not a time',
    });
    assert.equal(sent!.status, 400);
    const error = JSON.parse(sent!.response).error;
    assert.deepEqual(
      [error.code, error.details.map((d: { path: string }) => d.path)],
      ['CARRIER_WEBHOOK_INVALID', ['at']],
    );
  });
});

/** The generic REST adapter against the carrier simulator: rates, booking, idempotent rebooking, cancel, track. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRestCarrier, parseCarrierConfigs } from '../../src/connectors/carriers/index.ts';
import { closedPortUrl, shipment, startCarriers, type Carriers } from './support.ts';

describe('REST adapter against the simulator', () => {
  let c: Carriers;
  before(async () => (c = await startCarriers()));
  after(() => c.close());

  test('rates differ by carrier; a carrier that does not serve the shipment quotes nothing', async () => {
    const domestic = shipment();
    const quotes = Object.fromEntries(
      await Promise.all(
        c.registry
          .codes()
          .map(async (code) => [code, await c.registry.get(code).rates(domestic)] as const),
      ),
    );
    assert.deepEqual(
      quotes.swiftpost!.map((r) => [r.carrier, r.service, r.price, r.currency, r.transit_days]),
      [
        ['swiftpost', 'standard', 9.28, 'EUR', 3],
        ['swiftpost', 'economy', 7.65, 'EUR', 5],
      ],
    );
    assert.deepEqual(
      quotes.parcelnow!.map((r) => [r.service, r.price, r.transit_days]),
      [['budget', 6.03, 4]],
    );
    assert.deepEqual(
      quotes.euroline!.map((r) => [r.service, r.price, r.transit_days]),
      [['road', 14.38, 2]],
    );
    assert.ok(
      quotes.cargoplus!.every((r) => r.price > 30 && r.transit_days === 1),
      'premium express',
    );

    const toFrance = shipment({ to: { country: 'FR', postcode: '75001' } });
    assert.deepEqual(await c.registry.get('swiftpost').rates(toFrance), []);
    assert.deepEqual(
      (await c.registry.get('euroline').rates(toFrance)).map((r) => [r.price, r.transit_days]),
      [[19.41, 4]],
      'cross-border costs more and takes longer',
    );
    const hazardous = shipment({ hazardous: true });
    assert.deepEqual(await c.registry.get('euroline').rates(hazardous), []);
    assert.deepEqual(
      (await c.registry.get('cargoplus').rates(hazardous)).map((r) => r.price),
      [69, 81.5],
      'dangerous goods surcharge',
    );
  });

  test('a booking sends its Idempotency-Key; the same key books once and answers the same booking', async () => {
    const port = c.registry.get('swiftpost');
    const s = shipment({ reference: 'WH/OUT/00201' });
    const first = await port.book(s, { idempotencyKey: 'adapter-k1', service: 'economy' });
    assert.deepEqual(
      [first.carrier, first.service, first.price, first.currency],
      ['swiftpost', 'economy', 7.65, 'EUR'],
    );
    assert.match(first.label_url ?? '', /\/swiftpost\/labels\/SP-\d{6}\.pdf$/);
    const again = await port.book(s, { idempotencyKey: 'adapter-k1', service: 'economy' });
    assert.deepEqual(again, first);
    assert.equal(
      c.sim.bookings('swiftpost').filter((b) => b.reference === 'WH/OUT/00201').length,
      1,
    );
    assert.deepEqual(
      c.sim.calls
        .filter({ carrier: 'swiftpost', operation: 'book' })
        .map((call) => call.idempotencyKey),
      ['adapter-k1', 'adapter-k1'],
    );
    const label = await fetch(first.label_url!, {
      headers: { authorization: 'Bearer sim-swiftpost-key' },
    });
    assert.deepEqual([label.status, (await label.text()).startsWith('%PDF')], [200, true]);

    await assert.rejects(
      port.book(shipment({ reference: 'WH/OUT/00202' }), { idempotencyKey: 'adapter-k1' }),
      {
        code: 'CARRIER_BOOKING_REJECTED',
        message: /Idempotency-Key adapter-k1 was used for a different request/,
      },
    );
    assert.equal(
      c.sim.bookings('swiftpost').filter((b) => b.reference === 'WH/OUT/00202').length,
      0,
    );
  });

  test("refusals carry the carrier's reason", async () => {
    const cases: [string, Parameters<typeof shipment>[0], string | undefined, RegExp][] = [
      [
        'swiftpost',
        { to: { country: 'AT', postcode: '1010' } },
        undefined,
        /swiftpost does not serve AT/,
      ],
      [
        'euroline',
        { to: { country: 'ES', postcode: '35001', region: 'ES-CN' } },
        undefined,
        /does not deliver to region ES-CN/,
      ],
      ['parcelnow', { hazardous: true }, undefined, /does not carry hazardous goods/],
      [
        'parcelnow',
        { parcels: [{ weight_kg: 5 }, { weight_kg: 25 }] },
        undefined,
        /parcel 2 weighs 25 kg; parcelnow takes at most 20 kg/,
      ],
      ['cargoplus', {}, 'overnight', /has no service "overnight"; it has express, express_noon/],
    ];
    for (const [code, overrides, service, reason] of cases) {
      await assert.rejects(
        c.registry.get(code).book(shipment({ reference: 'WH/OUT/00203', ...overrides }), {
          idempotencyKey: `refuse-${code}-${reason.source.length}`,
          ...(service ? { service } : {}),
        }),
        (error: Error & { code?: string; category?: string; details?: { message: string }[] }) => {
          assert.deepEqual(
            [error.code, error.category],
            ['CARRIER_BOOKING_REJECTED', 'policy'],
            code,
          );
          assert.match(error.details?.[0]?.message ?? '', reason);
          return true;
        },
      );
    }
    assert.equal(
      c.sim.profiles.reduce(
        (n, p) => n + c.sim.bookings(p.code).filter((b) => b.reference === 'WH/OUT/00203').length,
        0,
      ),
      0,
    );
  });

  test('a wrong API key is CARRIER_AUTH_FAILED and the key never appears in the error', async () => {
    const [config] = parseCarrierConfigs([
      {
        ...c.sim.carrierConfig('euroline'),
        auth: { header: 'x-api-key', api_key: 'wrong-euroline-key' },
      },
    ]);
    await assert.rejects(
      createRestCarrier(config!).rates(shipment()),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'CARRIER_AUTH_FAILED');
        assert.doesNotMatch(
          JSON.stringify({ message: error.message, error }),
          /wrong-euroline-key/,
        );
        return true;
      },
    );
  });

  test('cancel is idempotent; unknown bookings are CARRIER_NOT_FOUND; a delivered one cannot be cancelled', async () => {
    const port = c.registry.get('euroline');
    const booking = await port.book(shipment({ reference: 'WH/OUT/00204' }), {
      idempotencyKey: 'cancel-me',
    });
    assert.deepEqual(await port.cancel(booking.booking_id, { idempotencyKey: 'cancel-1' }), {
      carrier: 'euroline',
      booking_id: booking.booking_id,
      status: 'cancelled',
    });
    assert.deepEqual(await port.cancel(booking.booking_id, { idempotencyKey: 'cancel-1' }), {
      carrier: 'euroline',
      booking_id: booking.booking_id,
      status: 'cancelled',
    });
    assert.equal(
      c.sim.bookings('euroline').find((b) => b.booking_id === booking.booking_id)?.status,
      'cancelled',
    );
    await assert.rejects(port.cancel('EL-999999', { idempotencyKey: 'cancel-2' }), {
      code: 'CARRIER_NOT_FOUND',
    });

    const delivered = await port.book(shipment({ reference: 'WH/OUT/00205' }), {
      idempotencyKey: 'deliver-me',
    });
    const nowhere = await closedPortUrl();
    c.sim.setWebhookUrl(() => nowhere); // nobody listens: only the history matters here
    await c.sim.sendTracking('euroline', {
      tracking_ref: delivered.tracking_ref,
      status: 'delivered',
    });
    await assert.rejects(port.cancel(delivered.booking_id, { idempotencyKey: 'cancel-3' }), {
      code: 'CARRIER_REQUEST_INVALID',
      message: /was delivered; it cannot be cancelled/,
    });
  });

  test("tracking reads the carrier's status names in ours", async () => {
    const port = c.registry.get('cargoplus');
    const booking = await port.book(shipment({ reference: 'WH/OUT/00206' }), {
      idempotencyKey: 'track-me',
    });
    assert.deepEqual(await port.track(booking.tracking_ref), []);
    const nowhere = await closedPortUrl();
    c.sim.setWebhookUrl(() => nowhere);
    await c.sim.sendTracking('cargoplus', {
      tracking_ref: booking.tracking_ref,
      status: 'in_transit',
      at: '2026-01-05T09:00:00.000Z',
      location: 'Hub Leipzig',
    });
    await c.sim.sendTracking('cargoplus', {
      tracking_ref: booking.tracking_ref,
      status: 'damaged',
      at: '2026-01-05T15:00:00.000Z',
      reason: 'crushed corner',
    });
    const events = await port.track(booking.tracking_ref);
    assert.deepEqual(
      events.map((e) => [e.tracking_ref, e.status, e.at, e.reason ?? null, e.location ?? null]),
      [
        [booking.tracking_ref, 'in_transit', '2026-01-05T09:00:00.000Z', null, 'Hub Leipzig'],
        [booking.tracking_ref, 'damaged', '2026-01-05T15:00:00.000Z', 'crushed corner', null],
      ],
    );
    assert.ok(events.every((e) => /^CP-EV-\d{6}$/.test(e.event_id)));
    await assert.rejects(port.track('CP0000000000'), { code: 'CARRIER_NOT_FOUND' });

    // Without the status mapping, an UPPER_CASE status cannot be read: refused, not guessed.
    const [unmapped] = parseCarrierConfigs([{ ...c.sim.carrierConfig('cargoplus'), statuses: {} }]);
    await assert.rejects(createRestCarrier(unmapped!).track(booking.tracking_ref), {
      code: 'CARRIER_RESPONSE_INVALID',
      message: /status "IN_TRANSIT", which its configuration does not map/,
    });
  });
});

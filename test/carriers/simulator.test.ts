/** The carrier simulator's faults, its exactly-once booking ledger, random failures and isolation. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startCarrierSimulator, SWIFTPOST } from '../../sim/carriers/index.ts';
import { shipment, startCarriers } from './support.ts';

const body = JSON.stringify({ shipment: shipment({ reference: 'WH/OUT/00401' }) });
const swiftpost = { authorization: 'Bearer sim-swiftpost-key', 'content-type': 'application/json' };

test('timeouts: the answer is held past the client timeout; with commit the booking is made all the same', async () => {
  const c = await startCarriers({ config: { swiftpost: { book_timeout_ms: 150 } } });
  try {
    const port = c.registry.get('swiftpost');
    c.sim.faults.failNext('swiftpost', 1, { kind: 'timeout' }, 'book');
    await assert.rejects(
      port.book(shipment({ reference: 'WH/OUT/00401' }), { idempotencyKey: 't-1' }),
      { code: 'CARRIER_UNAVAILABLE', message: /did not answer within 150 ms when booking/ },
    );
    assert.equal(c.sim.bookings('swiftpost').length, 0, 'held before it was processed');

    c.sim.faults.failNext('swiftpost', 1, { kind: 'timeout', commit: true }, 'book');
    await assert.rejects(
      port.book(shipment({ reference: 'WH/OUT/00401' }), { idempotencyKey: 't-2' }),
      { code: 'CARRIER_UNAVAILABLE' },
    );
    assert.equal(c.sim.bookings('swiftpost').length, 1, 'processed; only the answer was lost');
    const again = await port.book(shipment({ reference: 'WH/OUT/00401' }), {
      idempotencyKey: 't-2',
    });
    assert.equal(again.booking_id, c.sim.bookings('swiftpost')[0]!.booking_id);
    assert.equal(c.sim.bookings('swiftpost').length, 1);
    assert.deepEqual(
      c.sim.calls
        .filter({ operation: 'book' })
        .map((call) => [call.idempotencyKey, call.status, call.fault]),
      [
        ['t-1', null, 'timeout'],
        ['t-2', null, 'timeout'],
        ['t-2', 201, null],
      ],
    );
  } finally {
    await c.close();
  }
});

test('server errors, 429 with Retry-After, rejections and resets, consumed in order and per operation', async () => {
  const c = await startCarriers();
  try {
    const port = c.registry.get('euroline');
    const s = shipment({ reference: 'WH/OUT/00402' });
    c.sim.faults.failNext('euroline', 1, { kind: 'server-error', status: 502 }, 'book');
    c.sim.faults.failNext('euroline', 1, { kind: 'rate-limit', retryAfterS: 20 }, 'book');
    c.sim.faults.failNext(
      'euroline',
      1,
      { kind: 'reject', reason: 'depot closed for inventory' },
      'book',
    );
    c.sim.faults.failNext('euroline', 1, { kind: 'reset' }, 'book');
    assert.equal((await port.rates(s)).length, 1, 'faults for bookings leave quotes alone');
    const outcomes = [];
    for (let i = 0; i < 5; i += 1) {
      outcomes.push(
        await port.book(s, { idempotencyKey: 'f-1' }).then(
          (b) => b.booking_id,
          (e: { code: string; retryAfterMs?: number }) =>
            `${e.code}${e.retryAfterMs ? ` ${e.retryAfterMs}` : ''}`,
        ),
      );
    }
    assert.deepEqual(outcomes, [
      'CARRIER_SERVER_ERROR',
      'CARRIER_RATE_LIMITED 20000',
      'CARRIER_BOOKING_REJECTED',
      'CARRIER_UNAVAILABLE',
      'EL-000001',
    ]);
    const rejected = c.sim.calls.filter({ operation: 'book' })[2]!;
    assert.deepEqual([rejected.status, rejected.fault], [422, 'reject']);

    c.sim.faults.failAlways('euroline', { kind: 'server-error' });
    await assert.rejects(port.rates(s), { code: 'CARRIER_SERVER_ERROR', message: /503/ });
    await assert.rejects(port.track('EL1'), { code: 'CARRIER_SERVER_ERROR' });
    c.sim.faults.clear('euroline');
    await assert.rejects(port.track('EL1'), { code: 'CARRIER_NOT_FOUND' });
  } finally {
    await c.close();
  }
});

test('the booking API itself: an Idempotency-Key is required, and a key books exactly once', async () => {
  const sim = await startCarrierSimulator();
  try {
    const post = (headers: Record<string, string>, text = body) =>
      fetch(`${sim.url('swiftpost')}/shipments`, { method: 'POST', headers, body: text });
    const missing = await post(swiftpost);
    assert.deepEqual(
      [missing.status, ((await missing.json()) as { error: { code: string } }).error.code],
      [400, 'idempotency_key_missing'],
    );
    const answers = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await post({ ...swiftpost, 'idempotency-key': 'raw-1' });
      answers.push([
        response.status,
        response.headers.get('idempotent-replayed'),
        ((await response.json()) as { booking_id: string }).booking_id,
      ]);
    }
    assert.deepEqual(answers, [
      [201, null, 'SP-000001'],
      [201, 'true', 'SP-000001'],
      [201, 'true', 'SP-000001'],
    ]);
    // The same request with its keys in another order is the same request.
    const reordered = JSON.stringify(JSON.parse(body), (_key, value) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).reverse())
        : value,
    );
    assert.equal((await post({ ...swiftpost, 'idempotency-key': 'raw-1' }, reordered)).status, 201);
    assert.equal(sim.bookings('swiftpost').length, 1);
    const unauthorized = await post({
      'content-type': 'application/json',
      'idempotency-key': 'raw-2',
    });
    assert.equal(unauthorized.status, 401);
    assert.equal(
      (await fetch(`${sim.baseUrl}/nosuchcarrier/rates`, { method: 'POST' })).status,
      404,
    );
  } finally {
    await sim.close();
  }
});

test("random failures follow each carrier's failure rate, drawn from the injected random source", async () => {
  const draws = [0.1, 0.9, 0.3, 0.2, 0.01, 0.02];
  const c = await startCarriers({ randomFailures: true, random: () => draws.shift() ?? 1 });
  try {
    const outcomes = [];
    for (const code of [
      'parcelnow',
      'parcelnow',
      'parcelnow',
      'parcelnow',
      'cargoplus',
      'cargoplus',
    ]) {
      outcomes.push(
        await c.registry
          .get(code)
          .rates(shipment())
          .then(
            () => 'ok',
            (e: { code: string }) => e.code,
          ),
      );
    }
    // parcelnow fails a quarter of its calls, cargoplus one in a hundred.
    assert.deepEqual(outcomes, [
      'CARRIER_SERVER_ERROR',
      'ok',
      'ok',
      'CARRIER_SERVER_ERROR',
      'ok',
      'ok',
    ]);
    assert.deepEqual(
      c.sim.calls.entries.map((call) => call.fault),
      ['random', null, null, 'random', null, null],
    );
  } finally {
    await c.close();
  }
});

test('two simulators share nothing; closing one with a held request does not hang', async () => {
  const [first, second] = await Promise.all([startCarrierSimulator(), startCarrierSimulator()]);
  try {
    assert.notEqual(first.baseUrl, second.baseUrl);
    const response = await fetch(`${first.url('swiftpost')}/shipments`, {
      method: 'POST',
      headers: { ...swiftpost, 'idempotency-key': 'iso-1' },
      body,
    });
    assert.equal(response.status, 201);
    assert.deepEqual(
      [first.bookings('swiftpost').length, second.bookings('swiftpost').length],
      [1, 0],
    );
    assert.equal(second.calls.entries.length, 0);

    second.faults.failAlways('swiftpost', { kind: 'timeout', holdMs: 60_000 });
    const held = fetch(`${second.url('swiftpost')}/rates`, {
      method: 'POST',
      headers: swiftpost,
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const deadline = Date.now() + 5_000;
    while (second.calls.entries.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setImmediate(resolve));
    assert.equal(second.calls.entries.length, 1, 'the request reached the simulator and is held');
    const started = Date.now();
    await second.close();
    await assert.rejects(held);
    assert.ok(Date.now() - started < 5_000, 'close released the held request');
  } finally {
    await Promise.all([first.close(), second.close()]);
  }
});

test('a simulated carrier refuses to be configured twice under one code', async () => {
  await assert.rejects(startCarrierSimulator({ carriers: [SWIFTPOST, SWIFTPOST] }), /unique/);
});

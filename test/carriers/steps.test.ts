/** carrier.rates, carrier.track and carrier.cancel in engine runs; dry runs; load-time checks of carrier step configuration. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  carrierStepTypes,
  CarrierRegistry,
  type Rate,
} from '../../src/connectors/carriers/index.ts';
import { engineStepTypes, StepRegistry } from '../../src/engine/index.ts';
import { parseWorkflow } from '../../src/workflows/index.ts';
import { SHIPMENT, startEngineHarness, type EngineHarness } from './support.ts';

const RATES = `
id: quote
trigger: { event: picking.quote }
steps:
  - id: rates
    type: carrier.rates
    retry: { max_attempts: 1 }
    with:
      carriers: [swiftpost, euroline, cargoplus, parcelnow]
      shipment: "= input.shipment"
`;

const FOLLOW = `
id: follow
trigger: { event: shipment.booked }
steps:
  - id: track
    type: carrier.track
    with: { carrier: "= input.carrier", tracking_ref: "= input.tracking_ref" }
  - id: cancel
    type: carrier.cancel
    with: { carrier: "= input.carrier", booking_id: "= input.booking_id" }
`;

describe('carrier.rates, carrier.track, carrier.cancel', () => {
  let h: EngineHarness;
  before(async () => (h = await startEngineHarness([RATES, FOLLOW])));
  after(() => h.close());

  const outputOf = (
    run: { steps: { stepId: string; status: string; output: unknown }[] },
    id: string,
  ) => run.steps.find((s) => s.stepId === id && s.status === 'completed')?.output;

  test('rates from every carrier that answers, sorted by price; a failing carrier is listed, not fatal', async () => {
    h.sim.faults.failNext('cargoplus', 1, { kind: 'server-error', status: 500 }, 'rates');
    const toAustria = { ...SHIPMENT, to: { country: 'AT', postcode: '1010' } };
    const { run } = await h.drive(await h.start('picking.quote', { shipment: toAustria }));
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    const out = outputOf(run, 'rates') as {
      rates: Rate[];
      cheapest: Rate;
      fastest: Rate;
      errors: { carrier: string; code: string; retryable: boolean }[];
    };
    assert.deepEqual(
      out.rates.map((r) => [r.carrier, r.service, r.price, r.transit_days]),
      [
        ['parcelnow', 'budget', 7.23, 7],
        ['euroline', 'road', 19.41, 4],
      ],
      'swiftpost does not go to AT: no rates, no error',
    );
    assert.deepEqual([out.cheapest.carrier, out.fastest.carrier], ['parcelnow', 'euroline']);
    assert.deepEqual(
      out.errors.map((e) => [e.carrier, e.code, e.retryable]),
      [['cargoplus', 'CARRIER_SERVER_ERROR', true]],
    );
  });

  test('no carrier answers: CARRIER_RATES_FAILED, retryable because the failures were transient', async () => {
    for (const p of h.sim.profiles)
      h.sim.faults.failNext(p.code, 1, { kind: 'server-error' }, 'rates');
    const { run } = await h.drive(await h.start('picking.quote', { shipment: SHIPMENT }));
    assert.equal(run.status, 'failed');
    const error = run.error as {
      code: string;
      retryable: boolean;
      category: string;
      details: { path: string }[];
    };
    assert.deepEqual(
      [error.code, error.retryable, error.category],
      ['CARRIER_RATES_FAILED', true, 'transient'],
    );
    assert.deepEqual(
      error.details.map((d) => d.path),
      ['swiftpost', 'euroline', 'cargoplus', 'parcelnow'],
    );
  });

  test('track maps the carrier status names; cancel is acknowledged and the carrier shows the booking cancelled', async () => {
    const booking = await h.registry
      .get('euroline')
      .book(
        { ...SHIPMENT, hazardous: false, reference: 'WH/OUT/00501' },
        { idempotencyKey: 'steps-1' },
      );
    h.sim.setWebhookUrl(() => `${h.sim.baseUrl}/nobody-listens`);
    await h.sim.sendTracking('euroline', {
      tracking_ref: booking.tracking_ref,
      status: 'delayed',
      reason: 'ferry cancelled',
    });
    const { run } = await h.drive(
      await h.start('shipment.booked', {
        carrier: 'euroline',
        tracking_ref: booking.tracking_ref,
        booking_id: booking.booking_id,
      }),
    );
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    const tracked = outputOf(run, 'track') as {
      events: { status: string; reason?: string }[];
      latest: { status: string };
    };
    assert.deepEqual(
      [tracked.events.map((e) => [e.status, e.reason]), tracked.latest.status],
      [[['delayed', 'ferry cancelled']], 'delayed'],
    );
    assert.deepEqual(outputOf(run, 'cancel'), {
      carrier: 'euroline',
      booking_id: booking.booking_id,
      status: 'cancelled',
    });
    assert.equal(
      h.sim.bookings('euroline').find((b) => b.booking_id === booking.booking_id)?.status,
      'cancelled',
    );
    assert.equal(
      h.sim.calls.filter({ carrier: 'euroline', operation: 'cancel' })[0]?.idempotencyKey,
      `${run.id}:cancel:0`,
    );
  });
});

describe('dry runs and load-time checks', () => {
  const steps = new StepRegistry([
    ...engineStepTypes(),
    ...carrierStepTypes(new CarrierRegistry()),
  ]);

  test('a dry run describes the booking instead of making it', async () => {
    const h = await startEngineHarness([
      `
id: dry
trigger: { event: picking.ready }
steps:
  - id: book
    type: carrier.book
    with: { carriers: [euroline, { carrier: cargoplus, service: express }], shipment: "= input.shipment", attempts_per_carrier: 2 }
    dry_run: { output: { carrier: euroline, booking_id: DRY } }
`,
    ]);
    try {
      const result = await h.engine.simulate('dry', {
        source: 'test',
        type: 'picking.ready',
        payload: { shipment: { ...SHIPMENT, parcels: [{ weight_kg: 2 }, { weight_kg: 3.25 }] } },
      });
      assert.equal(result.outcome, 'completed');
      assert.deepEqual(
        result.steps.map((s) => [s.action, s.description, s.output]),
        [
          [
            'would-call',
            'would book shipment WH/OUT/00042 (DE -> DE, 2 parcel(s), 5.25 kg) with euroline, then cargoplus (express) (up to 2 tries each for transient failures)',
            { carrier: 'euroline', booking_id: 'DRY' },
          ],
        ],
      );
      assert.equal(h.sim.calls.entries.length, 0);
    } finally {
      await h.close();
    }
  });

  test('literal configuration is checked when the workflow loads; expressions are checked when they are resolved', () => {
    const result = parseWorkflow(
      `
id: bad
steps:
  - id: book
    type: carrier.book
    with:
      carriers: [swiftpost, euroline, swiftpost]
      shipment: { reference: WH/OUT/1, from: { country: de, postcode: "1" }, to: { country: DE, postcode: "2" }, parcels: [], declared_value: { amount: 1, currency: EUR } }
      attempts_per_carrier: 0
  - id: ok
    type: carrier.book
    with:
      carriers: ["= input.first", euroline]
      shipment: { reference: "= input.name", from: "= input.from", to: { country: DE, postcode: "= input.zip" }, parcels: "= input.parcels", declared_value: { amount: 1, currency: EUR } }
`,
      'bad.yaml',
      steps,
    );
    assert.equal(result.ok, false);
    const problems = !result.ok ? result.problems.map((p) => `${p.path}: ${p.message}`) : [];
    assert.deepEqual(
      problems.map((p) => p.split(':')[0]),
      [
        'steps[0].with.carriers[2]',
        'steps[0].with.shipment.from.country',
        'steps[0].with.shipment.parcels',
        'steps[0].with.attempts_per_carrier',
      ],
    );
    assert.match(problems[0]!, /carrier "swiftpost" is listed twice/);
  });
});

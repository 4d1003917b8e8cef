/**
 * carrier.book in real engine runs against the simulator: fallback, durable backoff
 * (suspensions on the ManualClock), Retry-After, all carriers failing, and the
 * exactly-once story: a lost answer and a replay of the failed step book nothing twice.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BookOutput } from '../../src/connectors/carriers/index.ts';
import { SHIPMENT, startEngineHarness, type EngineHarness } from './support.ts';

const WORKFLOW = `
id: dispatch-book
trigger: { event: picking.ready }
steps:
  - id: book
    type: carrier.book
    with:
      carriers: "= input.carriers"
      shipment: "= input.shipment"
      attempts_per_carrier: 3
      backoff: { initial_delay_ms: 1000, max_delay_ms: 60000, multiplier: 2 }
`;

const bookOutput = (run: { steps: { stepId: string; status: string; output: unknown }[] }) =>
  run.steps.find((s) => s.stepId === 'book' && s.status === 'completed')?.output as
    BookOutput | undefined;

describe('carrier.book in an engine run', () => {
  let h: EngineHarness;
  before(
    async () =>
      (h = await startEngineHarness([WORKFLOW], {
        config: { euroline: { book_timeout_ms: 300 } },
      })),
  );
  after(() => h.close());

  test('the first carrier answers 5xx every time: three tries with backoff, then the second books exactly once', async () => {
    h.sim.faults.failAlways('swiftpost', { kind: 'server-error', status: 503 }, 'book');
    try {
      const runId = await h.start('picking.ready', {
        carriers: ['swiftpost', 'parcelnow'],
        shipment: { ...SHIPMENT, reference: 'WH/OUT/00101' },
      });
      const { run, waitsMs } = await h.drive(runId);
      assert.equal(run.status, 'completed', JSON.stringify(run.error));
      assert.deepEqual(
        waitsMs,
        [900, 1800],
        'exponential backoff (with its jitter) between the tries of swiftpost, none before falling back',
      );
      const out = bookOutput(run)!;
      assert.deepEqual([out.carrier, out.fallbacks_used, out.service], ['parcelnow', 1, 'budget']);
      assert.deepEqual(
        out.attempts.map((a) => [a.carrier, a.outcome, a.error?.code ?? null]),
        [
          ['swiftpost', 'failed', 'CARRIER_SERVER_ERROR'],
          ['swiftpost', 'failed', 'CARRIER_SERVER_ERROR'],
          ['swiftpost', 'failed', 'CARRIER_SERVER_ERROR'],
          ['parcelnow', 'booked', null],
        ],
      );
      const booked = h.sim.bookings('parcelnow').filter((b) => b.reference === 'WH/OUT/00101');
      assert.equal(booked.length, 1);
      assert.deepEqual(
        [out.booking_id, out.tracking_ref, out.price],
        [booked[0]!.booking_id, booked[0]!.tracking_ref, booked[0]!.price],
      );
      assert.equal(
        h.sim.bookings('swiftpost').filter((b) => b.reference === 'WH/OUT/00101').length,
        0,
      );
      // One key per carrier, derived from the step's key, the same on every try.
      const keys = new Set(
        h.sim.calls
          .filter({ carrier: 'swiftpost', operation: 'book' })
          .slice(-3)
          .map((c) => c.idempotencyKey),
      );
      assert.equal(keys.size, 1);
      assert.match([...keys][0]!, new RegExp(`^${runId}:book:0:swiftpost$`));
    } finally {
      h.sim.faults.clear();
    }
  });

  test('a refusal moves on at once; when every carrier fails the run fails CARRIER_ALL_FAILED naming each', async () => {
    h.sim.faults.failAlways('cargoplus', { kind: 'server-error', status: 502 }, 'book');
    try {
      const shipment = {
        ...SHIPMENT,
        reference: 'WH/OUT/00102',
        to: { ...SHIPMENT.to, country: 'FR', postcode: '75001', region: 'FR-IDF' },
      };
      const runId = await h.start('picking.ready', {
        carriers: ['swiftpost', { carrier: 'cargoplus', service: 'express_noon' }],
        shipment,
      });
      const { run, waitsMs } = await h.drive(runId);
      assert.equal(run.status, 'failed');
      assert.deepEqual(waitsMs, [900, 1800], 'only the transient failures of cargoplus back off');
      const error = run.error as {
        code: string;
        retryable: boolean;
        message: string;
        details: { path: string; message: string }[];
      };
      assert.equal(error.code, 'CARRIER_ALL_FAILED');
      assert.equal(error.retryable, false);
      assert.deepEqual(
        error.details.map((d) => d.path),
        ['swiftpost', 'cargoplus'],
      );
      assert.match(
        error.details[0]!.message,
        /^CARRIER_BOOKING_REJECTED: .*swiftpost does not serve FR/,
      );
      assert.match(error.details[1]!.message, /^CARRIER_SERVER_ERROR: .*502/);
      assert.match(error.message, /WH\/OUT\/00102/);
      assert.equal(
        h.sim.calls.count({
          carrier: 'swiftpost',
          operation: 'book',
          idempotencyKey: `${runId}:book:0:swiftpost`,
        }),
        1,
        'a refusal is not tried again',
      );
      assert.equal(
        h.sim.calls.count({
          carrier: 'cargoplus',
          operation: 'book',
          idempotencyKey: `${runId}:book:0:cargoplus`,
        }),
        3,
      );
      const cases = await h.engine.store.db
        .selectFrom('exception_cases')
        .select(['status'])
        .where('run_id', '=', runId as never)
        .execute();
      assert.deepEqual(
        cases.map((c) => c.status),
        ['open'],
        'a dead letter',
      );
    } finally {
      h.sim.faults.clear();
    }
  });

  test('a 429 suspends the step until Retry-After (longer than its own backoff), then books', async () => {
    h.sim.faults.failNext('parcelnow', 1, { kind: 'rate-limit', retryAfterS: 45 }, 'book');
    const runId = await h.start('picking.ready', {
      carriers: ['parcelnow', 'euroline'],
      shipment: { ...SHIPMENT, reference: 'WH/OUT/00103' },
    });
    const { run, waitsMs } = await h.drive(runId);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.deepEqual(waitsMs, [45_000], 'not the 1 s backoff: the carrier asked for 45 s');
    const calls = h.sim.calls.filter({
      carrier: 'parcelnow',
      operation: 'book',
      idempotencyKey: `${runId}:book:0:parcelnow`,
    });
    assert.equal(calls.length, 2);
    const out = bookOutput(run)!;
    assert.deepEqual(
      [out.carrier, out.fallbacks_used, out.attempts.map((a) => a.error?.code ?? 'booked')],
      ['parcelnow', 0, ['CARRIER_RATE_LIMITED', 'booked']],
    );
    assert.equal(
      h.sim.bookings('parcelnow').filter((b) => b.reference === 'WH/OUT/00103').length,
      1,
    );
  });

  test('a Retry-After beyond max_delay_ms is not waited for: the step falls back at once', async () => {
    h.sim.faults.failNext('parcelnow', 1, { kind: 'rate-limit', retryAfterS: 3600 }, 'book');
    const runId = await h.start('picking.ready', {
      carriers: ['parcelnow', 'swiftpost'],
      shipment: { ...SHIPMENT, reference: 'WH/OUT/00104' },
    });
    const { run, waitsMs } = await h.drive(runId);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.deepEqual(waitsMs, []);
    assert.deepEqual([bookOutput(run)!.carrier, bookOutput(run)!.fallbacks_used], ['swiftpost', 1]);
  });

  test('an answer lost after the carrier booked: the retry sends the same key and gets the same booking', async () => {
    // euroline's booking timeout is 300 ms here; the simulator books, then never answers.
    h.sim.faults.failNext('euroline', 1, { kind: 'timeout', commit: true }, 'book');
    const runId = await h.start('picking.ready', {
      carriers: ['euroline'],
      shipment: { ...SHIPMENT, reference: 'WH/OUT/00105' },
    });
    const { run, waitsMs } = await h.drive(runId);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.deepEqual(waitsMs, [900]);
    const out = bookOutput(run)!;
    assert.deepEqual(
      out.attempts.map((a) => a.error?.code ?? 'booked'),
      ['CARRIER_UNAVAILABLE', 'booked'],
    );
    const booked = h.sim.bookings('euroline').filter((b) => b.reference === 'WH/OUT/00105');
    assert.equal(booked.length, 1, 'booked exactly once');
    assert.equal(out.booking_id, booked[0]!.booking_id, 'the booking made during the lost attempt');
  });

  test('replaying the failed step after the cause is fixed books once, with the same keys', async () => {
    // euroline books but its answers are lost (every try), swiftpost refuses: the run fails.
    h.sim.faults.failAlways('euroline', { kind: 'timeout', commit: true }, 'book');
    h.sim.faults.failAlways(
      'swiftpost',
      { kind: 'reject', reason: 'pickup address not reachable' },
      'book',
    );
    const runId = await h.start('picking.ready', {
      carriers: ['euroline', 'swiftpost'],
      shipment: { ...SHIPMENT, reference: 'WH/OUT/00106' },
    });
    const first = await h.drive(runId);
    assert.equal(first.run.status, 'failed');
    assert.deepEqual(
      (first.run.error as { details: { path: string; message: string }[] }).details.map(
        (d) => d.message.split(':')[0],
      ),
      ['CARRIER_UNAVAILABLE', 'CARRIER_BOOKING_REJECTED'],
    );
    assert.equal(
      h.sim.bookings('euroline').filter((b) => b.reference === 'WH/OUT/00106').length,
      1,
      'euroline did book, unseen',
    );

    h.sim.faults.clear();
    const second = await h.replay(runId, 'book');
    assert.equal(second.run.status, 'completed', JSON.stringify(second.run.error));
    const out = bookOutput(second.run)!;
    const booked = h.sim.bookings('euroline').filter((b) => b.reference === 'WH/OUT/00106');
    assert.equal(booked.length, 1, 'the replay found the booking instead of making another');
    assert.deepEqual(
      [out.carrier, out.booking_id, out.fallbacks_used],
      ['euroline', booked[0]!.booking_id, 0],
    );
    assert.equal(
      h.sim.bookings('swiftpost').filter((b) => b.reference === 'WH/OUT/00106').length,
      0,
    );
    assert.deepEqual(
      new Set(
        h.sim.calls
          .filter({ carrier: 'euroline', operation: 'book' })
          .filter((c) => c.idempotencyKey?.startsWith(`${runId}:`))
          .map((c) => c.idempotencyKey),
      ),
      new Set([`${runId}:book:0:euroline`]),
    );
  });

  test('an unknown carrier fails the step before anything is booked', async () => {
    const before = h.sim.calls.entries.length;
    const runId = await h.start('picking.ready', {
      carriers: ['swiftpost', 'nosuchcarrier'],
      shipment: { ...SHIPMENT, reference: 'WH/OUT/00107' },
    });
    const { run } = await h.drive(runId);
    assert.equal(run.status, 'failed');
    assert.deepEqual(
      [
        (run.error as { code: string }).code,
        (run.error as { message: string }).message.includes(
          'known: cargoplus, euroline, parcelnow, swiftpost',
        ),
      ],
      ['CARRIER_UNKNOWN', true],
    );
    assert.equal(h.sim.calls.entries.length, before);
  });
});

/**
 * The demo's order stream holds while Crossdock is behind: no order is placed while more runs
 * than the limit wait to be worked, it resumes at half the limit, does not catch up on what it
 * held back, and says how long it held. Without a limit it never looks at the backlog.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { placeAtPace } from '../../src/demo/pacing.ts';

/** A backlog that each order raises by `perOrder` runs and each look drains by `drained`. */
function engine(perOrder: number, drained: number) {
  let runs = 0;
  const placedAt: number[] = [];
  return {
    placedAt,
    looks: 0,
    backlog() {
      this.looks += 1;
      const now = runs;
      runs = Math.max(0, runs - drained);
      return Promise.resolve(now);
    },
    place() {
      placedAt.push(runs);
      runs += perOrder;
      return Promise.resolve();
    },
  };
}

test('no order is placed while the backlog is over the limit, and the stream resumes at half of it', async () => {
  const e = engine(30, 10);
  const held = await placeAtPace(
    { ratePerSecond: 1_000, maxBacklog: 100, backlog: () => e.backlog(), lookEveryMs: 1 },
    40,
    () => e.place(),
  );
  assert.equal(e.placedAt.length, 40);
  // The backlog an order was placed on: never over the limit (the look before it drains 10).
  assert.ok(
    e.placedAt.every((runs) => runs <= 100),
    `an order was placed on a backlog of ${Math.max(...e.placedAt)}`,
  );
  assert.ok(held.times > 0, 'the stream never held');
  // Each hold ended at half the limit or below: the order after it went on at most 50 - 10.
  const afterHold = e.placedAt.filter((runs, i) => i > 0 && runs < e.placedAt[i - 1]!);
  assert.ok(afterHold.length >= held.times - 1);
  assert.ok(
    afterHold.every((runs) => runs <= 50),
    `resumed above half the limit: ${afterHold.join(', ')}`,
  );
  assert.ok(held.seconds >= 0);
});

test('without a limit the stream never reads the backlog', async () => {
  const e = engine(30, 0);
  const held = await placeAtPace(
    { ratePerSecond: 1_000, maxBacklog: null, backlog: () => e.backlog() },
    25,
    () => e.place(),
  );
  assert.equal(e.placedAt.length, 25);
  assert.equal(e.looks, 0);
  assert.deepEqual(held, { times: 0, seconds: 0, sinceMs: null });
});

test('a stream stopped while it holds places nothing more', async () => {
  let stop!: () => void;
  const until = new Promise<void>((resolve) => (stop = resolve));
  const e = engine(500, 0); // nothing drains: held until stopped
  const placing = placeAtPace(
    {
      ratePerSecond: 1_000,
      maxBacklog: 100,
      backlog: () => {
        if (e.looks >= 5) stop();
        return e.backlog();
      },
      until,
      lookEveryMs: 1,
    },
    null,
    () => e.place(),
  );
  const held = await placing;
  assert.equal(e.placedAt.length, 1, 'only the order placed before the backlog rose');
  assert.equal(held.times, 1);
});

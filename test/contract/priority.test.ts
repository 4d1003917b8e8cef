import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock, type Engine } from '../../src/engine/index.ts';
import { CrossdockError } from '../../src/errors/index.ts';
import { claimRuns } from '../../src/store/index.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

// A run's priority is its due-by, derived at intake from the event (here: the order's ship-by).
const SHIP = `
id: ship
trigger: { event: order.placed }
priority: { due_by: "input.ship_by" }
steps:
  - id: book
    type: transform
    with: { order: "= input.order" }
`;
// Holds its run at a timer until the clock passes the wait.
const PARKED = `
id: parked
trigger: { event: order.parked }
priority: { due_by: "input.ship_by" }
steps:
  - id: later
    type: wait
    with: { duration_ms: 3600000 }
  - id: done
    type: transform
    with: { order: "= input.order" }
`;

describe('run priority: the run due soonest is claimed first', () => {
  let t: TestStore;
  let engine: Engine;
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  before(async () => {
    t = await openTestStore();
    engine = await engineWith(t.store, [SHIP, PARKED], {
      clock,
      worker: { pollIntervalMs: 20, leaseMs: 5_000, concurrency: 1, claimBatch: 1 },
    });
  });
  after(async () => {
    await engine.stopWorkers();
    await t.dispose();
  });

  const place = async (order: string, shipBy?: string, type = 'order.placed') =>
    (
      await engine.accept({
        source: 'shop',
        type,
        key: `${type}:${order}`,
        payload: { order, ...(shipBy === undefined ? {} : { ship_by: shipBy }) },
      })
    ).runIds[0]!;

  test('with the one worker busy, a later order that must ship sooner completes first; runs without a ship-by come last', async () => {
    const completed: string[] = [];
    const off = engine.events.on('run:completed', (e) => completed.push(e.runId));
    try {
      const first = await place('A-1', '2026-03-04T17:00:00Z');
      const none = await place('A-2');
      const second = await place('A-3', '2026-03-02T17:00:00+01:00');
      engine.startWorkers(1);
      await waitForRun(engine, none);
      assert.deepEqual(
        completed.filter((id) => [first, none, second].includes(id)),
        [second, first, none],
      );
    } finally {
      off();
      await engine.stopWorkers();
    }
  });

  test('a prioritized run parked on a timer is not claimed before it is due, however urgent', async () => {
    const parked = await place('P-1', '2026-03-02T10:00:00Z', 'order.parked');
    engine.startWorkers(1);
    await waitForRun(engine, parked, ['waiting']);
    await engine.stopWorkers();
    const plain = await place('P-2');
    const claimed = await claimRuns(t.store.db, 'test-claimer', 5, clock.now(), 5_000);
    assert.deepEqual(
      claimed.map((r) => r.id),
      [plain],
    );
    // An hour on, the parked one is due and goes before a run with no priority.
    const other = await place('P-3');
    clock.advance(3_600_001);
    const next = await claimRuns(t.store.db, 'test-claimer', 1, clock.now(), 5_000);
    assert.deepEqual(
      next.map((r) => r.id),
      [parked],
    );
    assert.ok(other);
  });

  test('a due-by that is not a date-time with an offset refuses the event, naming the workflow', async () => {
    await assert.rejects(
      place('B-1', '2026-03-02 17:00'),
      (e: unknown) =>
        e instanceof CrossdockError &&
        e.code === 'RUN_PRIORITY_INVALID' &&
        /workflow ship: priority\.due_by/i.test(e.message) &&
        e.details?.[0]?.path === 'priority.due_by',
    );
    const stored = await t.store.db
      .selectFrom('events')
      .select('id')
      .where('dedupe_key', '=', 'order.placed:B-1')
      .execute();
    assert.equal(stored.length, 0);
  });
});

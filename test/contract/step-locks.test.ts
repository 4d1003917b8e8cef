import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openTestStore, type TestStore } from '../support/stores.ts';

/**
 * The keys a step holds while it runs (Store.stepLocks), on both stores: one holder per key,
 * released however the work ends, and a wait that ends in a retryable STEP_LOCK_BUSY.
 * Across processes on a PostgreSQL server: test/postgres/step-locks-sessions.test.ts.
 */
describe('step locks', () => {
  let t: TestStore;
  before(async () => {
    t = await openTestStore();
  });
  after(() => t.dispose());

  /** A promise and the function that resolves it. */
  const gate = () => {
    let open = () => {};
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { opened, open };
  };

  test('one holder per key: a second hold waits for the first to finish, one that cannot wait fails busy without running', async () => {
    const log: string[] = [];
    const first = gate();
    const inside = gate();
    const holding = t.store.stepLocks.hold(
      'odoo:odoo:stock.picking:7',
      { waitMs: 5_000 },
      async () => {
        log.push('first in');
        inside.open();
        await first.opened;
        log.push('first out');
        return 'first';
      },
    );
    await inside.opened;
    let impatientRan = false;
    await assert.rejects(
      t.store.stepLocks.hold('odoo:odoo:stock.picking:7', { waitMs: 50 }, async () => {
        impatientRan = true;
      }),
      (error: Record<string, unknown>) => {
        assert.equal(error.code, 'STEP_LOCK_BUSY');
        assert.equal(error.category, 'transient');
        assert.equal(error.retryable, true);
        assert.equal(error.retryAfterMs, 1_000);
        assert.match(String(error.message), /"odoo:odoo:stock\.picking:7".*within 50 ms/);
        return true;
      },
    );
    assert.equal(impatientRan, false, 'work that did not get the key never runs');
    const patient = t.store.stepLocks.hold(
      'odoo:odoo:stock.picking:7',
      { waitMs: 10_000 },
      async () => {
        log.push('second in');
        return 'second';
      },
    );
    // Another key is free while this one is held.
    assert.equal(
      await t.store.stepLocks.hold(
        'odoo:odoo:stock.picking:8',
        { waitMs: 50 },
        async () => 'other',
      ),
      'other',
    );
    first.open();
    assert.deepEqual(await Promise.all([holding, patient]), ['first', 'second']);
    assert.deepEqual(log, ['first in', 'first out', 'second in']);
  });

  test('work that throws releases its key, and the error reaches the caller unchanged', async () => {
    const failure = new Error('Odoo said no');
    await assert.rejects(
      t.store.stepLocks.hold('odoo:odoo:account.move:3', { waitMs: 50 }, async () => {
        throw failure;
      }),
      (error) => error === failure,
    );
    assert.equal(
      await t.store.stepLocks.hold('odoo:odoo:account.move:3', { waitMs: 50 }, async () => 'free'),
      'free',
    );
  });

  test('a waiter whose run is taken away (its signal aborts) stops waiting at once, busy', async () => {
    const first = gate();
    const inside = gate();
    const holding = t.store.stepLocks.hold('odoo:odoo:sale.order:5', { waitMs: 50 }, async () => {
      inside.open();
      await first.opened;
    });
    await inside.opened;
    const abort = new AbortController();
    const waiting = t.store.stepLocks.hold(
      'odoo:odoo:sale.order:5',
      { waitMs: 60_000, signal: abort.signal },
      async () => 'ran',
    );
    abort.abort();
    await assert.rejects(waiting, { code: 'STEP_LOCK_BUSY' });
    first.open();
    await holding;
    assert.equal(
      await t.store.stepLocks.hold('odoo:odoo:sale.order:5', { waitMs: 50 }, async () => 'free'),
      'free',
      'the aborted waiter left no trace in the queue',
    );
  });
});

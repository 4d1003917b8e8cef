import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Store, WakeReason } from '../../src/store/index.ts';
import {
  openOtherProcessStore,
  openPostgresTestStore,
  wakeListeners,
  type TestStore,
} from '../support/stores.ts';
import { eventually } from '../support/eventually.ts';

// PostgreSQL only: wake-ups between processes travel by LISTEN/NOTIFY, which PGlite (one
// process) does not need. The LISTEN connection is cut as an administrator would cut it.

describe('the LISTEN connection of a PostgreSQL store', () => {
  let t: TestStore;
  let other: Store;
  before(async () => {
    t = await openPostgresTestStore();
    other = await openOtherProcessStore(t);
  });
  after(async () => {
    await other.close();
    await t.dispose();
  });

  test('terminated by the server, it comes back: wake-ups from another process arrive again, and the process was told to look for work', async () => {
    const heard: WakeReason[] = [];
    const off = t.store.onWake((reason) => heard.push(reason));
    const [first] = await eventually('both stores to listen', async () =>
      (await wakeListeners(t.store.db)).length === 2 ? await wakeListeners(t.store.db) : undefined,
    );
    // Terminate every listener: this process's own and the other store's.
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()`.execute(
      t.store.db,
    );
    await eventually('the listeners to come back', async () => {
      const now = await wakeListeners(t.store.db);
      return now.length === 2 && !now.includes(first!) ? now : undefined;
    });
    await eventually('the reconnection wake-up', async () =>
      heard.includes('admit') ? true : undefined,
    );
    heard.length = 0;
    await other.wake('work');
    await eventually('a wake-up sent by the other process', async () =>
      heard.includes('work') ? true : undefined,
    );
    off();
    assert.ok(heard.includes('work'));
  });

  test("a store's own wake-up reaches its listeners once (not again through LISTEN); another store's arrives", async () => {
    await eventually('both stores to listen', async () =>
      (await wakeListeners(t.store.db)).length === 2 ? true : undefined,
    );
    const heard: WakeReason[] = [];
    const off = t.store.onWake((reason) => heard.push(reason));
    await t.store.wake('admit');
    await other.wake('work'); // sent after ours: delivered after any echo of ours would be
    await eventually("the other store's wake-up", async () =>
      heard.includes('work') ? true : undefined,
    );
    off();
    assert.deepEqual(heard, ['admit', 'work']);
  });
});

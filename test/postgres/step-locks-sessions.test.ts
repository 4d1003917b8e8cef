import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Store } from '../../src/store/index.ts';
import { nodeScript } from '../support/node-script.ts';
import {
  openOtherProcessStore,
  openPostgresTestStore,
  TEST_DATABASE_URL,
  type TestStore,
} from '../support/stores.ts';

// PostgreSQL only: two processes (two stores, each with its own lock session) on one server.
// The embedded store belongs to one process, so its locks never meet another's.
describe('step locks across processes on one PostgreSQL server', () => {
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

  const gate = () => {
    let open = () => {};
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { opened, open };
  };

  test('a key held by one process: the other waits for it, or fails busy when it cannot wait', async () => {
    const log: string[] = [];
    const first = gate();
    const inside = gate();
    const holding = t.store.stepLocks.hold(
      'odoo:odoo:stock.picking:1',
      { waitMs: 100 },
      async () => {
        log.push('first in');
        inside.open();
        await first.opened;
        log.push('first out');
      },
    );
    await inside.opened;
    await assert.rejects(
      other.stepLocks.hold('odoo:odoo:stock.picking:1', { waitMs: 100 }, async () => {
        log.push('impatient in');
      }),
      { code: 'STEP_LOCK_BUSY', retryable: true },
    );
    const patient = other.stepLocks.hold(
      'odoo:odoo:stock.picking:1',
      { waitMs: 20_000 },
      async () => {
        log.push('second in');
      },
    );
    first.open();
    await Promise.all([holding, patient]);
    assert.deepEqual(log, ['first in', 'first out', 'second in']);
  });

  test('a holder whose connection dies (a killed process) releases the key without finishing', async () => {
    const stuck = gate();
    const inside = gate();
    const holding = t.store.stepLocks.hold(
      'odoo:odoo:stock.picking:2',
      { waitMs: 100 },
      async () => {
        inside.open();
        await stuck.opened;
      },
    );
    await inside.opened;
    const holders = await sql<{ pid: number }>`
      SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = 7401003 AND granted`.execute(
      other.db,
    );
    assert.equal(holders.rows.length, 1, 'one advisory lock of the step-lock class is held');
    await sql`SELECT pg_terminate_backend(${holders.rows[0]!.pid})`.execute(other.db);
    assert.equal(
      await other.stepLocks.hold(
        'odoo:odoo:stock.picking:2',
        { waitMs: 20_000 },
        async () => 'taken',
      ),
      'taken',
    );
    stuck.open();
    await holding;
    // The first store opens a new lock session for its next key.
    assert.equal(
      await t.store.stepLocks.hold(
        'odoo:odoo:stock.picking:3',
        { waitMs: 1_000 },
        async () => 'again',
      ),
      'again',
    );
  });

  test('keys held at once by one process take turns on its lock connection: never two statements in flight on it', () => {
    // In a process of its own, where pg's deprecation of a second query on a busy connection
    // (one warning a process) is thrown instead of printed.
    const child = spawnSync(
      process.execPath,
      [
        '--throw-deprecation',
        ...nodeScript(new URL('./step-locks-child.ts', import.meta.url)),
        TEST_DATABASE_URL,
        '6',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), 'held 6');
  });
});

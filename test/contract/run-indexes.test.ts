import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openTestStore, type TestStore } from '../support/stores.ts';

/**
 * What every step's checkpoint changes in its run's row while the run goes on
 * (src/store/checkpoint-queries.ts); the status, the lease and the times it is due change only
 * when the run is claimed, parks or ends.
 */
const CHANGED_BY_EVERY_STEP = ['cursor', 'seq', 'step_attempt', 'updated_at'];

describe('the runs table and its checkpoints', () => {
  let t: TestStore;
  before(async () => {
    t = await openTestStore();
  });
  after(() => t.dispose());

  test("no index of runs holds a column every step's checkpoint changes, and its pages keep room: a checkpoint can update its run in place", async () => {
    const { rows } = await sql<{ name: string; definition: string }>`
      SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = 'runs'::regclass ORDER BY 1`.execute(t.store.db);
    assert.ok(rows.length >= 5, 'the runs table has its indexes');
    const offending = rows.flatMap(({ name, definition }) =>
      CHANGED_BY_EVERY_STEP.filter((column) =>
        new RegExp(`[(, ]${column}[ ,)]`).test(definition),
      ).map((column) => `${name} holds ${column}: ${definition}`),
    );
    assert.deepEqual(offending, []);
    const options = await sql<{ reloptions: string[] | null }>`
      SELECT reloptions FROM pg_class WHERE oid = 'runs'::regclass`.execute(t.store.db);
    assert.deepEqual(options.rows[0]!.reloptions, ['fillfactor=70']);
  });
});

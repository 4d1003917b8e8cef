import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { IN_MEMORY, listMigrations, openStore, type Store } from '../../src/store/index.ts';
import { PGLITE_MEMORY_SHARED_BUFFERS } from '../../src/store/pglite.ts';

const openInMemory = () =>
  openStore({
    kind: 'pglite',
    dataDir: IN_MEMORY,
    synchronous: false,
    vacuumIntervalMs: 3_600_000,
  });

/**
 * An embedded store kept in memory (`CROSSDOCK_DATA_DIR=memory://`): it starts at the current
 * schema, holds what is written to it while open, shares nothing with another one, and writes
 * nothing to disk.
 */
describe('embedded store kept in memory', () => {
  const open: Store[] = [];
  after(() => Promise.all(open.map((s) => s.close())));

  test('starts migrated; two of them in one process are separate databases; no folder is made for it', async () => {
    const [a, b] = [await openInMemory(), await openInMemory()];
    open.push(a, b);
    assert.deepEqual(await a.migrate(), [], 'every migration is applied already');
    const applied = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM schema_migrations`.execute(a.db);
    assert.equal(applied.rows[0]!.n, listMigrations().length);

    await a.execScript("CREATE TABLE notes (body text); INSERT INTO notes VALUES ('kept')");
    const inA = await sql<{ body: string }>`SELECT body FROM notes`.execute(a.db);
    assert.deepEqual(
      inA.rows.map((r) => r.body),
      ['kept'],
    );
    const inB = await sql<{ t: string | null }>`SELECT to_regclass('notes')::text AS t`.execute(
      b.db,
    );
    assert.equal(inB.rows[0]!.t, null, 'the other store has no such table');

    assert.equal(existsSync('memory:'), false, 'no folder named after it');
  });

  test('keeps small shared buffers: its files are in memory already', async () => {
    const store = await openInMemory();
    open.push(store);
    const shown = await sql<{ shared_buffers: string }>`SHOW shared_buffers`.execute(store.db);
    assert.equal(shown.rows[0]!.shared_buffers, PGLITE_MEMORY_SHARED_BUFFERS);
  });

  test('a closed one is gone: opening again starts from the schema, without what was written', async () => {
    const first = await openInMemory();
    await first.execScript('CREATE TABLE notes (body text)');
    await first.close();
    const again = await openInMemory();
    open.push(again);
    const found = await sql<{ t: string | null }>`SELECT to_regclass('notes')::text AS t`.execute(
      again.db,
    );
    assert.equal(found.rows[0]!.t, null);
  });

  test('what one writes stays its own: another started while it is open, or after, sees the image as it was', async () => {
    const written = async (store: Store) =>
      (
        await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM schema_migrations WHERE version IN (99998, 99999)
        `.execute(store.db)
      ).rows[0]!.n;
    // Into a table the image holds: one row committed (in the WAL), one checkpointed too (in
    // the table's file).
    const writer = await openInMemory();
    await writer.execScript(
      "INSERT INTO schema_migrations (version, name) VALUES (99998, 'in the WAL')",
    );
    const during = await openInMemory();
    open.push(during);
    await writer.execScript(
      "INSERT INTO schema_migrations (version, name) VALUES (99999, 'in the file'); CHECKPOINT",
    );
    await writer.close();
    const later = await openInMemory();
    open.push(later);
    assert.equal(await written(during), 0, 'one started while the other was open');
    assert.equal(await written(later), 0, 'one started after the other had checkpointed');
  });
});

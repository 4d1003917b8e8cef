import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { pgliteScript } from '../../src/store/pglite-dialect.ts';
import { PgliteStatements } from '../../src/store/pglite-statements.ts';
import { openTestStore } from '../support/stores.ts';

/**
 * The embedded store runs queries as named prepared statements. Whatever it runs, the answer
 * (rows, values and their types, errors) must be what PGlite's own query() gives, and no
 * more statements stay open than the limit.
 */
describe('embedded store: named prepared statements', () => {
  let pglite: PGlite;
  let root: string;
  const prepared = async () =>
    Number(
      (await pglite.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements'))
        .rows[0]!.n,
    );

  before(async () => {
    const made = await openTestStore({ onDisk: true });
    if (made.connection.kind !== 'pglite')
      throw new Error('this suite is about the embedded store');
    const dataDir = made.connection.dataDir;
    root = dirname(dataDir);
    await made.store.close();
    pglite = await PGlite.create(dataDir);
    await pglite.exec(`CREATE TABLE kinds (
      id bigserial PRIMARY KEY, name text UNIQUE, amount numeric, at timestamptz, doc jsonb,
      tags text[], flag boolean, big bigint)`);
  });
  after(async () => {
    await pglite.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('each statement, run past the point where PostgreSQL keeps a generic plan, answers as query() does', async () => {
    const statements = new PgliteStatements(pglite);
    const insert = `INSERT INTO kinds (name, amount, at, doc, tags, flag, big)
      VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`;
    const select = `SELECT id, name, amount, at, doc, tags, flag, big, doc->'lines' AS lines
      FROM kinds WHERE name = $1 OR ($2::jsonb IS NOT NULL AND doc @> $2::jsonb)`;
    for (let i = 0; i < 8; i++) {
      const values = [
        `order-${i}`,
        '19.95',
        new Date(Date.UTC(2026, 11, 7, 10, i)),
        { lines: [{ sku: 'A', qty: i }], note: i % 2 ? null : 'ü' },
        ['x', `t${i}`],
        i % 2 === 0,
        String(2n ** 60n + BigInt(i)),
      ];
      const named = await statements.query(insert, values, false);
      assert.equal(named.affectedRows, 1);
      const filter = i % 3 === 0 ? null : { note: 'ü' };
      const ours = await statements.query(select, [`order-${i}`, filter], false);
      const theirs = await pglite.query(select, [`order-${i}`, filter]);
      assert.deepEqual(ours.rows, theirs.rows, `round ${i}`);
      assert.deepEqual(
        ours.fields.map((f) => [f.name, f.dataTypeID]),
        theirs.fields.map((f) => [f.name, f.dataTypeID]),
      );
    }
    const nothing = await statements.query('UPDATE kinds SET flag = true WHERE id < 0', [], false);
    assert.equal(nothing.affectedRows, 0);
    assert.deepEqual(nothing.rows, []);
  });

  test('a failing statement is reported as query() reports it, and leaves the others working', async () => {
    const statements = new PgliteStatements(pglite);
    const insert = 'INSERT INTO kinds (name) VALUES ($1)';
    await statements.query(insert, ['duplicate'], false);
    const duplicate = await statements.query(insert, ['duplicate'], false).catch((e: unknown) => e);
    const theirs = await pglite.query(insert, ['duplicate']).catch((e: unknown) => e);
    for (const key of ['code', 'message', 'constraint'] as const)
      assert.equal((duplicate as never)[key], (theirs as never)[key], key);
    assert.equal(
      (duplicate as { query?: string }).query,
      insert,
      'the statement is named in the error',
    );

    const before = await prepared();
    const syntax = await statements.query('SELECT FROM WHERE', [], false).catch((e: unknown) => e);
    assert.equal((syntax as { code?: string }).code, '42601');
    assert.equal(await prepared(), before, 'a statement that does not parse is not kept');
    assert.equal(
      (await statements.query('SELECT count(*)::int AS n FROM kinds', [], false)).rows.length,
      1,
    );
  });

  test('no more statements stay prepared than the limit; a closed one runs again when asked', async () => {
    await pglite.exec('DEALLOCATE ALL');
    const statements = new PgliteStatements(pglite, 3);
    const texts = [1, 2, 3, 4, 5].map((n) => `SELECT ${n}::int AS n`);
    for (const text of texts) await statements.query(text, [], false);
    assert.equal((await statements.query<{ n: number }>(texts[0]!, [], false)).rows[0]!.n, 1);
    assert.ok((await prepared()) <= 3, `prepared: ${await prepared()}`);
  });

  test("after a script changes a table's columns, a statement over it answers with the new ones", async () => {
    const statements = new PgliteStatements(pglite);
    const all = 'SELECT * FROM kinds ORDER BY id LIMIT 1';
    assert.equal('extra' in (await statements.query<object>(all, [], false)).rows[0]!, false);
    await pgliteScript(pglite, "ALTER TABLE kinds ADD COLUMN extra text DEFAULT 'new'");
    assert.equal((await statements.query<{ extra: string }>(all, [], false)).rows[0]!.extra, 'new');
    // Changed by a statement, not a script: the first run finds its plan outdated and parses anew.
    await pglite.query('ALTER TABLE kinds DROP COLUMN extra');
    assert.equal('extra' in (await statements.query<object>(all, [], false)).rows[0]!, false);
  });

  test('inside a transaction: a rollback undoes what the statements wrote, and they still run after it', async () => {
    const statements = new PgliteStatements(pglite);
    const insert = 'INSERT INTO kinds (name) VALUES ($1) RETURNING id';
    const count = 'SELECT count(*)::int AS n FROM kinds WHERE name LIKE $1';
    await pglite
      .transaction(async () => {
        await statements.query(insert, ['in-tx-1'], true);
        await statements.query(insert, ['in-tx-2'], true);
        assert.equal(
          (await statements.query<{ n: number }>(count, ['in-tx-%'], true)).rows[0]!.n,
          2,
        );
        throw new Error('roll back');
      })
      .catch(() => undefined);
    assert.equal((await statements.query<{ n: number }>(count, ['in-tx-%'], false)).rows[0]!.n, 0);
    await statements.query(insert, ['in-tx-3'], false);
    assert.equal((await statements.query<{ n: number }>(count, ['in-tx-%'], false)).rows[0]!.n, 1);
  });
});

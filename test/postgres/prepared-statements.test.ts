/**
 * The server store's named prepared statements (src/store/postgres-statements.ts), on a real
 * connection: answers as unnamed statements give them, at most `limit` kept, nothing kept for a
 * statement the server refused, no new statement per failed run, and a table changed by
 * another connection (a migration beside running processes) handled.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import pg from 'pg';
import { nameStatements } from '../../src/store/postgres-statements.ts';
import { openPostgresTestStore, type TestStore } from '../support/stores.ts';

let t: TestStore;
let url: string;
const clients: pg.Client[] = [];

before(async () => {
  t = await openPostgresTestStore();
  if (t.connection.kind !== 'postgres') throw new Error('this suite is about the server store');
  url = t.connection.url;
  const setup = await connect();
  await setup.query(`CREATE TABLE kinds (id bigserial PRIMARY KEY, name text UNIQUE, doc jsonb,
    at timestamptz, amount numeric)`);
});
after(async () => {
  await Promise.all(clients.map((c) => c.end()));
  await t?.dispose();
});

/** Per connection: the most queries it was given at once (pg 9 refuses a second one). */
const mostAtOnce = new Map<pg.Client, number>();

async function connect(limit?: number): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  clients.push(client);
  countQueriesAtOnce(client);
  if (limit !== undefined) nameStatements(client, limit);
  return client;
}

function countQueriesAtOnce(client: pg.Client): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  let running = 0;
  mostAtOnce.set(client, 0);
  (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
    running++;
    mostAtOnce.set(client, Math.max(mostAtOnce.get(client)!, running));
    return query(...args).finally(() => running--);
  };
}

afterEach(() => {
  const most = Math.max(...mostAtOnce.values());
  mostAtOnce.clear();
  assert.equal(most, 1, 'a connection was given a query while another was in flight');
});

/** This connection's prepared statements (the view shows the session's own). */
async function prepared(client: pg.Client): Promise<string[]> {
  return (await client.query<{ statement: string }>(PREPARED, [])).rows.map((r) => r.statement);
}
const PREPARED = 'SELECT statement FROM pg_prepared_statements ORDER BY prepare_time';

test('a statement run again is prepared once, and answers as an unnamed one does', async () => {
  const named = await connect(100);
  const plain = await connect();
  const insert = 'INSERT INTO kinds (name, doc, at, amount) VALUES ($1, $2, $3, $4) RETURNING *';
  const select = 'SELECT * FROM kinds WHERE name = $1 OR doc @> $2::jsonb ORDER BY id';
  for (let i = 0; i < 8; i++) {
    const values = [`k${i}`, { lines: [i] }, new Date(Date.UTC(2026, 11, 7, 3, i)), '19.95'];
    await named.query(insert, values);
    const filter = { lines: [i] };
    assert.deepEqual(
      (await named.query(select, [`k${i}`, filter])).rows,
      (await plain.query(select, [`k${i}`, filter])).rows,
    );
  }
  const statements = await prepared(named);
  assert.equal(statements.filter((s) => s === select).length, 1, 'the select, prepared once');
  assert.equal(statements.filter((s) => s === insert).length, 1, 'the insert, prepared once');
  assert.equal(
    ((await plain.query('SELECT 1; SELECT 2')) as unknown as unknown[]).length,
    2,
    'a script (no values) is passed on',
  );
  assert.equal(
    ((await named.query('SELECT 1 AS a; SELECT 2 AS b')) as unknown as unknown[]).length,
    2,
  );
});

test('at most `limit` statements stay prepared; a closed one runs again when asked', async () => {
  const named = await connect(3);
  const texts = [1, 2, 3, 4, 5].map((n) => `SELECT ${n}::int AS n`);
  for (const text of texts) await named.query(text, []);
  assert.equal((await named.query(texts[0]!, [])).rows[0].n, 1);
  assert.deepEqual(
    await prepared(named),
    [texts[4], texts[0], PREPARED],
    'the least recently used closed (the question asked here is the third statement)',
  );
});

test('a statement the server refuses is not kept; one that fails when run keeps its one statement', async () => {
  const named = await connect(100);
  const wrong = 'SELECT nosuchcolumn FROM kinds WHERE id = $1';
  for (let i = 0; i < 3; i++)
    await assert.rejects(named.query(wrong, [1]), (e: { code?: string }) => e.code === '42703');
  const duplicate = 'INSERT INTO kinds (name) VALUES ($1)';
  await named.query(duplicate, ['twice']);
  for (let i = 0; i < 3; i++)
    await assert.rejects(
      named.query(duplicate, ['twice']),
      (e: { code?: string }) => e.code === '23505',
    );
  const statements = await prepared(named);
  assert.equal(statements.filter((s) => s === wrong).length, 0);
  assert.equal(statements.filter((s) => s === duplicate).length, 1);
});

test('a column added by another connection: outside a transaction the statement answers with it; inside one the error stands', async () => {
  const named = await connect(100);
  const migrator = await connect();
  const all = 'SELECT * FROM kinds ORDER BY id LIMIT $1';
  assert.equal('extra' in (await named.query(all, [1])).rows[0], false);
  await migrator.query("ALTER TABLE kinds ADD COLUMN extra text DEFAULT 'new'");
  assert.equal((await named.query(all, [1])).rows[0].extra, 'new');

  await migrator.query('ALTER TABLE kinds DROP COLUMN extra');
  await named.query('begin', []);
  await assert.rejects(named.query(all, [1]), (e: { code?: string }) => e.code === '0A000');
  await named.query('rollback', []);
  assert.equal('extra' in (await named.query(all, [1])).rows[0], false, 'parsed anew after it');
});

/**
 * A token revoked while a request's lookup is under way: the lookup read the token before the
 * revocation, and answers after the cache was cleared. That answer must not be kept (the token
 * would work for another second after its revocation was reported done) nor believed.
 * PostgreSQL only: a second connection holds the token's row so the lookup's write of its
 * last-use time waits, with the read already made.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { Tokens, Users } from '../../src/auth/index.ts';
import { openPostgresTestStore, type TestStore } from '../support/stores.ts';
import { eventually } from '../support/eventually.ts';

let t: TestStore;
before(async () => {
  t = await openPostgresTestStore();
});
after(() => t?.dispose());

test('a lookup begun before a revocation neither authenticates nor is cached once the token is revoked', async () => {
  assert.equal(t.connection.kind, 'postgres');
  const url = t.connection.kind === 'postgres' ? t.connection.url : '';
  const now = () => new Date();
  const users = new Users(t.store.db, now);
  const tokens = new Tokens(t.store.db, now);
  const owner = await users.create({ email: 'race@example.test', role: 'operator' });
  const { token, info } = await tokens.create(
    { id: owner.id, role: 'operator' },
    { name: 'race' },
    null,
  );

  const holder = new pg.Client({ connectionString: url });
  const observer = new pg.Client({ connectionString: url });
  await holder.connect();
  await observer.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('SELECT id FROM api_tokens WHERE id = $1 FOR UPDATE', [info.id]);
    // The request reads the token (not revoked yet), then waits to write its last-use time.
    const request = tokens.authenticate(token);
    await eventually('the lookup waits on the held row', async () => {
      // From outside the holder's transaction: pg_stat_activity is read once per transaction.
      const r = await observer.query(
        `SELECT count(*) AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE api_tokens%'`,
      );
      return Number(r.rows[0].n) === 1;
    });
    // The revocation, as another transaction makes it; the cache is cleared before it commits.
    await holder.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1', [info.id]);
    tokens.forget();
    await holder.query('COMMIT');

    assert.equal(await request, undefined, 'the request straddling the revocation is refused');
    assert.equal(await tokens.authenticate(token), undefined, 'the next request is refused');
  } finally {
    await holder.end();
    await observer.end();
  }
});

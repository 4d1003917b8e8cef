/**
 * The token cache under a burst: requests with one token that miss the cache together are
 * answered by one lookup in the store (at c=50, a cache that expired for all of them at once
 * sent 101 lookups in 8 s), and each still gets its principal. A revocation in between is in
 * test/postgres/token-revocation-race.test.ts (it needs a second connection to hold a lookup).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Tokens, Users } from '../../src/auth/index.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

let t: TestStore;
before(async () => {
  t = await openTestStore();
});
after(() => t?.dispose());

test('forty requests that miss the cache together share one lookup; each gets the principal', async () => {
  const now = () => new Date();
  const users = new Users(t.store.db, now);
  const tokens = new Tokens(t.store.db, now);
  const owner = await users.create({ email: 'burst@example.test', role: 'operator' });
  const { token } = await tokens.create(
    { id: owner.id, role: 'operator' },
    { name: 'burst' },
    null,
  );

  const answers = await Promise.all(Array.from({ length: 40 }, () => tokens.authenticate(token)));

  assert.ok(answers.every((p) => p?.email === 'burst@example.test'));
  // One lookup made one principal; forty lookups would have made forty.
  assert.equal(new Set(answers).size, 1);
  // Forgotten, the next request asks the store again and makes its own.
  tokens.forget();
  const again = await tokens.authenticate(token);
  assert.equal(again?.email, 'burst@example.test');
  assert.notEqual(again, answers[0]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { CrossdockError } from '../../src/errors/index.ts';

test('CROSSDOCK_OPS_EMAIL takes comma-separated addresses; anything else stops the start, naming the variable', () => {
  assert.deepEqual(
    loadConfig({ CROSSDOCK_OPS_EMAIL: 'ops@acme.test, lead@acme.test' }).operations,
    { alertEmail: ['ops@acme.test', 'lead@acme.test'] },
  );
  assert.deepEqual(loadConfig({}).operations, { alertEmail: [] });
  assert.throws(
    () => loadConfig({ CROSSDOCK_OPS_EMAIL: 'ops team' }),
    (error: unknown) => {
      assert.ok(error instanceof CrossdockError);
      assert.deepEqual(
        error.details.map((d) => d.path),
        ['CROSSDOCK_OPS_EMAIL'],
      );
      return true;
    },
  );
});

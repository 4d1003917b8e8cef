import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';

describe('configuration', () => {
  test('defaults to embedded PGlite under ./.crossdock/data', () => {
    const config = loadConfig({});
    assert.deepEqual(config.store, { kind: 'pglite', dataDir: './.crossdock/data', synchronous: false, vacuumIntervalMs: 600_000 });
  });

  test('DATABASE_URL selects the PostgreSQL server', () => {
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://u@db:5432/x' }).store.kind, 'postgres');
  });

  test('bad values are never replaced by defaults: every one is listed', () => {
    assert.throws(
      () => loadConfig({ CROSSDOCK_PORT: '80a', CROSSDOCK_SYNCHRONOUS: 'yes', DATABASE_URL: 'mysql://x' }),
      (error: { code: string; details: { path: string }[] }) => {
        assert.equal(error.code, 'CONFIG_INVALID');
        assert.deepEqual(error.details.map((d) => d.path).sort(), ['CROSSDOCK_PORT', 'CROSSDOCK_SYNCHRONOUS', 'DATABASE_URL']);
        return true;
      },
    );
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { IN_MEMORY } from '../../src/store/index.ts';

describe('configuration', () => {
  test('defaults to embedded PGlite under ./.crossdock/data', () => {
    const config = loadConfig({});
    assert.deepEqual(config.store, {
      kind: 'pglite',
      dataDir: './.crossdock/data',
      synchronous: false,
      vacuumIntervalMs: 600_000,
    });
  });

  test('the state directory sits beside the data directory, in one home folder, unless set', () => {
    const byDefault = loadConfig({}).security;
    assert.deepEqual(
      [byDefault.stateDir, byDefault.secretsKeyFile, byDefault.legacyStateDir],
      ['.crossdock/state', '.crossdock/state/secrets.key', './.crossdock'],
    );
    const elsewhere = loadConfig({ CROSSDOCK_DATA_DIR: '/srv/crossdock/data' }).security;
    assert.deepEqual(
      [elsewhere.stateDir, elsewhere.legacyStateDir],
      ['/srv/crossdock/state', '/srv/crossdock'],
    );
    const chosen = loadConfig({
      CROSSDOCK_DATA_DIR: '/srv/crossdock/data',
      CROSSDOCK_STATE_DIR: '/etc/crossdock',
    }).security;
    assert.deepEqual(
      [chosen.stateDir, chosen.legacyStateDir],
      ['/etc/crossdock', null],
      'a chosen state directory is used as it is; nothing is moved into it',
    );
  });

  test('DATABASE_URL selects the PostgreSQL server', () => {
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://u@db:5432/x' }).store.kind, 'postgres');
  });

  test("the long-running commands' heap growth: twice what a full collection kept unless set; 0 keeps V8's own", () => {
    assert.equal(loadConfig({}).workers.heapGrowthPercent, 100);
    assert.equal(loadConfig({ CROSSDOCK_HEAP_GROWTH_PERCENT: '0' }).workers.heapGrowthPercent, 0);
    for (const wrong of ['-5', '1001', 'half'])
      assert.throws(
        () => loadConfig({ CROSSDOCK_HEAP_GROWTH_PERCENT: wrong }),
        (error: { code: string; details: { path: string }[] }) =>
          error.code === 'CONFIG_INVALID' &&
          error.details.some((d) => d.path === 'CROSSDOCK_HEAP_GROWTH_PERCENT'),
        wrong,
      );
  });

  test('bad values are never replaced by defaults: every one is listed', () => {
    assert.throws(
      () =>
        loadConfig({
          CROSSDOCK_PORT: '80a',
          CROSSDOCK_SYNCHRONOUS: 'yes',
          DATABASE_URL: 'mysql://x',
        }),
      (error: { code: string; details: { path: string }[] }) => {
        assert.equal(error.code, 'CONFIG_INVALID');
        assert.deepEqual(error.details.map((d) => d.path).sort(), [
          'CROSSDOCK_PORT',
          'CROSSDOCK_SYNCHRONOUS',
          'DATABASE_URL',
        ]);
        return true;
      },
    );
  });

  test('an embedded store kept in memory needs a state directory, named when missing', () => {
    assert.throws(
      () => loadConfig({ CROSSDOCK_DATA_DIR: IN_MEMORY }),
      (error: { code: string; details: { path: string; message: string }[] }) => {
        assert.equal(error.code, 'CONFIG_INVALID');
        assert.deepEqual(
          error.details.map((d) => d.path),
          ['CROSSDOCK_STATE_DIR'],
        );
        assert.match(error.details[0]!.message, /CROSSDOCK_DATA_DIR=memory:\/\//);
        return true;
      },
    );
    const config = loadConfig({ CROSSDOCK_DATA_DIR: IN_MEMORY, CROSSDOCK_STATE_DIR: '/srv/x' });
    assert.deepEqual(
      [config.store.kind === 'pglite' && config.store.dataDir, config.security.stateDir],
      [IN_MEMORY, '/srv/x'],
    );
  });
});

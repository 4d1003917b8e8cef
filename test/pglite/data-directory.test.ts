import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { listMigrations, openStore } from '../../src/store/index.ts';
import { openTestStore } from '../support/stores.ts';

// PGlite-only behaviour: the directory lock and first-time initialisation.
describe('embedded store data directory', () => {
  const roots: string[] = [];
  after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  test('a second opener of the same directory is refused with a clear error while the first holds it', async () => {
    const t = await openTestStore();
    assert.equal(t.connection.kind, 'pglite');
    const dataDir = (t.connection as { dataDir: string }).dataDir;
    // Another process tries to open the same directory.
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e',
      `import { openStore } from './src/store/index.ts';
       try { await openStore({ kind: 'pglite', dataDir: ${JSON.stringify(dataDir)}, synchronous: false, vacuumIntervalMs: 60000 }); console.log('OPENED'); }
       catch (e) { console.log(e.code); }`], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.stdout.trim(), 'STORE_LOCKED', child.stderr);
    await t.dispose();
  });

  test('a lock left by a killed process is taken over', async () => {
    const t = await openTestStore();
    const dataDir = (t.connection as { dataDir: string }).dataDir;
    await t.store.close();
    writeFileSync(`${dataDir}.lock`, '999999\n'); // a pid that does not exist
    const store = await openStore({ kind: 'pglite', dataDir, synchronous: false, vacuumIntervalMs: 60_000 });
    await store.close();
    rmSync(join(dataDir, '..'), { recursive: true, force: true });
  });

  test('a folder that holds something else is never initialised over', async () => {
    const root = mkdtempSync(join(tmpdir(), 'crossdock-notempty-'));
    roots.push(root);
    mkdirSync(join(root, 'data'));
    writeFileSync(join(root, 'data', 'notes.txt'), 'mine');
    await assert.rejects(openStore({ kind: 'pglite', dataDir: join(root, 'data'), synchronous: false, vacuumIntervalMs: 60_000 }), { code: 'STORE_DATA_DIR_INVALID' });
  });

  test('a new directory is created (in a child process) and migrated; the synchronous option opens too', async () => {
    const root = mkdtempSync(join(tmpdir(), 'crossdock-fresh-'));
    roots.push(root);
    const store = await openStore({ kind: 'pglite', dataDir: join(root, 'data'), synchronous: true, vacuumIntervalMs: 60_000 });
    assert.deepEqual(await store.migrate(), listMigrations().map((m) => m.name));
    const settings = await sql<{ name: string; setting: string }>`SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'wal_sync_method') ORDER BY name`.execute(store.db);
    assert.deepEqual(settings.rows, [{ name: 'fsync', setting: 'on' }, { name: 'wal_sync_method', setting: 'open_datasync' }]);
    assert.deepEqual(await store.migrate(), []);
    await store.close();
  });
});

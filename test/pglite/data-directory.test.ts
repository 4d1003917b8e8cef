import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { listMigrations, openStore, type StoreConfig } from '../../src/store/index.ts';
import { describeFailure } from '../../src/store/pglite.ts';
import { nodeScript } from '../support/node-script.ts';
import { openTestStore } from '../support/stores.ts';

const pglite = (dataDir: string): StoreConfig => ({
  kind: 'pglite',
  dataDir,
  synchronous: false,
  vacuumIntervalMs: 3_600_000,
});

/** Every directory and file under root that group or others can reach, with its mode. */
function openToOthers(root: string): string[] {
  const found: string[] = [];
  const visit = (path: string) => {
    const stat = lstatSync(path);
    if ((stat.mode & 0o077) !== 0) found.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
  };
  visit(root);
  return found;
}

// PGlite-only behaviour: first-time initialisation, file modes, opening by a symlink, and
// failures to open (the lock: directory-lock.test.ts).
describe('embedded store data directory', () => {
  const roots: string[] = [];
  after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  test('a folder that holds something else is never initialised over', async () => {
    const root = mkdtempSync(join(tmpdir(), 'crossdock-notempty-'));
    roots.push(root);
    mkdirSync(join(root, 'data'));
    writeFileSync(join(root, 'data', 'notes.txt'), 'mine');
    await assert.rejects(
      openStore({
        kind: 'pglite',
        dataDir: join(root, 'data'),
        synchronous: false,
        vacuumIntervalMs: 60_000,
      }),
      { code: 'STORE_DATA_DIR_INVALID' },
    );
  });

  test('a new directory is created at the current schema; the synchronous option opens too', async () => {
    const root = mkdtempSync(join(tmpdir(), 'crossdock-fresh-'));
    roots.push(root);
    const store = await openStore({
      kind: 'pglite',
      dataDir: join(root, 'data'),
      synchronous: true,
      vacuumIntervalMs: 60_000,
    });
    // Every migration is recorded as applied (the copy kept with them applied), none is left to do.
    const recorded = await sql<{
      name: string;
    }>`SELECT name FROM schema_migrations ORDER BY version`.execute(store.db);
    assert.deepEqual(
      recorded.rows.map((r) => r.name),
      listMigrations().map((m) => m.name),
    );
    assert.deepEqual(await store.migrate(), []);
    const settings = await sql<{
      name: string;
      setting: string;
    }>`SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'wal_sync_method') ORDER BY name`.execute(
      store.db,
    );
    assert.deepEqual(settings.rows, [
      { name: 'fsync', setting: 'on' },
      { name: 'wal_sync_method', setting: 'open_datasync' },
    ]);
    assert.deepEqual(await store.migrate(), []);
    await store.close();
  });

  test('a new data directory is private: folders 0700, files 0600, the lock file too', async () => {
    const root = mkdtempSync(join(tmpdir(), 'crossdock-modes-'));
    roots.push(root);
    const dataDir = join(root, 'data');
    const store = await openStore(pglite(dataDir));
    await store.migrate();
    assert.deepEqual(store.notices, [], 'nothing to report on a directory it made itself');
    await store.close();
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dataDir, 'crossdock.lock')).mode & 0o777, 0o600);
    assert.deepEqual(openToOthers(dataDir), []);
  });

  test('a directory open to other users (made by an earlier version) is narrowed at start, and the store says so', async () => {
    const t = await openTestStore({ onDisk: true });
    const dataDir = (t.connection as { dataDir: string }).dataDir;
    roots.push(dirname(dataDir));
    await t.store.close();
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'base'), 0o777);
    chmodSync(join(dataDir, 'PG_VERSION'), 0o666);
    chmodSync(join(dataDir, 'postgresql.conf'), 0o644);
    const store = await openStore(pglite(dataDir));
    assert.equal(store.notices?.length, 1);
    assert.match(
      store.notices![0]!,
      /^4 path\(s\) under .* are now owner-only \(directories 0700, files 0600\)/,
    );
    assert.match(store.notices![0]!, new RegExp(`${join(dataDir, 'PG_VERSION')} \\(was 666\\)`));
    assert.deepEqual(openToOthers(dataDir), []);
    await store.close();
  });

  test('a file that cannot be made private (another user owns it) stops the start, naming it and its mode', async () => {
    const root = mkdtempSync(join(tmpdir(), 'crossdock-owner-'));
    roots.push(root);
    chmodSync(root, 0o755);
    const dataDir = join(root, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    writeFileSync(join(dataDir, 'PG_VERSION'), '17\n', { mode: 0o644 });
    chmodSync(join(dataDir, 'PG_VERSION'), 0o644); // owned by this test's user (root)
    chownSync(dataDir, 65534, 65534); // the directory is the other user's
    const child = spawnSync(
      process.execPath,
      [...nodeScript(new URL('./open-child.ts', import.meta.url)), dataDir],
      { encoding: 'utf8', timeout: 60_000, uid: 65534, gid: 65534 },
    );
    const outcome = JSON.parse(child.stdout.trim() || '{}') as {
      outcome?: string;
      message?: string;
    };
    assert.equal(outcome.outcome, 'FILE_MODE_UNSAFE', child.stderr);
    assert.match(
      outcome.message!,
      new RegExp(
        `${join(dataDir, 'PG_VERSION')} has mode 644 .* belongs to uid 0, this process runs as uid 65534`,
      ),
    );
  });

  test('a symlinked data directory opens the database it points to', async () => {
    const t = await openTestStore({ onDisk: true });
    const dataDir = (t.connection as { dataDir: string }).dataDir;
    roots.push(dirname(dataDir));
    await sql`CREATE TABLE through (n int)`.execute(t.store.db);
    await t.store.close();
    const link = join(dirname(dataDir), 'link');
    symlinkSync(dataDir, link);
    const byLink = await openStore(pglite(link));
    await sql`INSERT INTO through VALUES (1)`.execute(byLink.db);
    await byLink.close();
    const direct = await openStore(pglite(dataDir));
    assert.deepEqual((await sql<{ n: number }>`SELECT n FROM through`.execute(direct.db)).rows, [
      { n: 1 },
    ]);
    await direct.close();
  });

  test('a database that cannot be opened gives an error naming the directory and the cause, never [object Object]', async () => {
    const t = await openTestStore({ onDisk: true });
    const dataDir = (t.connection as { dataDir: string }).dataDir;
    roots.push(dirname(dataDir));
    await t.store.close();
    rmSync(join(dataDir, 'global', 'pg_control'));
    await assert.rejects(openStore(pglite(dataDir)), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'STORE_OPEN_FAILED');
      assert.match(
        error.message,
        new RegExp(
          `The embedded database in ${dataDir} could not be opened: .*global/pg_control.* is missing or damaged`,
        ),
      );
      return true;
    });
    // What PGlite itself throws for a path its file system cannot follow: a plain object.
    const link = join(dirname(dataDir), 'link');
    symlinkSync(dataDir, link);
    const thrown = await new PGlite(link).waitReady.then(
      () => null,
      (error: unknown) => error,
    );
    assert.ok(
      thrown !== null && !(thrown instanceof Error),
      'PGlite rejects with a plain object here',
    );
    assert.equal(String(thrown), '[object Object]');
    assert.match(
      describeFailure(thrown),
      /^file system error 44 \(ENOENT, no such file or directory\)/,
    );
  });
});

import { createHash, randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { listMigrations, openStore, type Store } from '../../src/store/index.ts';

/**
 * Test stores. By default each test gets its own file-backed PGlite, copied from a
 * migrated template (creating one from scratch costs seconds). With
 * CROSSDOCK_TEST_STORE=postgres each test gets its own database on TEST_DATABASE_URL.
 */
export const TEST_STORE_KIND =
  process.env.CROSSDOCK_TEST_STORE === 'postgres' ? 'postgres' : 'pglite';
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestStore {
  store: Store;
  /** Where a second process can reach the same database. */
  connection: { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };
  dispose(): Promise<void>;
}

export async function openTestStore(): Promise<TestStore> {
  return TEST_STORE_KIND === 'postgres' ? openPostgresTestStore() : openPgliteTestStore();
}

function templateDir(): string {
  const pgliteVersion = JSON.parse(
    readFileSync(
      new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url),
      'utf8',
    ),
  ).version;
  const hash = createHash('sha256')
    .update(pgliteVersion)
    .update(
      listMigrations()
        .map((m) => m.sql)
        .join('\n'),
    )
    .digest('hex')
    .slice(0, 12);
  return join(tmpdir(), `crossdock-template-${hash}`);
}

async function ensureTemplate(): Promise<string> {
  const dir = templateDir();
  if (existsSync(join(dir, 'PG_VERSION'))) return dir;
  const staging = `${dir}.building-${process.pid}-${randomUUID().slice(0, 6)}`;
  const store = await openStore({
    kind: 'pglite',
    dataDir: staging,
    synchronous: false,
    vacuumIntervalMs: 3_600_000,
  });
  await store.migrate();
  await store.close();
  try {
    renameSync(staging, dir);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another test process made it first
  }
  return dir;
}

async function openPgliteTestStore(): Promise<TestStore> {
  const template = await ensureTemplate();
  const root = mkdtempSync(join(tmpdir(), 'crossdock-test-'));
  const dataDir = join(root, 'data');
  cpSync(template, dataDir, { recursive: true });
  const store = await openStore({
    kind: 'pglite',
    dataDir,
    synchronous: false,
    vacuumIntervalMs: 3_600_000,
  });
  return {
    store,
    connection: { kind: 'pglite', dataDir },
    async dispose() {
      await store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A fresh database on the PostgreSQL server, whatever CROSSDOCK_TEST_STORE says (multi-process tests need one). */
export async function openPostgresTestStore(): Promise<TestStore> {
  const name = `crossdock_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const store = await openStore({ kind: 'postgres', url: url.toString(), poolSize: 10 });
  await store.migrate();
  return {
    store,
    connection: { kind: 'postgres', url: url.toString() },
    async dispose() {
      await store.close();
      const cleanup = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** An empty database on the PostgreSQL server for a whole Crossdock instance (which migrates it); returns its URL. */
export async function createTestDatabase(prefix = 'crossdock_e2e'): Promise<string> {
  const name = `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropTestDatabase(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${new URL(url).pathname.slice(1)} WITH (FORCE)`);
  await admin.end();
}

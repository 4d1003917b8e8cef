import { createHash, randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type pg from 'pg';
import {
  IN_MEMORY,
  listMigrations,
  loadPgDriver,
  openStore,
  type Store,
} from '../../src/store/index.ts';

/**
 * Test stores. By default each test gets its own PGlite kept in memory, started from an image
 * of the current schema (the store's IN_MEMORY). A test whose store another process or a
 * later open must reach asks for one on disk: a data directory copied from a migrated
 * template (creating one from scratch costs seconds). With CROSSDOCK_TEST_STORE=postgres each
 * test gets its own database on TEST_DATABASE_URL.
 */
export const TEST_STORE_KIND =
  process.env.CROSSDOCK_TEST_STORE === 'postgres' ? 'postgres' : 'pglite';
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

type ServerConnection = { kind: 'postgres'; url: string };
/** Where a second process (or a later open) can reach the same database. */
export type Reachable = { kind: 'pglite'; dataDir: string } | ServerConnection;

export interface TestStore<Connection = Reachable | { kind: 'memory' }> {
  store: Store;
  connection: Connection;
  dispose(): Promise<void>;
}

/** A store for one test; `onDisk`: one that another process can open too (a data directory on the embedded store). */
export async function openTestStore(): Promise<TestStore>;
export async function openTestStore(options: { onDisk: true }): Promise<TestStore<Reachable>>;
export async function openTestStore(options: { onDisk?: boolean } = {}): Promise<TestStore> {
  if (TEST_STORE_KIND === 'postgres') return openPostgresTestStore();
  return options.onDisk ? openPgliteTestStore() : openMemoryTestStore();
}

/** Where another process can reach `t`'s database; a store kept in memory has no such place. */
export function reachable(t: TestStore): Reachable {
  if (t.connection.kind === 'memory')
    throw new Error('this test opens its database again: give it openTestStore({ onDisk: true })');
  return t.connection;
}

async function openMemoryTestStore(): Promise<TestStore> {
  const store = await openStore({
    kind: 'pglite',
    dataDir: IN_MEMORY,
    synchronous: false,
    vacuumIntervalMs: 3_600_000,
  });
  return { store, connection: { kind: 'memory' }, dispose: () => store.close() };
}

function migrationsHash(): string {
  return createHash('sha256')
    .update(
      listMigrations()
        .map((m) => `${m.name}\n${m.sql}`)
        .join('\n'),
    )
    .digest('hex')
    .slice(0, 12);
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
    .update(migrationsHash())
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

async function openPgliteTestStore(): Promise<TestStore<Reachable>> {
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

/**
 * A database on the server at the current schema, to copy test databases from (as the
 * embedded template above): PostgreSQL copies it in about 40 ms, where migrating a new
 * database took 160-200 ms. Named by the migrations' hash, made once per server and schema;
 * templates of other schemas are dropped when a new one is made.
 */
async function ensurePostgresTemplate(admin: pg.Client): Promise<string> {
  const name = `crossdock_template_${migrationsHash()}`;
  const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (found.rowCount === 1) return name;
  const staging = `${name}_building_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
  await admin.query(`CREATE DATABASE ${staging}`);
  const store = await openStore({ kind: 'postgres', url: databaseUrl(staging), poolSize: 2 });
  try {
    await store.migrate();
  } finally {
    await store.close();
  }
  try {
    await admin.query(`ALTER DATABASE ${staging} RENAME TO ${name}`);
  } catch {
    await admin.query(`DROP DATABASE IF EXISTS ${staging} WITH (FORCE)`); // another test process made it first
  }
  const stale = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE 'crossdock\\_template\\_%' AND datname <> $1 AND datname NOT LIKE '%\\_building\\_%'`,
    [name],
  );
  for (const row of stale.rows)
    await admin.query(`DROP DATABASE IF EXISTS ${row.datname}`).catch(() => undefined);
  return name;
}

/** A second store on a PostgreSQL test store's database, as another process would open it (its own pool and LISTEN). */
export function openOtherProcessStore(t: TestStore, poolSize = 2): Promise<Store> {
  if (t.connection.kind !== 'postgres')
    throw new Error('another process needs a PostgreSQL test store');
  return openStore({ kind: 'postgres', url: t.connection.url, poolSize });
}

/** The backends of this store's database that listen for wake-ups (one per open store). */
export async function wakeListeners(db: Store['db']): Promise<number[]> {
  const rows = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity
    WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()`.execute(
    db,
  );
  return rows.rows.map((r) => r.pid);
}

/** A fresh database on the PostgreSQL server, whatever CROSSDOCK_TEST_STORE says (multi-process tests need one). */
export async function openPostgresTestStore(): Promise<TestStore<ServerConnection>> {
  const name = `crossdock_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = await serverClient();
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${await ensurePostgresTemplate(admin)}`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(name);
  const store = await openStore({ kind: 'postgres', url, poolSize: 10 });
  await store.migrate(); // nothing to do on a copy of the template; kept so the test store proves it
  return {
    store,
    connection: { kind: 'postgres', url },
    async dispose() {
      await store.close();
      const cleanup = await serverClient();
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** An empty database on the PostgreSQL server for a whole Crossdock instance (which migrates it); returns its URL. */
export async function createTestDatabase(prefix = 'crossdock_e2e'): Promise<string> {
  const name = `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = await serverClient();
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return databaseUrl(name);
}

/** A new client of the test server's administrative database, not yet connected. */
async function serverClient(): Promise<pg.Client> {
  const { Client } = await loadPgDriver();
  return new Client({ connectionString: TEST_DATABASE_URL });
}

/** The URL of database `name` on the test server. */
function databaseUrl(name: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropTestDatabase(url: string): Promise<void> {
  const admin = await serverClient();
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${new URL(url).pathname.slice(1)} WITH (FORCE)`);
  await admin.end();
}

import { EventEmitter } from 'node:events';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { CrossdockError } from '../errors/index.ts';
import { migrate } from './migrate.ts';
import { openPglite } from './pglite.ts';
import { securePrivateTree } from './private-files.ts';
import type { Database } from './schema.ts';

export type WakeReason = 'work' | 'admit';

export type StoreConfig =
  | { kind: 'pglite'; dataDir: string; synchronous: boolean; vacuumIntervalMs: number }
  | { kind: 'postgres'; url: string; poolSize: number };

const WAKE_CHANNEL = 'crossdock_wake';

/**
 * The database, whichever it is. The same Kysely queries run on both; what differs
 * (locking the directory, vacuum, wake-ups across processes) stays in here.
 */
export interface Store {
  readonly kind: StoreConfig['kind'];
  readonly db: Kysely<Database>;
  /** Things found and fixed while opening that the operator should hear of (embedded store: file modes narrowed). */
  readonly notices?: readonly string[];
  /**
   * Tells every worker on this database that there is work (NOTIFY on a server).
   * `reason` 'admit' means queued runs are waiting for admission.
   */
  wake(reason?: WakeReason): Promise<void>;
  /** Called when any process has woken the workers. */
  onWake(listener: (reason: WakeReason) => void): () => void;
  migrate(): Promise<string[]>;
  /** Runs a multi-statement SQL script on one connection (simple query protocol). */
  execScript(script: string): Promise<void>;
  close(): Promise<void>;
}

export async function openStore(config: StoreConfig): Promise<Store> {
  return config.kind === 'pglite' ? openPgliteStore(config) : openPostgresStore(config);
}

async function openPgliteStore(config: Extract<StoreConfig, { kind: 'pglite' }>): Promise<Store> {
  const { pglite, lock, notices, dataDir } = await openPglite(config);
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  const wakes = new EventEmitter();
  // PGlite has no autovacuum; without this, dead tuples from run updates pile up.
  const vacuum = setInterval(() => {
    sql`VACUUM ANALYZE`.execute(db).catch(() => undefined);
  }, config.vacuumIntervalMs);
  vacuum.unref();
  return {
    kind: 'pglite',
    db,
    notices,
    async wake(reason: WakeReason = 'work') {
      wakes.emit('wake', reason);
    },
    onWake(listener) {
      wakes.on('wake', listener);
      return () => wakes.off('wake', listener);
    },
    migrate: () => migrate(db, (script) => pgliteScript(pglite, script)),
    execScript: (script) => pgliteScript(pglite, script),
    async close() {
      clearInterval(vacuum);
      await db.destroy();
      // Kysely closes PGlite only if it ever ran a query; an unused store must close it too.
      if (!pglite.closed) await pglite.close();
      try {
        securePrivateTree(dataDir); // what PostgreSQL wrote at shutdown, before another process opens it
      } finally {
        await lock.release();
      }
    },
  };
}

async function openPostgresStore(config: Extract<StoreConfig, { kind: 'postgres' }>): Promise<Store> {
  const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize });
  pool.on('error', () => undefined); // an idle client dropped by the server; the pool replaces it
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`SELECT 1`.execute(db);
  } catch (cause) {
    await db.destroy();
    throw new CrossdockError('STORE_UNAVAILABLE', `Cannot reach PostgreSQL at ${redactUrl(config.url)}: ${(cause as Error).message}`, {
      category: 'transient',
      cause,
    });
  }
  const wakes = new EventEmitter();
  const listener = new pg.Client({ connectionString: config.url });
  listener.on('error', () => undefined);
  listener.on('notification', (message) => wakes.emit('wake', message.payload === 'admit' ? 'admit' : 'work'));
  await listener.connect();
  await listener.query(`LISTEN ${WAKE_CHANNEL}`);
  return {
    kind: 'postgres',
    db,
    async wake(reason: WakeReason = 'work') {
      wakes.emit('wake', reason);
      await sql`SELECT pg_notify(${WAKE_CHANNEL}, ${reason})`.execute(db);
    },
    onWake(fn) {
      wakes.on('wake', fn);
      return () => wakes.off('wake', fn);
    },
    migrate: () => migrate(db, (script) => postgresScript(pool, script)),
    execScript: (script) => postgresScript(pool, script),
    async close() {
      await listener.end().catch(() => undefined);
      await db.destroy();
    },
  };
}

/** A connection string without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<invalid url>';
  }
}

async function pgliteScript(pglite: { exec(q: string): Promise<unknown> }, script: string): Promise<void> {
  try {
    await pglite.exec(script);
  } catch (error) {
    await pglite.exec('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function postgresScript(pool: pg.Pool, script: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query(script);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

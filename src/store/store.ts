import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { CrossdockError } from '../errors/index.ts';
import { faultMappingDialect } from './fault-dialect.ts';
import { isStoreFault, mapStoreFault } from './faults.ts';
import { migrate } from './migrate.ts';
import { IN_MEMORY } from './in-memory.ts';
import { openMemoryPglite, openPglite } from './pglite.ts';
import { pgliteDialect, pgliteScript } from './pglite-dialect.ts';
import { loadPgDriver } from './pg-driver.ts';
import { nameStatements } from './postgres-statements.ts';
import { securePrivateTree } from './private-files.ts';
import { processStepLocks, serverStepLocks, type StepLocks } from './step-locks.ts';
import { LocalWakes, type WakeHandler } from './local-wakes.ts';
import { WakeListener } from './wake-listener.ts';
import type { Database } from './schema.ts';
import type { Pool } from 'pg';

export type WakeReason = 'work' | 'admit';

export type StoreConfig =
  | {
      kind: 'pglite';
      /** Its folder, or IN_MEMORY: kept in memory, gone when the store closes (pglite.ts). */
      dataDir: string;
      synchronous: boolean;
      vacuumIntervalMs: number;
    }
  | {
      kind: 'postgres';
      url: string;
      poolSize: number;
      /** Named prepared statements (postgres-statements.ts); off behind a pooler that drops them. Default on. */
      preparedStatements?: boolean;
    };

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
   * `reason` 'admit' means queued runs are waiting for admission. `runs`: the wake-up is
   * about this many runs made ready; the other processes are told only of those this
   * process's workers have no room for (local-wakes.ts).
   */
  wake(reason?: WakeReason, runs?: number): Promise<void>;
  /** Called when any process has woken the workers; a worker answers how many of `runs` it takes. */
  onWake(listener: WakeHandler): () => void;
  migrate(): Promise<string[]>;
  /** Runs a multi-statement SQL script on one connection (simple query protocol). */
  execScript(script: string): Promise<void>;
  /** Keys a step holds for its whole execution, across every process on this database (step-locks.ts). */
  readonly stepLocks: StepLocks;
  close(): Promise<void>;
}

export async function openStore(config: StoreConfig): Promise<Store> {
  return config.kind === 'pglite' ? openPgliteStore(config) : openPostgresStore(config);
}

async function openPgliteStore(config: Extract<StoreConfig, { kind: 'pglite' }>): Promise<Store> {
  const opened = config.dataDir === IN_MEMORY ? null : await openPglite(config);
  const pglite = opened?.pglite ?? (await openMemoryPglite());
  const db = new Kysely<Database>({ dialect: faultMappingDialect(pgliteDialect(pglite)) });
  const wakes = new LocalWakes();
  // PGlite has no autovacuum; without this, dead tuples from run updates pile up.
  const vacuum = setInterval(() => {
    sql`VACUUM ANALYZE`.execute(db).catch(() => undefined);
  }, config.vacuumIntervalMs);
  vacuum.unref();
  return {
    kind: 'pglite',
    db,
    notices: opened?.notices ?? [],
    stepLocks: processStepLocks(),
    async wake(reason: WakeReason = 'work', runs?: number) {
      wakes.emit(reason, runs);
    },
    onWake: (listener) => wakes.on(listener),
    migrate: () => migrate(db, (script) => pgliteScript(pglite, script)),
    execScript: (script) => pgliteScript(pglite, script),
    async close() {
      clearInterval(vacuum);
      await db.destroy();
      // Kysely closes PGlite only if it ever ran a query; an unused store must close it too.
      if (!pglite.closed) await pglite.close();
      if (!opened) return;
      try {
        securePrivateTree(opened.dataDir); // what PostgreSQL wrote at shutdown, before another process opens it
      } finally {
        await opened.lock.release();
      }
    },
  };
}

/**
 * A pool of server connections. No driver error may end the process: the pool reports an
 * idle connection the server dropped (it replaces it), and each connection gets a listener
 * of its own for a drop while it is checked out (the statement in flight, or the next one,
 * fails with STORE_UNAVAILABLE; the pool discards the connection on release).
 */
async function openPostgresStore(
  config: Extract<StoreConfig, { kind: 'postgres' }>,
): Promise<Store> {
  const pg = await loadPgDriver();
  const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize });
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    if (config.preparedStatements !== false) nameStatements(client);
  });
  const db = new Kysely<Database>({ dialect: faultMappingDialect(new PostgresDialect({ pool })) });
  const wakes = new LocalWakes();
  // A wake-up names the store that sent it: this store's own come back through LISTEN too,
  // and were already told to its listeners when sent (one wake-up each, not two).
  const origin = randomUUID();
  const listener = new WakeListener({
    driver: pg,
    url: config.url,
    channel: WAKE_CHANNEL,
    onNotify: (payload) => {
      const [reason, from] = (payload ?? '').split(':');
      if (from !== origin) wakes.emit(reason === 'admit' ? 'admit' : 'work');
    },
    // Wake-ups sent while the connection was down are lost: look for work of both kinds.
    onReconnected: () => wakes.emit('admit'),
  });
  try {
    await sql`SELECT 1`.execute(db);
    await listener.start();
  } catch (cause) {
    await listener.close();
    await db.destroy();
    throw new CrossdockError(
      'STORE_UNAVAILABLE',
      `Cannot reach PostgreSQL at ${redactUrl(config.url)}: ${(cause as Error).message}`,
      {
        category: 'transient',
        cause,
      },
    );
  }
  const stepLocks = serverStepLocks(pg, config.url);
  return {
    kind: 'postgres',
    db,
    stepLocks,
    async wake(reason: WakeReason = 'work', runs?: number) {
      const taken = wakes.emit(reason, runs);
      if (runs !== undefined && taken >= runs) return; // this process's workers claim them all
      // A hint only: with the server away, the other processes find the work by polling.
      await sql`SELECT pg_notify(${WAKE_CHANNEL}, ${`${reason}:${origin}`})`
        .execute(db)
        .catch((error: unknown) => {
          if (!isStoreFault(error)) throw error;
        });
    },
    onWake: (listener) => wakes.on(listener),
    migrate: () => migrate(db, (script) => postgresScript(pool, script)),
    execScript: (script) => postgresScript(pool, script),
    async close() {
      await stepLocks.close();
      await listener.close();
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

async function postgresScript(pool: Pool, script: string): Promise<void> {
  const client = await pool.connect().catch((error: unknown) => {
    throw mapStoreFault(error);
  });
  try {
    await client.query(script);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw mapStoreFault(error);
  } finally {
    client.release();
  }
}

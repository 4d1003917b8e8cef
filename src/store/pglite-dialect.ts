import type { PGlite, Transaction as PGliteTransaction } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';
import { statementsOf } from './pglite-statements.ts';
import { nameable } from './statement-names.ts';
import { Turn } from './turn.ts';

/**
 * Kysely over one PGlite instance. Kysely 0.29 ships this dialect, but it (and every 0.29)
 * declares Node >= 22; on 0.28, which supports Node 20, we keep our own, written after
 * Kysely 0.29's PGliteDialect (MIT) and behaving as it does:
 *
 * - PGlite has one connection, so the driver hands it to one caller at a time: a query, or a
 *   whole transaction, holds it from acquireConnection() to releaseConnection(); the others
 *   wait their turn (Kysely 0.29 does this in its core for PGlite, 0.28's SQLite driver in
 *   the driver, as here). Without it, a query made while a transaction is open would run
 *   inside that transaction.
 * - A Kysely transaction is a PGlite `transaction()` held open until Kysely commits or rolls
 *   back: PGlite's exclusive transaction lock makes any other transaction wait for it.
 * - Migrations need no lock of their own: nobody else can reach this database (the data
 *   directory is locked to this process, see lock-file.ts).
 */
export function pgliteDialect(pglite: PGlite): Dialect {
  return {
    createAdapter: () => new PGliteAdapter(),
    createDriver: () => new PGliteDriver(pglite),
    createIntrospector: (db: Kysely<unknown>) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  };
}

class PGliteAdapter extends PostgresAdapter {
  override async acquireMigrationLock(): Promise<void> {}

  override async releaseMigrationLock(): Promise<void> {}
}

class PGliteDriver implements Driver {
  readonly #connection: PGliteConnection;
  readonly #turn = new Turn();

  constructor(readonly pglite: PGlite) {
    this.#connection = new PGliteConnection(pglite);
  }

  async init(): Promise<void> {
    if (this.pglite.closed) throw new Error('PGlite instance is already closed.');
    await this.pglite.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#turn.take();
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    this.#turn.give();
  }

  beginTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as PGliteConnection).begin();
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as PGliteConnection).commit();
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as PGliteConnection).rollback();
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${identifier(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to ${identifier(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release ${identifier(name)}`));
  }

  async destroy(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
  }
}

/** The open transaction, while there is one: its queries go through it. */
interface OpenTransaction {
  tx: PGliteTransaction;
  finish: (outcome: 'commit' | 'rollback') => void;
  closed: Promise<void>;
}

class PGliteConnection implements DatabaseConnection {
  #open: OpenTransaction | null = null;

  constructor(private readonly pglite: PGlite) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { affectedRows, rows } = nameable(query.sql)
      ? await statementsOf(this.pglite).query<R>(query.sql, query.parameters, this.#open !== null)
      : await (this.#open?.tx ?? this.pglite).query<R>(query.sql, [...query.parameters], {
          rowMode: 'object',
        });
    return {
      numAffectedRows: affectedRows == null ? undefined : BigInt(affectedRows),
      rows: rows ?? [],
    };
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not supported by PGlite.');
  }

  /** Opens PGlite's transaction and resolves once it has begun; it ends when commit() or rollback() settles `outcome`. */
  async begin(): Promise<void> {
    let finish!: OpenTransaction['finish'];
    const outcome = new Promise<void>(
      (resolve, reject) =>
        (finish = (how) => (how === 'commit' ? resolve() : reject(new Error('rolled back')))),
    );
    let begun!: (tx: PGliteTransaction) => void;
    const started = new Promise<PGliteTransaction>((resolve) => (begun = resolve));
    const closed = this.pglite.transaction(async (tx) => {
      begun(tx);
      await outcome; // a rejection makes PGlite roll back
    });
    // A transaction that fails to begin rejects here instead of leaving begin() waiting.
    const tx = await Promise.race([
      started,
      closed.then(() => Promise.reject(new Error('PGlite ended the transaction before it began'))),
    ]);
    this.#open = { tx, finish, closed };
  }

  async commit(): Promise<void> {
    const open = this.#open;
    open?.finish('commit');
    try {
      await open?.closed;
    } finally {
      this.#open = null;
    }
  }

  async rollback(): Promise<void> {
    const open = this.#open;
    open?.finish('rollback');
    await open?.closed.catch(() => undefined);
    this.#open = null;
  }
}

function identifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Runs a multi-statement script (simple query protocol); a failure rolls back what it began.
 * A script may change tables under the named statements, so they are parsed anew after it.
 */
export async function pgliteScript(pglite: PGlite, script: string): Promise<void> {
  try {
    await pglite.exec(script);
  } catch (error) {
    await pglite.exec('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await statementsOf(pglite).forgetAll();
  }
}

import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { mapStoreFault } from './faults.ts';

/**
 * A Kysely dialect whose every database call turns a store fault (faults.ts) into its
 * CrossdockError, so no caller ever sees a raw driver error for an outage or an aborted
 * transaction. Everything else is delegated unchanged.
 */
export function faultMappingDialect(inner: Dialect): Dialect {
  return {
    createDriver: () => new FaultMappingDriver(inner.createDriver()),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
  };
}

async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw mapStoreFault(error);
  }
}

/** The connection the caller holds; the inner driver always gets its own connection back. */
class FaultMappingConnection implements DatabaseConnection {
  constructor(readonly inner: DatabaseConnection) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return mapped(() => this.inner.executeQuery<R>(query));
  }

  async *streamQuery<R>(
    query: CompiledQuery,
    chunkSize?: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(query, chunkSize);
    } catch (error) {
      throw mapStoreFault(error);
    }
  }
}

class FaultMappingDriver implements Driver {
  constructor(private readonly inner: Driver) {}

  init(): Promise<void> {
    return mapped(() => this.inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new FaultMappingConnection(await mapped(() => this.inner.acquireConnection()));
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return mapped(() => this.inner.beginTransaction(unwrap(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return mapped(() => this.inner.commitTransaction(unwrap(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return mapped(() => this.inner.rollbackTransaction(unwrap(connection)));
  }

  savepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    return mapped(async () =>
      optional(this.inner.savepoint, 'savepoint').call(
        this.inner,
        unwrap(connection),
        name,
        compile,
      ),
    );
  }

  rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    return mapped(async () =>
      optional(this.inner.rollbackToSavepoint, 'rollbackToSavepoint').call(
        this.inner,
        unwrap(connection),
        name,
        compile,
      ),
    );
  }

  releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    return mapped(async () =>
      optional(this.inner.releaseSavepoint, 'releaseSavepoint').call(
        this.inner,
        unwrap(connection),
        name,
        compile,
      ),
    );
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/** Both drivers we wrap have savepoints; one without would be a wiring mistake, not a no-op. */
function optional<F>(method: F | undefined, name: string): F {
  if (method === undefined) throw new Error(`the wrapped Kysely driver has no ${name}`);
  return method;
}

function unwrap(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof FaultMappingConnection ? connection.inner : connection;
}

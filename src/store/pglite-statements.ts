import { parse, protocol, type PGlite, type Results } from '@electric-sql/pglite';
import { nextStatementName, planOutdated } from './statement-names.ts';

/**
 * Named prepared statements on PGlite. `pglite.query()` sends every statement as a new unnamed
 * one: PostgreSQL parses and plans it again each time, in WebAssembly, and the exchange takes
 * six calls into it. Planning alone was most of a small query's cost (the idle worker's
 * "next due" read: 0.53 ms of planning, 0.16 ms of execution). Here a statement is parsed once
 * and named; later runs are one call (bind, describe, execute, sync) on a plan PostgreSQL
 * keeps (a generic plan once it is no worse than the custom ones, as on any server).
 *
 * Only queries and data changes are named (SELECT, INSERT, UPDATE, DELETE, WITH); anything
 * else goes through `query()` as before. The statements of one instance are kept up to a
 * limit, the least recently used closed first. A script (a migration) may change a table's
 * columns under a statement, so after one every statement is dropped and parsed again.
 *
 * Values are sent and rows read exactly as `query()` does: each parameter by the serializer
 * of the type PostgreSQL inferred for it, each row by PGlite's parsers.
 */
export class PgliteStatements {
  /** SQL text -> its statement; a Map keeps insertion order, so the first entry is the least recently used. */
  readonly #named = new Map<string, Named>();
  /** Close messages of statements forgotten, sent ahead of the next exchange. */
  #closing: Uint8Array[] = [];

  constructor(
    private readonly pglite: PGlite,
    private readonly limit = 500,
  ) {}

  /**
   * Runs one statement. `inTransaction`: the caller holds PGlite's transaction (its queries
   * take only the query lock, and nothing is synced to disk until the commit), as tx.query().
   */
  async query<R>(
    sql: string,
    params: readonly unknown[],
    inTransaction: boolean,
  ): Promise<Results<R>> {
    const run = () =>
      this.pglite._runExclusiveQuery(async () => {
        try {
          return await this.#run<R>(sql, params, inTransaction);
        } catch (error) {
          // Its tables changed under it (a column added or dropped outside a script): outside a
          // transaction, which that error would have ended, it is parsed anew and run once more.
          if (inTransaction || !planOutdated(error)) throw error;
          return this.#run<R>(sql, params, inTransaction);
        }
      });
    await this.pglite._checkReady();
    return inTransaction ? run() : this.pglite._runExclusiveTransaction(run);
  }

  /** Drops every statement (after a script that may have changed the tables under them). */
  async forgetAll(): Promise<void> {
    if (this.#named.size === 0) return;
    this.#named.clear();
    this.#closing = [];
    await this.pglite.exec('DEALLOCATE ALL');
  }

  async #run<R>(
    sql: string,
    params: readonly unknown[],
    inTransaction: boolean,
  ): Promise<Results<R>> {
    const serialize = protocol.serialize;
    let named = this.#named.get(sql);
    if (named) {
      this.#named.delete(sql); // most recently used: to the end
      this.#named.set(sql, named);
    } else {
      if (this.#named.size >= this.limit) this.#drop(this.#named.keys().next().value!);
      const name = nextStatementName();
      const described = await this.#exchange(
        [serialize.parse({ name, text: sql }), serialize.describe({ type: 'S', name })],
        sql,
        params,
        false,
      );
      named = { name, types: parse.parseDescribeStatementResults(described) };
      this.#named.set(sql, named);
    }
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = this.pglite.serializers[named.types[i]!];
      return serializer ? serializer(value) : String(value);
    });
    try {
      const messages = await this.#exchange(
        [
          serialize.bind({ statement: named.name, values }),
          serialize.describe({ type: 'P' }),
          serialize.execute({}),
        ],
        sql,
        params,
        !inTransaction,
      );
      return parse.parseResults(messages, this.pglite.parsers, {
        rowMode: 'object',
      })[0] as Results<R>;
    } catch (error) {
      // A failed run leaves the statement as it was; but one whose tables changed under it
      // can never run again: it is parsed anew next time.
      if (planOutdated(error)) this.#drop(sql);
      throw error;
    }
  }

  /** Forgets a statement; PostgreSQL closes it with the next exchange. */
  #drop(sql: string): void {
    const named = this.#named.get(sql);
    if (!named) return;
    this.#named.delete(sql);
    this.#closing.push(protocol.serialize.close({ type: 'S', name: named.name }));
  }

  /** One call into PGlite: the closes pending, these messages, and a sync. */
  async #exchange(parts: Uint8Array[], sql: string, params: readonly unknown[], syncToFs: boolean) {
    try {
      const closing = this.#closing.splice(0);
      const message = concat([...closing, ...parts, protocol.serialize.sync()]);
      return (await this.pglite.execProtocol(message, { syncToFs })).messages;
    } catch (error) {
      // As PGlite's query() reports a database error: with the statement and its values.
      Object.assign(error as object, { query: sql, params });
      throw error;
    }
  }
}

interface Named {
  name: string;
  /** The parameter types PostgreSQL inferred, by position (the serializer of each value). */
  types: number[];
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const instances = new WeakMap<PGlite, PgliteStatements>();

/** The statements of one PGlite instance, shared by its driver and its scripts. */
export function statementsOf(pglite: PGlite): PgliteStatements {
  let statements = instances.get(pglite);
  if (!statements) instances.set(pglite, (statements = new PgliteStatements(pglite)));
  return statements;
}

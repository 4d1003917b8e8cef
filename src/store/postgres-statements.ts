import type pg from 'pg';
import { nameable, nextStatementName, planOutdated } from './statement-names.ts';

/**
 * Named prepared statements on a server connection. node-postgres sends a statement without a
 * name as a new one each time, and the server parses and plans it again: one request at a time,
 * that planning was 1.7 ms of the 4.9 ms of server CPU a run took (decision 0069). A statement
 * with a name is parsed once per connection and its plan kept.
 *
 * node-postgres has no way to close a named statement, so this keeps its own list per
 * connection: a name per SQL text, at most `limit`, the least recently used deallocated; names
 * are never reused, so the driver's own record of what it parsed cannot disagree with ours.
 *
 * A statement whose table changed under it (a `crossdock migrate` beside running processes
 * added or dropped a column) fails with "cached plan must not change result type" (0A000):
 * its name is dropped, and outside a transaction the statement is parsed anew under a new name
 * and run once more; inside one the error stands (it has ended the transaction). A statement
 * the server refused to parse (class 42: syntax, a missing table) is not kept.
 *
 * Only queries and data changes are named (SELECT, INSERT, UPDATE, DELETE, WITH). Connection
 * poolers that do not keep prepared statements (PgBouncer in transaction mode before 1.21)
 * need `CROSSDOCK_DB_PREPARED_STATEMENTS=false`.
 */
export function nameStatements(client: pg.ClientBase, limit = 100): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<pg.QueryResult>;
  /** SQL text -> its name; first entry = least recently used. */
  const named = new Map<string, { name: string; parsed: boolean }>();
  let inTransaction = false;

  /**
   * Drops `text`'s name and closes its statement on the server. The caller awaits it before
   * the connection's next statement: pg 8 queues a query sent while another is in flight (and
   * warns that this is deprecated); pg 9 refuses it.
   */
  const forget = async (text: string): Promise<void> => {
    const entry = named.get(text);
    if (!entry) return;
    named.delete(text);
    // Best effort: in an aborted transaction this fails, and the statement lasts as long as
    // the connection.
    if (entry.parsed) await query(`DEALLOCATE ${entry.name}`).catch(() => undefined);
  };

  const run = async (text: string, values: unknown[], again = false): Promise<pg.QueryResult> => {
    let entry = named.get(text);
    if (entry) {
      named.delete(text);
      named.set(text, entry);
    } else {
      entry = { name: nextStatementName(), parsed: false };
      named.set(text, entry);
      if (named.size > limit) await forget(named.keys().next().value!);
    }
    try {
      const result = await query({ name: entry.name, text, values });
      entry.parsed = true;
      return result;
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (planOutdated(error)) {
        await forget(text);
        if (!inTransaction && !again) return run(text, values, true);
      } else if (!entry.parsed && typeof code === 'string' && code.startsWith('42')) {
        named.delete(text); // refused while parsing (syntax, a missing table): never named
      } else entry.parsed = true; // parsed, then failed running (a constraint, a lock)
      throw error;
    }
  };

  // Kysely sends every statement with an array of values, and a transaction's begin and end
  // as statements of their own; anything else (a script, a callback) is passed on as it is.
  (client as unknown as { query: unknown }).query = (
    config: unknown,
    values?: unknown,
    callback?: unknown,
  ) => {
    if (typeof config === 'string' && Array.isArray(values) && callback === undefined) {
      const boundary = TRANSACTION.exec(config)?.[1]?.toLowerCase();
      if (boundary !== undefined) inTransaction = boundary === 'begin' || boundary === 'start';
      else if (nameable(config)) return run(config, values);
    }
    return query(config, values, callback);
  };
}

/** A transaction begins or ends (Kysely sends these as plain statements). */
const TRANSACTION = /^\s*(begin|start|commit|rollback|end|abort)\b(?!\s+to\b)/i;

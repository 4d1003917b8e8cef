/**
 * What both stores' named prepared statements (pglite-statements.ts, postgres-statements.ts)
 * agree on: which statements get a name, how names are made, and the error that says a
 * statement's table changed under it.
 */

/** Queries and data changes are named; anything else (savepoints, VACUUM, LISTEN) is not. */
export function nameable(sql: string): boolean {
  return NAMEABLE.test(sql);
}

const NAMEABLE = /^\s*(select|insert|update|delete|with)\b/i;

let counter = 0;

/** A new statement name, unique in the process: a name is never reused, on any connection. */
export function nextStatementName(): string {
  return `crossdock_${++counter}`;
}

/** "cached plan must not change result type" (0A000): the statement's columns are no longer the table's. */
export function planOutdated(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '0A000';
}

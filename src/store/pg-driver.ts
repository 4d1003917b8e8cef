import type pg from 'pg';

export type PgDriver = typeof pg;

let loading: Promise<PgDriver> | undefined;

/**
 * node-postgres, loaded when a server store is first opened. The embedded store never needs
 * it, and importing it cost about 60 ms of CPU in every process (it probes the runtime's
 * `navigator` on load, which makes Node build its web APIs): in each `crossdock` command on
 * the embedded store and in each test process.
 */
export function loadPgDriver(): Promise<PgDriver> {
  loading ??= import('pg').then((module) => module.default);
  return loading;
}

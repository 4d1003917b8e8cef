import { CrossdockError } from '../errors/index.ts';

/**
 * The one map from database driver failures to Crossdock errors. Only faults of the
 * database as a service are mapped here: the server going away, refusing connections,
 * running out of resources, or aborting a transaction that may simply be run again.
 * Everything else (a constraint violation, a syntax error) passes through unchanged and
 * stays a bug where it surfaces.
 */

/** What a caller should wait before asking an unavailable store again (the API's Retry-After). */
export const STORE_RETRY_AFTER_MS = 5_000;

/** Codes of the transient store faults; a transaction that failed with one may be run again whole. */
export const StoreFaultCode = {
  /** The server cannot be reached, shut down, restarted, or has no resources to serve. */
  unavailable: 'STORE_UNAVAILABLE',
  /** The server aborted the transaction (serialization failure, deadlock); running it again can succeed. */
  conflict: 'STORE_CONFLICT',
} as const;
export type StoreFaultCode = (typeof StoreFaultCode)[keyof typeof StoreFaultCode];

/** SQLSTATE codes (or classes, two characters) and what they mean for us. */
const SQLSTATE_FAULTS: ReadonlyArray<[prefix: string, code: StoreFaultCode, what: string]> = [
  ['40001', StoreFaultCode.conflict, 'serialization failure'],
  ['40P01', StoreFaultCode.conflict, 'deadlock detected'],
  ['57P01', StoreFaultCode.unavailable, 'administrator shutdown'],
  ['57P02', StoreFaultCode.unavailable, 'crash shutdown'],
  ['57P03', StoreFaultCode.unavailable, 'the server is starting up or shutting down'],
  ['08', StoreFaultCode.unavailable, 'connection exception'],
  ['53', StoreFaultCode.unavailable, 'insufficient resources'],
];

/** Node socket errors: the server is not there, or the connection to it broke. */
const SOCKET_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** The pg driver reports a lost connection with these messages and no code. */
const LOST_CONNECTION = [
  /^Connection terminated/,
  /Client has encountered a connection error and is not queryable/,
  /^timeout exceeded when trying to connect$/,
  /^Query read timeout$/,
];

/** The transient store fault this failure is, or undefined if it is something else. */
export function storeFault(error: unknown): CrossdockError | undefined {
  if (error instanceof CrossdockError) return isStoreFault(error) ? error : undefined;
  if (!(error instanceof Error)) return undefined;
  const raw = (error as Error & { code?: unknown }).code;
  const code = typeof raw === 'string' ? raw : '';
  const sqlstate = SQLSTATE_FAULTS.find(([prefix]) => code.length === 5 && code.startsWith(prefix));
  if (sqlstate)
    return fault(sqlstate[1], `${sqlstate[2]} (SQLSTATE ${code}): ${error.message}`, error);
  if (SOCKET_CODES.has(code))
    return fault(
      StoreFaultCode.unavailable,
      `connection to the database failed (${code}): ${error.message}`,
      error,
    );
  if (LOST_CONNECTION.some((pattern) => pattern.test(error.message)))
    return fault(
      StoreFaultCode.unavailable,
      `connection to the database lost: ${error.message}`,
      error,
    );
  return undefined;
}

/** The failure as a Crossdock error if it is a store fault, else unchanged. */
export function mapStoreFault(error: unknown): unknown {
  return storeFault(error) ?? error;
}

export function isStoreFault(error: unknown): error is CrossdockError {
  return (
    error instanceof CrossdockError &&
    (error.code === StoreFaultCode.unavailable || error.code === StoreFaultCode.conflict)
  );
}

function fault(code: StoreFaultCode, message: string, cause: Error): CrossdockError {
  // A conflict clears as soon as the other transaction is done; an outage takes longer.
  const retryAfterMs = code === StoreFaultCode.conflict ? 1_000 : STORE_RETRY_AFTER_MS;
  const lead =
    code === StoreFaultCode.conflict
      ? 'The database aborted the transaction; it can be run again'
      : 'The database is unavailable';
  return new CrossdockError(code, `${lead}: ${message}`, {
    category: 'transient',
    retryable: true,
    retryAfterMs,
    cause,
  });
}

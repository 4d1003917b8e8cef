/**
 * The one place where an Odoo failure becomes a CrossdockError. Every code below is
 * documented in docs/error-codes-odoo.md and exercised by test/odoo/error-map.test.ts
 * against the recorded Odoo 17 error fixtures.
 *
 * Matching is by the Python exception class (the last segment of JSON-RPC `data.name`,
 * of a JSON-2 error `name`, or of the exception line of an XML-RPC fault-1 traceback)
 * and, where one class covers several situations, by the start of Odoo's message.
 * Rules are tried in order; the first match wins; anything unmatched is ODOO_SERVER_ERROR.
 */
import { CrossdockError, pickErrorCodes, type ErrorCode } from '../../errors/index.ts';
import type { OdooFailure } from './failure.ts';

/** The codes Odoo's failures map to; their category, retryability and HTTP status are the registry's (src/errors/codes.ts). */
const ODOO_CODES = [
  'ODOO_ACCESS_DENIED',
  'ODOO_ACCESS_ERROR',
  'ODOO_PRIVATE_METHOD',
  'ODOO_USER_ERROR',
  'ODOO_VALIDATION_ERROR',
  'ODOO_MISSING_RECORD',
  'ODOO_UNKNOWN_MODEL',
  'ODOO_UNKNOWN_FIELD',
  'ODOO_UNKNOWN_METHOD',
  'ODOO_INVALID_DOMAIN',
  'ODOO_INVALID_ARGUMENT',
  'ODOO_RESULT_NOT_MARSHALLABLE',
  'ODOO_DATABASE_NOT_FOUND',
  'ODOO_SERVER_ERROR',
  'ODOO_PROTOCOL_ERROR',
  'ODOO_SESSION_EXPIRED',
  'ODOO_SERIALIZATION_FAILURE',
  'ODOO_UNAVAILABLE',
  'ODOO_TIMEOUT',
] as const satisfies readonly ErrorCode[];
export type OdooErrorCode = (typeof ODOO_CODES)[number];
export const ODOO_ERROR_CODES = pickErrorCodes(ODOO_CODES);

/** A Python exception as Odoo reported it, whatever the transport. */
export interface OdooException {
  /** Dotted class as sent ("odoo.exceptions.UserError"), or as far as the transport tells. */
  qualifiedName: string;
  /** Last segment of the dotted name ("UserError"). */
  className: string;
  message: string;
}

interface ExceptionRule {
  code: OdooErrorCode;
  classes: readonly string[];
  message?: RegExp;
}

/** Ordered: specific message patterns before the catch-all rule of the same class. */
const EXCEPTION_RULES: readonly ExceptionRule[] = [
  { code: 'ODOO_SESSION_EXPIRED', classes: ['SessionExpiredException'] },
  { code: 'ODOO_ACCESS_DENIED', classes: ['AccessDenied', 'Unauthorized'] },
  { code: 'ODOO_PRIVATE_METHOD', classes: ['AccessError'], message: /^Private methods \(such as / },
  { code: 'ODOO_ACCESS_ERROR', classes: ['AccessError', 'Forbidden'] },
  { code: 'ODOO_MISSING_RECORD', classes: ['MissingError'] },
  // XML-RPC fault 2 hides the class: MissingError and "unknown model" arrive as UserError.
  {
    code: 'ODOO_MISSING_RECORD',
    classes: ['UserError'],
    message: /^Record does not exist or has been deleted\./,
  },
  { code: 'ODOO_UNKNOWN_MODEL', classes: ['UserError'], message: /^Object \S+ doesn't exist$/ },
  { code: 'ODOO_UNKNOWN_MODEL', classes: ['NotFound'], message: /^the model .+ does not exist$/ },
  { code: 'ODOO_VALIDATION_ERROR', classes: ['ValidationError'] },
  { code: 'ODOO_USER_ERROR', classes: ['UserError', 'RedirectWarning'] },
  {
    code: 'ODOO_UNKNOWN_METHOD',
    classes: ['AttributeError'],
    message: /does not exist on the model/,
  },
  { code: 'ODOO_UNKNOWN_METHOD', classes: ['Exception'], message: /^Method not found: / },
  // JSON-2 (19): a path without model and method, or GET/PUT instead of POST: our request is malformed.
  { code: 'ODOO_PROTOCOL_ERROR', classes: ['NotFound'], message: /^Did you mean POST / },
  { code: 'ODOO_UNKNOWN_METHOD', classes: ['NotFound'] },
  { code: 'ODOO_UNKNOWN_FIELD', classes: ['ValueError'], message: /^Invalid field / },
  { code: 'ODOO_INVALID_DOMAIN', classes: ['ValueError'], message: /^Invalid leaf / },
  { code: 'ODOO_INVALID_DOMAIN', classes: ['AssertionError'], message: /^Domains to normalize / },
  {
    code: 'ODOO_SERIALIZATION_FAILURE',
    classes: [
      'SerializationFailure',
      'TransactionRollbackError',
      'DeadlockDetected',
      'LockNotAvailable',
    ],
  },
  {
    code: 'ODOO_SERIALIZATION_FAILURE',
    classes: ['OperationalError'],
    message: /could not serialize access/,
  },
  {
    code: 'ODOO_DATABASE_NOT_FOUND',
    classes: ['OperationalError'],
    message: /database ".*" does not exist/,
  },
  { code: 'ODOO_UNAVAILABLE', classes: ['OperationalError', 'InterfaceError'] },
  { code: 'ODOO_RESULT_NOT_MARSHALLABLE', classes: ['TypeError'], message: /^cannot marshal / },
  { code: 'ODOO_PROTOCOL_ERROR', classes: ['ExpatError', 'BadRequest'] },
  // "Expected singleton" is a server-side bug (automation-11b), not something we sent.
  { code: 'ODOO_SERVER_ERROR', classes: ['ValueError'], message: /^Expected singleton/ },
  {
    code: 'ODOO_INVALID_ARGUMENT',
    classes: [
      'UnprocessableEntity',
      'TypeError',
      'ValueError',
      'InvalidTextRepresentation',
      'DataError',
      'NotNullViolation',
    ],
  },
];

function lastSegment(dotted: string): string {
  return dotted.slice(dotted.lastIndexOf('.') + 1);
}

/**
 * The exception line(s) at the end of a Python traceback: everything after the last
 * indented line (frames, and the fixtures' "frames removed" marker, are indented).
 */
function exceptionFromTraceback(traceback: string): OdooException {
  const lines = traceback.replace(/\s+$/, '').split('\n');
  let lastIndented = -1;
  lines.forEach((line, index) => {
    if (/^\s/.test(line)) lastIndented = index;
  });
  const text = lines.slice(lastIndented + 1).join('\n');
  const match = /^([A-Za-z_][\w.]*)(?::\s?([\s\S]*))?$/.exec(text);
  if (match === null || match[1] === undefined)
    return { qualifiedName: 'unknown', className: 'unknown', message: text };
  return { qualifiedName: match[1], className: lastSegment(match[1]), message: match[2] ?? '' };
}

/** XML-RPC faults: 1 = any exception (traceback), 2 = UserError family, 3 = AccessDenied, 4 = AccessError. */
function exceptionFromFault(faultCode: number | string, faultString: string): OdooException {
  if (typeof faultCode === 'string') {
    // Legacy /xmlrpc/object: "warning -- UserError\n\n<message>" with an empty faultString.
    const match = /^\w+ -- (\w+)\n\n([\s\S]*)$/.exec(faultCode);
    if (match?.[1] !== undefined) {
      return {
        qualifiedName: match[1],
        className: match[1],
        message: faultString || (match[2] ?? ''),
      };
    }
    return { qualifiedName: 'unknown', className: 'unknown', message: faultString || faultCode };
  }
  if (faultCode === 2)
    return { qualifiedName: 'UserError', className: 'UserError', message: faultString };
  if (faultCode === 3)
    return { qualifiedName: 'AccessDenied', className: 'AccessDenied', message: faultString };
  if (faultCode === 4)
    return { qualifiedName: 'AccessError', className: 'AccessError', message: faultString };
  return exceptionFromTraceback(faultString);
}

/** The Python exception behind an rpc-error or XML-RPC fault; null for transport-level failures. */
export function odooExceptionOf(failure: OdooFailure): OdooException | null {
  if (failure.kind === 'rpc-error') {
    // JSON-RPC code 100 is the session-expired envelope whatever the class says.
    if (failure.code === 100) {
      return {
        qualifiedName: failure.name,
        className: 'SessionExpiredException',
        message: failure.message,
      };
    }
    return {
      qualifiedName: failure.name,
      className: lastSegment(failure.name),
      message: failure.message,
    };
  }
  if (failure.kind === 'xmlrpc-fault')
    return exceptionFromFault(failure.faultCode, failure.faultString);
  return null;
}

function codeForException(exception: OdooException): OdooErrorCode {
  const rule = EXCEPTION_RULES.find(
    (candidate) =>
      candidate.classes.includes(exception.className) &&
      (candidate.message === undefined || candidate.message.test(exception.message)),
  );
  return rule?.code ?? 'ODOO_SERVER_ERROR';
}

/** Odoo 19's HTML 404 for an X-Odoo-Database that names no database (11-error-unknown-database-header). */
function isUnknownDatabasePage(failure: Extract<OdooFailure, { kind: 'http-status' }>): boolean {
  return failure.httpStatus === 404 && failure.bodyExcerpt.includes('No database is selected');
}

function codeForTransportFailure(
  failure: Exclude<OdooFailure, { kind: 'rpc-error' | 'xmlrpc-fault' }>,
): OdooErrorCode {
  switch (failure.kind) {
    case 'login-refused':
      return 'ODOO_ACCESS_DENIED';
    case 'timeout':
      return 'ODOO_TIMEOUT';
    case 'network':
      return 'ODOO_UNAVAILABLE';
    case 'malformed-response':
      return 'ODOO_PROTOCOL_ERROR';
    case 'http-status':
      if ([502, 503, 504].includes(failure.httpStatus)) return 'ODOO_UNAVAILABLE';
      if (isUnknownDatabasePage(failure)) return 'ODOO_DATABASE_NOT_FOUND';
      return failure.httpStatus >= 500 ? 'ODOO_SERVER_ERROR' : 'ODOO_PROTOCOL_ERROR';
  }
}

/** The stable code for a failure; exported so tests and docs can check the table directly. */
export function odooErrorCodeOf(failure: OdooFailure): OdooErrorCode {
  if (failure.kind === 'rpc-error' || failure.kind === 'xmlrpc-fault') {
    const exception = odooExceptionOf(failure);
    return exception === null ? 'ODOO_SERVER_ERROR' : codeForException(exception);
  }
  return codeForTransportFailure(failure);
}

/** Where the failing call was going; used only to make the message actionable. */
export interface OdooCallSite {
  baseUrl: string;
  model?: string;
  method?: string;
}

function describeTransportFailure(failure: OdooFailure, site: OdooCallSite): string {
  switch (failure.kind) {
    case 'login-refused':
      return `Odoo at ${site.baseUrl} rejected login "${failure.login}" on database "${failure.database}" (wrong login or API key)`;
    case 'timeout':
      return `Odoo at ${site.baseUrl} did not answer within ${failure.timeoutMs} ms; the call may or may not have run`;
    case 'network':
      return `Odoo at ${site.baseUrl} is unreachable: ${failure.errorCode} ${failure.detail}`.trim();
    case 'malformed-response':
      return `Odoo at ${site.baseUrl} sent an unreadable response: ${failure.detail}`;
    case 'http-status':
      if (isUnknownDatabasePage(failure))
        return `Odoo at ${site.baseUrl} serves no database of the name the connection gives (HTTP 404 "No database is selected"); check its database`;
      return `Odoo at ${site.baseUrl} answered HTTP ${failure.httpStatus}: ${failure.bodyExcerpt}`;
    default:
      return `Odoo at ${site.baseUrl} failed`;
  }
}

/** Keeps Odoo's text as sent (line breaks included), only capping its length. */
function truncate(text: string, maxLength: number): string {
  return text.length > maxLength ? `${text.slice(0, maxLength - 3)}...` : text;
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets
    .filter((secret) => secret.length > 0)
    .reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}

/**
 * Maps a failure to a CrossdockError with the Odoo message preserved. `secrets` (the API
 * key, passwords) are removed from the message should Odoo ever echo one back.
 */
export function mapOdooFailure(
  failure: OdooFailure,
  site: OdooCallSite,
  secrets: readonly string[] = [],
): CrossdockError {
  const code = odooErrorCodeOf(failure);
  const exception = odooExceptionOf(failure);
  const target =
    site.model !== undefined && site.method !== undefined
      ? `${site.model}.${site.method}`
      : 'the call';
  const message =
    exception === null
      ? describeTransportFailure(failure, site)
      : `Odoo refused ${target} (${exception.qualifiedName}): ${truncate(exception.message.trim(), 4000)}`;
  const details =
    exception === null ? [] : [{ path: 'odoo.exception', message: exception.qualifiedName }];
  return new CrossdockError(code, redact(message, secrets), {
    details,
    cause: failure,
  });
}

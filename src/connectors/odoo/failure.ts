/**
 * What went wrong talking to Odoo, as observed at the transport, before it is mapped
 * (once, in error-map.ts) into a CrossdockError. Transports throw OdooFailureError; the
 * client facade is the only place that turns it into a CrossdockError.
 *
 * A failure never carries the request body, so it never carries the API key.
 */

export type OdooTransportKind = 'jsonrpc' | 'xmlrpc' | 'json2';

export type OdooFailure =
  /** A JSON-RPC `error` member, or a JSON-2 error body; `name` is the dotted Python class. */
  | {
      kind: 'rpc-error';
      transport: 'jsonrpc' | 'json2';
      httpStatus: number;
      /** JSON-RPC error.code (200 for server errors, 100 for session expiry); null for JSON-2. */
      code: number | null;
      name: string;
      message: string;
    }
  /** An XML-RPC `<fault>`; faultCode is an int on /xmlrpc/2 and a string on legacy /xmlrpc. */
  | { kind: 'xmlrpc-fault'; faultCode: number | string; faultString: string }
  /** An HTTP answer that is not the protocol's envelope (400 HTML pages, proxy 502/503/504). */
  | { kind: 'http-status'; httpStatus: number; contentType: string; bodyExcerpt: string }
  /** A 200 answer that does not parse as the expected envelope. */
  | { kind: 'malformed-response'; detail: string }
  /** The socket failed: connection refused/reset, DNS, TLS. `errorCode` is the errno name. */
  | { kind: 'network'; errorCode: string; detail: string }
  /** No answer within the per-request timeout; Odoo may or may not have run the call. */
  | { kind: 'timeout'; timeoutMs: number }
  /** common.authenticate answered `false`: wrong login or API key (Odoo does not say which). */
  | { kind: 'login-refused'; login: string; database: string };

export class OdooFailureError extends Error {
  readonly failure: OdooFailure;

  constructor(failure: OdooFailure) {
    super(`Odoo call failed (${failure.kind})`);
    this.name = 'OdooFailureError';
    this.failure = failure;
  }
}

export function isOdooFailureError(value: unknown): value is OdooFailureError {
  return value instanceof OdooFailureError;
}

/** A short, single-line excerpt of a response body for error messages. */
export function excerpt(text: string, maxLength = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > maxLength ? `${flat.slice(0, maxLength - 3)}...` : flat;
}

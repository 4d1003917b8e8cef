/**
 * The port every Odoo protocol implements. Transports only speak the wire format and
 * throw OdooFailureError; retries, concurrency, authentication caching and error mapping
 * live in the client facade.
 */
import type { HttpExchange } from './http.ts';

export const ODOO_PROTOCOLS = ['jsonrpc', 'xmlrpc', 'json2'] as const;
export type OdooProtocol = (typeof ODOO_PROTOCOLS)[number];

export interface TransportCallContext {
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface ExecuteRequest {
  database: string;
  /** Required by JSON-RPC and XML-RPC (execute_kw); JSON-2 identifies the user by the key. */
  uid: number | null;
  secret: string;
  model: string;
  method: string;
  args: readonly unknown[];
  kwargs: Readonly<Record<string, unknown>>;
}

export interface OdooTransport {
  readonly protocol: OdooProtocol;
  /** Whether execute() needs a uid from authenticate() first. */
  readonly needsUid: boolean;
  /** The server's version object as the protocol returns it. */
  version(ctx: TransportCallContext): Promise<unknown>;
  /** common.authenticate: the uid, or false when Odoo refuses the login/key. */
  authenticate(
    ctx: TransportCallContext,
    database: string,
    login: string,
    secret: string,
  ): Promise<number | false>;
  execute(ctx: TransportCallContext, request: ExecuteRequest): Promise<unknown>;
}

export interface TransportOptions {
  /** Base URL without a trailing slash, e.g. "https://erp.example.com". */
  baseUrl: string;
  http: HttpExchange;
  /** Counter-based JSON-RPC ids, owned by the client (never random). */
  nextRequestId: () => number;
}

/** The uid returned by common.authenticate / common.login. */
export function readUid(value: unknown): number | false {
  if (value === false) return false;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  throw new TypeError(`common.authenticate returned ${JSON.stringify(value)}`);
}

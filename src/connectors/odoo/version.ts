/**
 * The server version in one shape whatever the protocol: common.version answers
 * `{server_version, server_version_info, server_serie, protocol_version}` (JSON-RPC and
 * XML-RPC, see jsonrpc-common-version.json); Odoo 19's /web/version answers
 * `{version, version_info}`.
 */
import { CrossdockError } from '../../errors/index.ts';
import type { OdooProtocol } from './transport.ts';

export interface OdooServerVersion {
  /** e.g. "17.0-20240709" */
  serverVersion: string;
  /** e.g. [17, 0, 0, "final", 0, ""] */
  serverVersionInfo: ReadonlyArray<number | string>;
  /** Major series, e.g. "17.0". */
  serverSerie: string;
  /** Present on common.version only. */
  protocolVersion: number | null;
}

function isVersionInfo(value: unknown): value is Array<number | string> {
  return (
    Array.isArray(value) &&
    value.length >= 2 &&
    value.every((part) => typeof part === 'number' || typeof part === 'string')
  );
}

export function readServerVersion(raw: unknown): OdooServerVersion {
  if (typeof raw === 'object' && raw !== null) {
    const value = raw as Record<string, unknown>;
    const info = value.server_version_info ?? value.version_info;
    const version = value.server_version ?? value.version;
    if (isVersionInfo(info) && typeof version === 'string') {
      const serie =
        typeof value.server_serie === 'string' ? value.server_serie : `${info[0]}.${info[1]}`;
      return {
        serverVersion: version,
        serverVersionInfo: info,
        serverSerie: serie,
        protocolVersion: typeof value.protocol_version === 'number' ? value.protocol_version : null,
      };
    }
  }
  throw new CrossdockError(
    'ODOO_PROTOCOL_ERROR',
    `Odoo returned an unrecognised version object: ${JSON.stringify(raw)}`,
    {
      category: 'bug',
      retryable: false,
    },
  );
}

/** The major version, e.g. 19 for "19.0+e-20251227"; null when the server does not say. */
export function majorVersionOf(version: OdooServerVersion): number | null {
  const major = version.serverVersionInfo[0];
  return typeof major === 'number' ? major : null;
}

/**
 * What `crossdock odoo check` recommends about the protocol, or null. Odoo 19 logs on every
 * /jsonrpc and /xmlrpc call that they will be removed in Odoo 20 (test/fixtures/odoo19 README),
 * and its webhooks are after-commit facts only to a JSON-2 connection (ingest/hint-timing.ts).
 */
export function protocolAdvice(version: OdooServerVersion, protocol: OdooProtocol): string | null {
  const major = majorVersionOf(version);
  if (major === null || major < 19 || protocol === 'json2') return null;
  return `Odoo ${version.serverSerie} deprecates /${protocol} (removed in Odoo 20): set "protocol: json2" on this connection (an API key is needed, which it already uses)`;
}

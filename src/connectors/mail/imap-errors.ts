/**
 * imapflow's failures, mapped once into Crossdock's codes (the table's own tests are in
 * test/unit/imap-errors.test.ts). The server's words are kept for a person to read, with the
 * mailbox's password cut out should a server ever echo it.
 */
import {
  CrossdockError,
  isCrossdockError,
  toCrossdockError,
  type ErrorCode,
} from '../../errors/index.ts';

interface ImapFlowError {
  code?: string;
  message?: string;
  authenticationFailed?: boolean;
  responseText?: string;
  serverResponseCode?: string;
  responseStatus?: string;
}

/** Node's and imapflow's codes for a server that could not be reached at all. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'CONNECT_TIMEOUT',
  'GREETING_TIMEOUT',
  'UPGRADE_TIMEOUT',
  'ClosedAfterConnectText',
  'ClosedAfterConnectTLS',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_HAS_EXPIRED',
]);

/** Codes for a connection that was up and went away. */
const LOST = new Set(['NoConnection', 'EConnectionClosed', 'ECONNRESET', 'EPIPE', 'ETIMEOUT']);

export function imapError(
  thrown: unknown,
  context: { mailbox: string; host: string; folder?: string; password?: string },
): CrossdockError {
  // Ours (the store's faults come mapped by its dialect), or a defect: not the server's doing.
  if (isCrossdockError(thrown)) return thrown;
  if (
    thrown instanceof TypeError ||
    thrown instanceof RangeError ||
    thrown instanceof ReferenceError
  )
    return toCrossdockError(thrown);
  const e = (thrown ?? {}) as ImapFlowError;
  const clean = (text: string) =>
    context.password ? text.split(context.password).join('***') : text;
  const said = clean(e.responseText ?? e.message ?? String(thrown)).slice(0, 500);
  const where = `IMAP mailbox ${context.mailbox} (${context.host})`;
  // Category and retryable come from the registry (src/errors/codes.ts).
  const make = (code: ErrorCode, message: string) => new CrossdockError(code, clean(message));
  if (e.authenticationFailed)
    return make('IMAP_AUTH_FAILED', `${where} refused the user and password: ${said}`);
  if (e.code && UNREACHABLE.has(e.code))
    return make('IMAP_UNREACHABLE', `${where} could not be reached: ${e.code} ${said}`);
  if (e.code && LOST.has(e.code))
    return make('IMAP_CONNECTION_LOST', `${where} closed the connection: ${said}`);
  if (e.serverResponseCode === 'NONEXISTENT' || e.code === 'NotFound')
    return make(
      'IMAP_FOLDER_MISSING',
      `${where} has no folder ${context.folder ? `"${context.folder}"` : ''}: ${said}`,
    );
  return make('IMAP_PROTOCOL_ERROR', `${where} failed: ${e.code ? `${e.code} ` : ''}${said}`);
}

import type { OdooProtocol } from '../transport.ts';
import type { OdooWatch } from './config.ts';

/**
 * When Odoo sends an automation rule's webhook, which decides how far a hint can be trusted:
 * - Odoo 17 (and earlier) sends it inside the user's transaction, before the commit: the
 *   change may not be visible yet, or ever (rolled back), so the re-read waits up to the
 *   watch's settle_ms for it;
 * - Odoo 19 sends it from a post-commit hook and drops it on rollback: a hint is a fact
 *   that the record was committed, so there is nothing to wait for. The re-read still runs,
 *   for the current values and the watch domain; a record missing or older than the hint
 *   then means it changed again since, and the hint is dropped at once.
 * JSON-2 exists only from Odoo 19, so a connection on `json2` sends after-commit hints;
 * the legacy protocols are read as Odoo 17 (waiting costs time only when a record is missing).
 */
export type HintTiming = 'before-commit' | 'after-commit';

export function hintTimingOf(protocol: OdooProtocol): HintTiming {
  return protocol === 'json2' ? 'after-commit' : 'before-commit';
}

/** The settle window the re-read of this watch's hints gets. */
export function settleMsFor(timing: HintTiming, watch: OdooWatch): number {
  return timing === 'after-commit' ? 0 : watch.settle_ms;
}

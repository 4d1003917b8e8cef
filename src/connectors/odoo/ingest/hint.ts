import { createHash } from 'node:crypto';
import { CrossdockError } from '../../../errors/index.ts';
import type { OdooSource, OdooWatch } from './config.ts';

/** The event type a webhook hint is stored as, before it is re-read into a trustworthy event. */
export const HINT_EVENT_TYPE = 'odoo.hint';

/** Odoo's write_date in a webhook: naive UTC, microseconds as PostgreSQL keeps them. */
const HINT_WRITE_DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/;

export interface OdooHint {
  model: string;
  id: number;
  /** write_date as Odoo sent it ("2026-11-22 04:31:10.992157"), or null if not selected. */
  writeDate: string | null;
  action: string | null;
}

/**
 * Reads an Odoo "Send Webhook Notification" body: a flat object with `_model`, `_id`,
 * `_action`, `id` and the selected fields (many2one as bare ids, empty as false).
 */
export function parseHint(body: unknown): OdooHint {
  const problems: { path: string; message: string }[] = [];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new CrossdockError('ODOO_HINT_INVALID', 'An Odoo webhook body must be a JSON object', {
      category: 'user',
    });
  }
  const b = body as Record<string, unknown>;
  const model = b._model;
  const id = b._id ?? b.id;
  if (typeof model !== 'string' || model === '')
    problems.push({ path: '_model', message: 'expected the model name' });
  if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0)
    problems.push({ path: '_id', message: 'expected a positive integer record id' });
  if (
    b.write_date !== undefined &&
    b.write_date !== false &&
    (typeof b.write_date !== 'string' || !HINT_WRITE_DATE.test(b.write_date))
  ) {
    problems.push({
      path: 'write_date',
      message: 'expected an Odoo datetime "YYYY-MM-DD HH:MM:SS[.ffffff]"',
    });
  }
  if (problems.length > 0)
    throw new CrossdockError(
      'ODOO_HINT_INVALID',
      'The Odoo webhook body is not a record notification',
      { category: 'user', details: problems },
    );
  return {
    model: model as string,
    id: id as number,
    writeDate: typeof b.write_date === 'string' ? b.write_date : null,
    action: typeof b._action === 'string' ? b._action : null,
  };
}

/** The watch rule a hint belongs to: the event named in the webhook URL, for the hint's model. */
export function watchFor(source: OdooSource, event: string, hint: OdooHint): OdooWatch {
  const watch = source.watch.find((w) => w.event === event && w.model === hint.model);
  if (!watch) {
    throw new CrossdockError(
      'ODOO_HINT_UNEXPECTED',
      `Source ${source.name} does not watch ${hint.model} for event ${event}`,
      { category: 'user' },
    );
  }
  return watch;
}

/**
 * The hint as a Crossdock event. Its key makes Odoo's repeated deliveries of one change one
 * event: model, id and write_date (or, without write_date, a hash of the body).
 */
export function hintEvent(source: OdooSource, watch: OdooWatch, hint: OdooHint, body: unknown) {
  const version =
    hint.writeDate ?? createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16);
  return {
    source: source.name,
    type: HINT_EVENT_TYPE,
    key: `hint:${watch.event}:${hint.model}:${hint.id}:${version}`,
    payload: {
      event: watch.event,
      model: hint.model,
      id: hint.id,
      write_date: hint.writeDate,
      action: hint.action,
      hint: body as Record<string, unknown>,
    },
  };
}

/**
 * A record version as RPC reads show it: its write_date (whole seconds) and a digest of the
 * values read. Two writes within one second read the same write_date, so the write_date alone
 * would make the second change a duplicate of the first and lose it; the values tell them
 * apart, and the same version read twice (by a hint's re-read and by the poller) digests the
 * same. A many2one counts by its id: a renamed partner is not a new version of the order.
 */
export function recordVersion(record: Record<string, unknown>): string {
  const values = Object.keys(record)
    .sort()
    .map((field) => [field, versionValue(record[field])]);
  const digest = createHash('sha256').update(JSON.stringify(values)).digest('hex').slice(0, 12);
  return `${String(record.write_date)}:${digest}`;
}

function versionValue(value: unknown): unknown {
  const many2one =
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'number' &&
    typeof value[1] === 'string';
  return many2one ? value[0] : value;
}

/** The key of a trustworthy record event: hints and polls of the same record version share it. */
export function recordEventKey(watch: OdooWatch, id: number, version: string): string {
  return `${watch.event}:${watch.model}:${id}:${version}`;
}

import { CrossdockError } from '../../../errors/index.ts';
import type { OdooClient } from '../client.ts';
import type { OdooSource } from './config.ts';
import { emitRecordVersions, type AcceptRecordEvent } from './record-scan.ts';

/** Every page: an operator's backfill is not cut short like one poll. */
const ALL_PAGES = Number.MAX_SAFE_INTEGER;

export interface BackfillRequest {
  /** Naive UTC "YYYY-MM-DD HH:MM:SS[.ffffff]"; records whose write_date is at or after it. */
  since: string;
  /** Same format; records whose write_date is before it. Null: up to now. */
  until: string | null;
  /** Only this source / event; null: every watch. */
  source: string | null;
  event: string | null;
}

export interface BackfillResult {
  source: string;
  event: string;
  emitted: number;
  duplicates: number;
}

/**
 * Emits the records an operator asks for, which the pollers leave alone because they
 * existed before the poller started: each record that matches its watch domain and was
 * last written in [since, until). It takes the pollers' path (intake, same keys), so a
 * version already emitted by a hint or a poll, or by an earlier backfill, is a duplicate
 * and starts nothing: running it twice processes each record version once.
 */
export async function backfill(
  sources: OdooSource[],
  deps: { clients: (connection: string) => OdooClient; accept: AcceptRecordEvent },
  request: BackfillRequest,
): Promise<BackfillResult[]> {
  if (request.until !== null && request.until <= request.since) {
    throw new CrossdockError(
      'ODOO_BACKFILL_INVALID',
      `The backfill window is empty: until (${request.until}) must be after since (${request.since})`,
      { category: 'user' },
    );
  }
  const chosen = sources
    .filter((s) => request.source === null || s.name === request.source)
    .flatMap((source) =>
      source.watch
        .filter((w) => request.event === null || w.event === request.event)
        .map((watch) => ({ source, watch })),
    );
  if (chosen.length === 0) {
    const known =
      sources.flatMap((s) => s.watch.map((w) => `${s.name} ${w.event}`)).join(', ') || 'none';
    throw new CrossdockError(
      'ODOO_BACKFILL_INVALID',
      `No watched event matches source ${request.source ?? '(any)'} and event ${request.event ?? '(any)'}; configured: ${known}`,
      { category: 'user' },
    );
  }
  const range = [
    ['write_date', '>=', request.since],
    ...(request.until === null ? [] : [['write_date', '<', request.until]]),
  ];
  const out: BackfillResult[] = [];
  for (const { source, watch } of chosen) {
    const scan = await emitRecordVersions(
      { client: deps.clients(source.connection), accept: deps.accept },
      source,
      watch,
      range,
      'backfill',
      ALL_PAGES,
    );
    out.push({
      source: source.name,
      event: watch.event,
      emitted: scan.emitted,
      duplicates: scan.duplicates,
    });
  }
  return out;
}

import type { OdooClient } from '../client.ts';
import type { OdooSource, OdooWatch } from './config.ts';
import { recordEventKey, recordVersion } from './hint.ts';

const PAGE_SIZE = 200;

export type AcceptRecordEvent = (event: {
  source: string;
  type: string;
  key: string;
  payload: Record<string, unknown>;
}) => Promise<{ duplicate: boolean }>;

export interface ScanResult {
  emitted: number;
  duplicates: number;
  /** write_date (as read, whole seconds) and id of the last record in (write_date, id) order, or null if none. */
  last: { write_date: string; id: number } | null;
}

/**
 * Emits one record event per record matching the watch domain and `range` (extra domain
 * terms on write_date), oldest first, `maxPages` pages at most. The event key is the one
 * hints and polls use (event:model:id:write_date:digest of the values), so a record version is one event however
 * it was found, and scanning a range again emits nothing new.
 */
export async function emitRecordVersions(
  deps: { client: OdooClient; accept: AcceptRecordEvent },
  source: OdooSource,
  watch: OdooWatch,
  range: unknown[],
  via: 'poll' | 'backfill',
  maxPages: number,
): Promise<ScanResult> {
  const fields = [...new Set([...watch.fields, 'write_date'])];
  const domain = [...watch.domain, ...range];
  const result: ScanResult = { emitted: 0, duplicates: 0, last: null };
  for (let page = 0; page < maxPages; page++) {
    const records = await deps.client.call<Record<string, unknown>[]>(
      watch.model,
      'search_read',
      [domain],
      {
        fields,
        order: 'write_date asc, id asc',
        limit: PAGE_SIZE,
        offset: page * PAGE_SIZE,
      },
      undefined,
      { idempotent: true },
    );
    for (const record of records) {
      const id = Number(record.id);
      const writeDate = String(record.write_date);
      const answer = await deps.accept({
        source: source.name,
        type: watch.event,
        key: recordEventKey(watch, id, recordVersion(record)),
        payload: { model: watch.model, id, write_date: writeDate, record, via },
      });
      answer.duplicate ? result.duplicates++ : result.emitted++;
      const last = result.last;
      if (!last || writeDate > last.write_date || (writeDate === last.write_date && id > last.id))
        result.last = { write_date: writeDate, id };
    }
    if (records.length < PAGE_SIZE) break;
  }
  return result;
}

/**
 * The first instant after every record matching `domain`, at full precision: RPC reads show
 * write_date in whole seconds, but Odoo keeps microseconds and its domains compare them, so
 * the newest record's exact write_date is found by halving its second with search_count
 * (20 calls). Null when no record matches.
 */
export async function instantAfterNewest(
  client: OdooClient,
  model: string,
  domain: unknown[],
): Promise<string | null> {
  const count = (from: string) =>
    client.call<number>(
      model,
      'search_count',
      [[...domain, ['write_date', '>=', from]]],
      {},
      undefined,
      { idempotent: true },
    );
  for (;;) {
    const newest = await client.call<{ write_date: string }[]>(
      model,
      'search_read',
      [domain],
      { fields: ['write_date'], order: 'write_date desc, id desc', limit: 1 },
      undefined,
      { idempotent: true },
    );
    if (!newest[0]) return null;
    const second = String(newest[0].write_date).slice(0, 19);
    const nextSecond = atMicros(second, 1_000_000);
    // A record committed meanwhile in a later second: start again from it.
    if ((await count(nextSecond)) > 0) continue;
    let found = 0; // some record is at or after second + found µs
    let after = 1_000_000; // none is at or after second + after µs
    while (after - found > 1) {
      const middle = Math.floor((found + after) / 2);
      if ((await count(atMicros(second, middle))) > 0) found = middle;
      else after = middle;
    }
    return atMicros(second, after);
  }
}

/** "YYYY-MM-DD HH:MM:SS" plus `micros` (0 to 1 000 000) as Odoo's "YYYY-MM-DD HH:MM:SS.ffffff". */
function atMicros(second: string, micros: number): string {
  const base = Date.parse(`${second.replace(' ', 'T')}Z`) + Math.floor(micros / 1_000_000) * 1000;
  return `${new Date(base).toISOString().slice(0, 19).replace('T', ' ')}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

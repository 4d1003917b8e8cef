import { sql } from 'kysely';
import type { Logger } from '../../../observability/index.ts';
import type { Store } from '../../../store/index.ts';
import type { OdooClient } from '../client.ts';
import { formatOdooDatetime, parseOdooDatetime } from '../values.ts';
import type { OdooSource, OdooWatch } from './config.ts';
import { recordEventKey } from './hint.ts';

const PAGE_SIZE = 200;
const MAX_PAGES = 50;

export interface PollerDeps {
  store: Store;
  client: OdooClient;
  accept: (event: { source: string; type: string; key: string; payload: Record<string, unknown> }) => Promise<{ duplicate: boolean }>;
  now: () => Date;
  logger: Logger;
}

export interface PollResult {
  emitted: number;
  duplicates: number;
  cursor: { write_date: string; id: number } | null;
}

/**
 * Catches what webhook hints missed: reads records of the watched model changed since its
 * cursor (write_date, id), minus an overlap window for rows that commit late with an older
 * write_date, and emits one event per record version. Hints and polls of the same version
 * share a key, so a change seen by both starts one run.
 * A new poller starts at the newest matching record: it reports changes from then on and
 * does not replay the database's history.
 */
export class OdooPoller {
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(
    private readonly deps: PollerDeps,
    private readonly source: OdooSource,
    private readonly watch: OdooWatch,
  ) {}

  async pollOnce(): Promise<PollResult> {
    const cursor = await this.#readCursor();
    const fields = [...new Set([...this.watch.fields, 'write_date'])];
    if (!cursor) return this.#startAtNewest();
    const overlap = formatOdooDatetime(new Date(parseOdooDatetime(cursor.write_date).getTime() - this.watch.poll_overlap_ms));
    // Never before where this poller started, and never the start record itself.
    const domain = overlap > cursor.floor
      ? [...this.watch.domain, ['write_date', '>=', overlap]]
      : [...this.watch.domain, ['write_date', '>', cursor.floor]];
    let emitted = 0;
    let duplicates = 0;
    let last = { write_date: cursor.write_date, id: cursor.id };
    for (let page = 0; page < MAX_PAGES; page++) {
      const records = await this.deps.client.call<Record<string, unknown>[]>(this.watch.model, 'search_read', [domain], {
        fields, order: 'write_date asc, id asc', limit: PAGE_SIZE, offset: page * PAGE_SIZE,
      }, undefined, { idempotent: true });
      for (const record of records) {
        const id = Number(record.id);
        const writeDate = String(record.write_date);
        const answer = await this.deps.accept({
          source: this.source.name,
          type: this.watch.event,
          key: recordEventKey(this.watch, id, writeDate),
          payload: { model: this.watch.model, id, write_date: writeDate, record, via: 'poll' },
        });
        answer.duplicate ? duplicates++ : emitted++;
        if (writeDate > last.write_date || (writeDate === last.write_date && id > last.id)) last = { write_date: writeDate, id };
      }
      if (records.length < PAGE_SIZE) break;
    }
    await this.#writeCursor(last, cursor.floor);
    return { emitted, duplicates, cursor: last };
  }

  start(): void {
    if (this.watch.poll_interval_ms === 0 || this.#timer) return;
    const tick = async () => {
      if (this.#running) return;
      this.#running = true;
      try {
        const result = await this.pollOnce();
        if (result.emitted > 0) this.deps.logger.info({ source: this.source.name, event: this.watch.event, ...result }, 'odoo poll found changes the webhooks missed');
      } catch (error) {
        this.deps.logger.warn({ source: this.source.name, event: this.watch.event, err: error }, 'odoo poll failed; will try again');
      } finally {
        this.#running = false;
      }
    };
    this.#timer = setInterval(() => void tick(), this.watch.poll_interval_ms);
    this.#timer.unref();
    void tick();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #startAtNewest(): Promise<PollResult> {
    const newest = await this.deps.client.call<Record<string, unknown>[]>(this.watch.model, 'search_read', [this.watch.domain], {
      fields: ['write_date'], order: 'write_date desc, id desc', limit: 1,
    }, undefined, { idempotent: true });
    const cursor = newest[0] ? { write_date: String(newest[0].write_date), id: Number(newest[0].id) } : { write_date: formatOdooDatetime(this.deps.now()), id: 0 };
    await this.#writeCursor(cursor, cursor.write_date);
    return { emitted: 0, duplicates: 0, cursor };
  }

  async #readCursor(): Promise<{ write_date: string; id: number; floor: string } | null> {
    const rows = await sql<{ write_date: string; record_id: number; floor_write_date: string }>`
      SELECT write_date, record_id, floor_write_date FROM odoo_poll_cursors
      WHERE source = ${this.source.name} AND event = ${this.watch.event}`.execute(this.deps.store.db);
    const row = rows.rows[0];
    return row ? { write_date: row.write_date, id: row.record_id, floor: row.floor_write_date } : null;
  }

  async #writeCursor(cursor: { write_date: string; id: number }, floor: string): Promise<void> {
    await sql`
      INSERT INTO odoo_poll_cursors (source, event, write_date, record_id, floor_write_date, updated_at)
      VALUES (${this.source.name}, ${this.watch.event}, ${cursor.write_date}, ${cursor.id}, ${floor}, ${this.deps.now()})
      ON CONFLICT (source, event) DO UPDATE SET write_date = excluded.write_date, record_id = excluded.record_id, updated_at = excluded.updated_at`.execute(this.deps.store.db);
  }
}

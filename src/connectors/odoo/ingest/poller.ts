import { sql } from 'kysely';
import type { Logger } from '../../../observability/index.ts';
import type { Store } from '../../../store/index.ts';
import type { OdooClient } from '../client.ts';
import { formatOdooDatetime, parseOdooDatetime } from '../values.ts';
import type { OdooSource, OdooWatch } from './config.ts';
import { emitRecordVersions, instantAfterNewest, type AcceptRecordEvent } from './record-scan.ts';

const MAX_PAGES = 50;
/** The floor of a poller that found no matching record: nothing existed, so everything that matches later is new. */
const BEGINNING = '1970-01-01 00:00:00';

export interface PollerDeps {
  store: Store;
  client: OdooClient;
  accept: AcceptRecordEvent;
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
 * A new poller processes nothing that exists when it starts: its floor is the first instant
 * after the newest matching record, at full precision (Odoo's microseconds, which RPC reads
 * do not show; a whole-second floor would take in every record of that second). Its searches
 * never reach below the floor. Older records are processed only when an operator asks
 * (`crossdock odoo backfill`).
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
    if (!cursor) return this.#startAfterNewest();
    const overlap = formatOdooDatetime(
      new Date(parseOdooDatetime(cursor.write_date).getTime() - this.watch.poll_overlap_ms),
    );
    // Datetimes in Odoo's format order as text; a floor with microseconds stays exact.
    const from = overlap > cursor.floor ? overlap : cursor.floor;
    const scan = await emitRecordVersions(
      this.deps,
      this.source,
      this.watch,
      [['write_date', '>=', from]],
      'poll',
      MAX_PAGES,
    );
    let last = { write_date: cursor.write_date, id: cursor.id };
    if (
      scan.last &&
      (scan.last.write_date > last.write_date ||
        (scan.last.write_date === last.write_date && scan.last.id > last.id))
    )
      last = scan.last;
    await this.#writeCursor(last, cursor.floor);
    return { emitted: scan.emitted, duplicates: scan.duplicates, cursor: last };
  }

  start(): void {
    if (this.watch.poll_interval_ms === 0 || this.#timer) return;
    const tick = async () => {
      if (this.#running) return;
      this.#running = true;
      try {
        const result = await this.pollOnce();
        if (result.emitted > 0)
          this.deps.logger.info(
            { source: this.source.name, event: this.watch.event, ...result },
            'odoo poll found changes the webhooks missed',
          );
      } catch (error) {
        this.deps.logger.warn(
          { source: this.source.name, event: this.watch.event, err: error },
          'odoo poll failed; will try again',
        );
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

  async #startAfterNewest(): Promise<PollResult> {
    const floor =
      (await instantAfterNewest(this.deps.client, this.watch.model, this.watch.domain)) ??
      BEGINNING;
    const cursor = { write_date: floor, id: 0 };
    await this.#writeCursor(cursor, floor);
    return { emitted: 0, duplicates: 0, cursor };
  }

  async #readCursor(): Promise<{ write_date: string; id: number; floor: string } | null> {
    const rows = await sql<{ write_date: string; record_id: number; floor_write_date: string }>`
      SELECT write_date, record_id, floor_write_date FROM odoo_poll_cursors
      WHERE source = ${this.source.name} AND event = ${this.watch.event}`.execute(
      this.deps.store.db,
    );
    const row = rows.rows[0];
    return row
      ? { write_date: row.write_date, id: row.record_id, floor: row.floor_write_date }
      : null;
  }

  async #writeCursor(cursor: { write_date: string; id: number }, floor: string): Promise<void> {
    await sql`
      INSERT INTO odoo_poll_cursors (source, event, write_date, record_id, floor_write_date, updated_at)
      VALUES (${this.source.name}, ${this.watch.event}, ${cursor.write_date}, ${cursor.id}, ${floor}, ${this.deps.now()})
      ON CONFLICT (source, event) DO UPDATE SET write_date = excluded.write_date, record_id = excluded.record_id, updated_at = excluded.updated_at`.execute(
      this.deps.store.db,
    );
  }
}

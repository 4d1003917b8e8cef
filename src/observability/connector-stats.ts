import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

/**
 * Where a connector reports each HTTP attempt it makes: the port the Odoo client and the
 * carrier adapter call. `record` is synchronous and never throws, so counting can never
 * fail or slow a step.
 */
export interface ConnectorCallSink {
  /** One HTTP attempt to `connector` ("odoo:<connection>", "carrier:<code>"); ok: it succeeded. */
  record(connector: string, ok: boolean): void;
}

export const CONNECTOR_STATS_BUCKET_MS = 60_000;
export const CONNECTOR_STATS_FLUSH_MS = 5_000;
const WRITE_CHUNK = 500;

interface Count {
  bucketStart: number;
  connector: string;
  calls: number;
  errors: number;
}

export interface ConnectorStatsOptions {
  db: Kysely<Database>;
  /** The engine's clock: it picks the minute a call is counted in. */
  now: () => Date;
  logger?: { warn(fields: Record<string, unknown>, message: string): void };
  flushIntervalMs?: number;
}

/**
 * Counts connector calls and errors in memory per (connector, minute) and adds them to
 * connector_stats every `flushIntervalMs` and on close. Every process has its own recorder;
 * the upsert adds (calls = calls + EXCLUDED.calls), so recorders on one database sum up.
 *
 * Invariants: a count leaves memory only when the upsert that carries it has committed; a
 * failed flush puts its counts back (merged with what was counted meanwhile) for the next.
 * Flushes run one at a time. A killed process loses what it counted since its last flush.
 *
 * Idempotency: the upsert adds, so it is not idempotent. A flush whose COMMIT succeeded but
 * whose answer was lost (the connection dropped) is taken as failed and adds its counts
 * again on the next flush: at worst a few seconds are counted twice. Accepted for a
 * statistic; exactly-once would need a flush ledger.
 */
export class ConnectorStats implements ConnectorCallSink {
  readonly #o: ConnectorStatsOptions;
  #pending = new Map<string, Count>();
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<unknown> = Promise.resolve();

  constructor(options: ConnectorStatsOptions) {
    this.#o = options;
  }

  record(connector: string, ok: boolean): void {
    const bucketStart =
      Math.floor(this.#o.now().getTime() / CONNECTOR_STATS_BUCKET_MS) * CONNECTOR_STATS_BUCKET_MS;
    this.#add({ bucketStart, connector, calls: 1, errors: ok ? 0 : 1 });
  }

  /** Flushes every `flushIntervalMs` (real time) until close(). */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.flush().catch((error: unknown) =>
        this.#o.logger?.warn(
          { err: error, pending: this.#pending.size },
          'connector stats not written; kept for the next flush',
        ),
      );
    }, this.#o.flushIntervalMs ?? CONNECTOR_STATS_FLUSH_MS);
    this.#timer.unref();
  }

  /**
   * Writes what was counted so far and resolves with the number of rows upserted; rejects
   * with the store's error when the write failed (the counts are then kept).
   */
  flush(): Promise<number> {
    const next = this.#flushing.then(() => this.#write());
    this.#flushing = next.catch(() => undefined);
    return next;
  }

  /** Stops the timer and makes a last flush; a failure is logged (those counts are lost). */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.flush().catch((error: unknown) => {
      const lost = [...this.#pending.values()].reduce((n, c) => n + c.calls, 0);
      this.#o.logger?.warn(
        { err: error, lostCalls: lost },
        'connector stats not written on close; these counts are lost',
      );
    });
  }

  /** In statements of at most WRITE_CHUNK rows (a long store outage piles up rows); each commits on its own. */
  async #write(): Promise<number> {
    const batch = [...this.#pending.values()];
    this.#pending = new Map();
    let written = 0;
    try {
      for (; written < batch.length; written += WRITE_CHUNK)
        await this.#upsert(batch.slice(written, written + WRITE_CHUNK));
      return batch.length;
    } catch (error) {
      for (const c of batch.slice(written)) this.#add(c);
      throw error;
    }
  }

  async #upsert(rows: Count[]): Promise<void> {
    await this.#o.db
      .insertInto('connector_stats')
      .values(
        rows.map((c) => ({
          bucket_start: new Date(c.bucketStart),
          connector: c.connector,
          calls: c.calls,
          errors: c.errors,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['bucket_start', 'connector']).doUpdateSet({
          calls: sql<number>`connector_stats.calls + excluded.calls`,
          errors: sql<number>`connector_stats.errors + excluded.errors`,
        }),
      )
      .execute();
  }

  #add(c: Count): void {
    const key = `${c.bucketStart} ${c.connector}`;
    const found = this.#pending.get(key);
    if (found) {
      found.calls += c.calls;
      found.errors += c.errors;
    } else this.#pending.set(key, { ...c });
  }
}

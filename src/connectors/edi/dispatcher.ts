/**
 * Delivers the EDI outbox through each partner's transport (transport.ts: an HTTP POST, or a
 * file written into its outbox folder). Delivered is `sent`; a retryable failure comes back
 * with the one backoff (a Retry-After is a floor); a refusal is `failed`; attempts exhausted
 * is `dead`. A pass that gave a document up runs the sweep at once, so its case opens now.
 *
 * Idempotency: the outcome is recorded after the hand-over. A crash in between leaves the
 * row `sending` until its claim expires and it is handed over again, byte for byte the same
 * (same ISA13 and GS06) under the same name, so the partner can drop the repeat as a
 * duplicate interchange.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../engine/index.ts';
import { CrossdockError, toCrossdockError } from '../../errors/index.ts';
import type { Logger } from '../../observability/index.ts';
import type { Database } from '../../store/index.ts';
import { backoffDelayMs, type Backoff, WakeableSleep } from '../../workflows/index.ts';
import { deliveryAttempts, type EdiPartner } from './config.ts';
import { claimDocuments, settleDocument, type DocumentRow } from './store.ts';
import { transportFor } from './transport.ts';

export { signEdiBody } from './transport.ts';

export interface EdiDispatcherOptions {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  partner(code: string): EdiPartner | undefined;
  pollIntervalMs: number;
  retry?: Backoff;
  random?: () => number;
  batch?: number;
  claimMs?: number;
  /**
   * Run after a pass at most every `sweepIntervalMs` of the clock, and right after a pass that
   * gave a document up (the overdue-997 and undeliverable-document sweeps).
   */
  sweep?: (now: Date) => Promise<unknown>;
  sweepIntervalMs?: number;
}

const DEFAULT_RETRY: Backoff = {
  initial_delay_ms: 30_000,
  multiplier: 2,
  max_delay_ms: 3_600_000,
  jitter: 0.2,
};

export class EdiDispatcher {
  readonly #o: EdiDispatcherOptions & {
    retry: Backoff;
    random: () => number;
    batch: number;
    claimMs: number;
  };
  #running = false;
  #loop: Promise<void> | undefined;
  readonly #pause = new WakeableSleep();
  #lastSweepMs = Number.NEGATIVE_INFINITY;

  constructor(options: EdiDispatcherOptions) {
    this.#o = {
      retry: DEFAULT_RETRY,
      random: Math.random,
      batch: 20,
      claimMs: 300_000,
      ...options,
    };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.wake();
    await this.#loop;
  }

  /** Look for due documents now (after a queue, or after moving a test clock). */
  wake(): void {
    this.#pause.wake();
  }

  /** One pass: claim, hand over, settle. Answers how many documents it claimed. */
  async runOnce(): Promise<number> {
    const rows = await claimDocuments(
      this.#o.db,
      this.#o.clock.now(),
      this.#o.batch,
      this.#o.claimMs,
    );
    const outcomes = await Promise.all(rows.map((row) => this.#deliver(row)));
    // A document given up on is reported by the next sweep, which runs now.
    if (outcomes.includes('gave_up')) this.#lastSweepMs = Number.NEGATIVE_INFINITY;
    return rows.length;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      this.#pause.clear();
      let claimed = 0;
      try {
        claimed = await this.runOnce();
      } catch (error) {
        this.#o.logger.error(
          { err: error },
          'EDI delivery pass failed; retrying after the poll interval',
        );
      }
      await this.#sweep();
      if (claimed === this.#o.batch) continue;
      await this.#pause.sleep(this.#o.pollIntervalMs);
    }
  }

  async #sweep(): Promise<void> {
    const now = this.#o.clock.now();
    if (!this.#o.sweep || now.getTime() - this.#lastSweepMs < (this.#o.sweepIntervalMs ?? 60_000))
      return;
    this.#lastSweepMs = now.getTime();
    try {
      await this.#o.sweep(now);
    } catch (error) {
      this.#o.logger.error({ err: error }, 'EDI acknowledgment sweep failed; trying again later');
    }
  }

  async #deliver(row: DocumentRow): Promise<'sent' | 'retry' | 'gave_up'> {
    const partner = this.#o.partner(row.partner);
    let error: CrossdockError;
    try {
      if (!partner)
        throw new CrossdockError(
          'EDI_PARTNER_UNKNOWN',
          `Partner ${row.partner} is no longer configured; the document cannot be sent`,
          { category: 'user', retryable: false },
        );
      await transportFor(partner).deliver({
        id: row.id,
        dedupeKey: row.dedupe_key,
        transactionSet: row.transaction_set,
        interchangeControl: Number(row.interchange_control),
        body: row.body,
      });
      await settleDocument(this.#o.db, row, { status: 'sent', at: this.#o.clock.now() });
      return 'sent';
    } catch (thrown) {
      error = toCrossdockError(thrown);
    }
    const maxAttempts = partner ? deliveryAttempts(partner) : 1;
    const log = {
      document: row.id,
      partner: row.partner,
      attempts: row.attempts,
      code: error.code,
    };
    if (error.retryable && row.attempts < maxAttempts) {
      const delay = backoffDelayMs(this.#o.retry, row.attempts, this.#o.random, error.retryAfterMs);
      const retryAt = new Date(this.#o.clock.now().getTime() + delay);
      await settleDocument(this.#o.db, row, {
        status: 'pending',
        retryAt,
        code: error.code,
        error: error.message,
      });
      this.#o.logger.info(
        { ...log, retryAt: retryAt.toISOString() },
        'EDI document not delivered; will retry',
      );
      return 'retry';
    }
    const status = error.retryable ? 'dead' : 'failed';
    const message =
      status === 'dead'
        ? `gave up after ${row.attempts} attempts: ${error.message}`
        : error.message;
    await settleDocument(this.#o.db, row, { status, code: error.code, error: message });
    this.#o.logger.warn({ ...log, status }, `EDI document ${status}: ${message}`);
    return 'gave_up';
  }
}

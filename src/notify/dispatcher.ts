import { EventEmitter } from 'node:events';
import type { Kysely } from 'kysely';
import type { Clock, Random } from '../engine/index.ts';
import { toCrossdockError, type CrossdockError } from '../errors/index.ts';
import type { Logger } from '../observability/index.ts';
import { backoffDelayMs, type Backoff, WakeableSleep } from '../workflows/index.ts';
import type { ChannelSender } from './channels.ts';
import { notifyErrors } from './errors.ts';
import {
  claimNotifications,
  markGivenUp,
  markRetry,
  markSent,
  type Channel,
  type NotificationRow,
} from './outbox.ts';
import type { Database } from '../store/index.ts';

export interface DispatcherOptions {
  db: Kysely<Database>;
  clock: Clock;
  random: Random;
  logger: Logger;
  channels: Partial<Record<Channel, ChannelSender>>;
  /** Idle poll; an enqueue in this process wakes the dispatcher at once. */
  pollIntervalMs: number;
  /** Attempts before a message that keeps failing transiently is marked dead. */
  maxAttempts: number;
  /** Messages claimed (and sent concurrently) per pass. */
  batch?: number;
  /** How long a claim holds a message; longer than any send can take (SMTP timeouts). */
  claimMs?: number;
  retry?: Backoff;
}

/** What a pass did; `error` when the pass itself failed (the store, say). */
export interface PassResult {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  error: Error | null;
}

export interface DispatcherEventMap {
  'notification:sent': {
    id: string;
    dedupeKey: string;
    attempts: number;
    providerId: string | null;
  };
  'notification:retry': {
    id: string;
    dedupeKey: string;
    attempts: number;
    at: Date;
    error: string;
  };
  'notification:failed': {
    id: string;
    dedupeKey: string;
    attempts: number;
    status: 'failed' | 'dead';
    code: string;
    error: string;
  };
}

const DEFAULT_RETRY = {
  initial_delay_ms: 30_000,
  multiplier: 2,
  max_delay_ms: 3_600_000,
  jitter: 0.2,
};

/**
 * Delivers the outbox: claims due messages (SKIP LOCKED, so dispatchers in several
 * processes share the table), sends each through its channel, and records the outcome.
 * Transient failures come back with exponential backoff on the injected clock; refusals
 * (SMTP 5xx, a 4xx from a webhook) are `failed`; attempts exhausted is `dead`.
 *
 * Idempotency: the outcome is recorded after the send. A crash in between leaves the row
 * `sending` until its claim expires; it is then sent again, with the same Message-ID.
 */
export class NotificationDispatcher {
  readonly #o: Required<DispatcherOptions>;
  readonly #events = new EventEmitter().setMaxListeners(100);
  #running = false;
  #loop: Promise<void> | undefined;
  readonly #pause = new WakeableSleep();
  #passWaiters: ((result: PassResult) => void)[] = [];
  #unsubscribe: (() => void)[] = [];

  constructor(options: DispatcherOptions) {
    this.#o = { batch: 20, claimMs: 300_000, retry: DEFAULT_RETRY, ...options };
  }

  get running(): boolean {
    return this.#running;
  }

  /** Starts the loop; each wake source calls back when there may be new messages. */
  start(wakeSources: ((wake: () => void) => () => void)[] = []): void {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe = wakeSources.map((subscribe) => subscribe(() => this.wake()));
    this.#loop = this.#run();
  }

  /** Stops after the pass in progress has recorded its outcomes. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#unsubscribe.splice(0).forEach((off) => off());
    this.wake();
    await this.#loop;
  }

  /** Look for due messages now (after an enqueue, or after moving a test clock). */
  wake(): void {
    this.#pause.wake();
  }

  /** Resolves with the next pass that starts after this call (wake the dispatcher to hurry it). */
  nextPass(): Promise<PassResult> {
    return new Promise((resolve) => this.#passWaiters.push(resolve));
  }

  on<K extends keyof DispatcherEventMap>(
    name: K,
    listener: (payload: DispatcherEventMap[K]) => void,
  ): () => void {
    this.#events.on(name, listener);
    return () => this.#events.off(name, listener);
  }

  /** One pass: claim, send, settle. The loop runs these; a stopped dispatcher can too. */
  async runOnce(): Promise<PassResult> {
    const result: PassResult = { claimed: 0, sent: 0, retried: 0, failed: 0, error: null };
    const rows = await claimNotifications(
      this.#o.db,
      this.#o.clock.now(),
      this.#o.batch,
      this.#o.claimMs,
    );
    result.claimed = rows.length;
    await Promise.all(
      rows.map(async (row) => {
        const outcome = await this.#deliver(row);
        result[outcome]++;
      }),
    );
    return result;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      this.#pause.clear(); // wake-ups from here on make the next pause return at once
      const waiters = this.#passWaiters.splice(0);
      let result: PassResult;
      try {
        result = await this.runOnce();
      } catch (error) {
        this.#o.logger.error(
          { err: error },
          'notification dispatch failed; retrying after the poll interval',
        );
        result = { claimed: 0, sent: 0, retried: 0, failed: 0, error: error as Error };
      }
      waiters.forEach((resolve) => resolve(result));
      if (result.claimed === this.#o.batch) continue;
      await this.#pause.sleep(this.#o.pollIntervalMs);
    }
    const result: PassResult = { claimed: 0, sent: 0, retried: 0, failed: 0, error: null };
    this.#passWaiters.splice(0).forEach((resolve) => resolve(result));
  }

  /** Sends one claimed message and records what happened; never throws for a send failure. */
  async #deliver(row: NotificationRow): Promise<'sent' | 'retried' | 'failed'> {
    const sender = this.#o.channels[row.channel];
    let error: CrossdockError;
    try {
      if (!sender)
        throw notifyErrors.channelUnconfigured(
          row.channel,
          'it was configured when this message was queued, and is not now',
        );
      const delivery = await sender.send(row);
      if (
        await markSent(this.#o.db, row, this.#o.clock.now(), delivery.providerId, delivery.note)
      ) {
        this.#events.emit('notification:sent', {
          id: row.id,
          dedupeKey: row.dedupe_key,
          attempts: row.attempts,
          providerId: delivery.providerId,
        });
      }
      return 'sent';
    } catch (thrown) {
      error = toCrossdockError(thrown);
    }
    const base = { id: row.id, dedupeKey: row.dedupe_key, attempts: row.attempts };
    if (error.retryable && row.attempts < this.#o.maxAttempts) {
      const delay = backoffDelayMs(this.#o.retry, row.attempts, this.#o.random, error.retryAfterMs);
      const at = new Date(this.#o.clock.now().getTime() + delay);
      if (await markRetry(this.#o.db, row, at, error.code, error.message))
        this.#events.emit('notification:retry', { ...base, at, error: error.message });
      this.#o.logger.info(
        {
          notification: row.id,
          attempts: row.attempts,
          code: error.code,
          retryAt: at.toISOString(),
        },
        'notification not delivered; will retry',
      );
      return 'retried';
    }
    const status = error.retryable ? 'dead' : 'failed';
    const message =
      status === 'dead'
        ? `gave up after ${row.attempts} attempts: ${error.message}`
        : error.message;
    if (await markGivenUp(this.#o.db, row, status, error.code, message))
      this.#events.emit('notification:failed', {
        ...base,
        status,
        code: error.code,
        error: message,
      });
    this.#o.logger.warn(
      { notification: row.id, attempts: row.attempts, code: error.code, status },
      `notification ${status}: ${message}`,
    );
    return 'failed';
  }
}

/**
 * Delivers the EDI outbox to each partner's endpoint: an HTTP POST of the interchange
 * (`application/edi-x12`), signed with an HMAC-SHA256 of the body under our secret for that
 * partner. 2xx is sent; 408, 429, 5xx and network failures come back with the one backoff
 * (a Retry-After is a floor); another 4xx is `failed`; attempts exhausted is `dead`.
 *
 * Idempotency: the outcome is recorded after the POST. A crash in between leaves the row
 * `sending` until its claim expires and it is posted again, byte for byte the same (same
 * ISA13 and GS06), with the same X-Crossdock-Document header, so the partner can drop the
 * repeat as a duplicate interchange.
 */
import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../engine/index.ts';
import { CrossdockError, toCrossdockError } from '../../errors/index.ts';
import type { Logger } from '../../observability/index.ts';
import type { Database } from '../../store/index.ts';
import { backoffDelayMs, type Backoff } from '../../workflows/index.ts';
import type { EdiPartner } from './config.ts';
import { claimDocuments, settleDocument, type DocumentRow } from './store.ts';

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
  /** Run after a pass at most every `sweepIntervalMs` of the clock (the overdue-997 sweep). */
  sweep?: (now: Date) => Promise<unknown>;
  sweepIntervalMs?: number;
}

const DEFAULT_RETRY: Backoff = {
  initial_delay_ms: 30_000,
  multiplier: 2,
  max_delay_ms: 3_600_000,
  jitter: 0.2,
};

export function signEdiBody(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** POSTs one document; throws a CrossdockError saying whether a retry can help. */
async function post(partner: EdiPartner, row: DocumentRow): Promise<void> {
  const where = `partner ${partner.code} (${new URL(partner.outbound.url).host})`;
  let response: Response;
  try {
    response = await fetch(partner.outbound.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/edi-x12',
        [partner.outbound.signatureHeader]: signEdiBody(partner.outbound.secret, row.body),
        'x-crossdock-document': row.dedupe_key,
      },
      body: row.body,
      signal: AbortSignal.timeout(partner.outbound.timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
  } catch (cause) {
    throw new CrossdockError(
      'EDI_DELIVERY_UNAVAILABLE',
      `${where} could not be reached: ${(cause as Error).name === 'TimeoutError' ? `no answer within ${partner.outbound.timeoutMs} ms` : (cause as Error).message}`,
      { category: 'transient', retryable: true, cause },
    );
  }
  if (response.ok) return;
  const status = response.status;
  const retryAfterS = Number(response.headers.get('retry-after'));
  if (status === 408 || status === 429 || status >= 500)
    throw new CrossdockError('EDI_DELIVERY_UNAVAILABLE', `${where} answered HTTP ${status}`, {
      category: 'transient',
      retryable: true,
      ...(Number.isFinite(retryAfterS) && retryAfterS > 0
        ? { retryAfterMs: retryAfterS * 1000 }
        : {}),
    });
  throw new CrossdockError(
    'EDI_DELIVERY_REJECTED',
    `${where} refused the document: HTTP ${status}`,
    {
      category: 'user',
      retryable: false,
    },
  );
}

export class EdiDispatcher {
  readonly #o: EdiDispatcherOptions & {
    retry: Backoff;
    random: () => number;
    batch: number;
    claimMs: number;
  };
  #running = false;
  #loop: Promise<void> | undefined;
  #nudged = false;
  #nudge: (() => void) | undefined;
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
    this.#nudged = true;
    this.#nudge?.();
  }

  /** One pass: claim, post, settle. Answers how many documents it claimed. */
  async runOnce(): Promise<number> {
    const rows = await claimDocuments(
      this.#o.db,
      this.#o.clock.now(),
      this.#o.batch,
      this.#o.claimMs,
    );
    await Promise.all(rows.map((row) => this.#deliver(row)));
    return rows.length;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      this.#nudged = false;
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
      await this.#sleep(this.#o.pollIntervalMs);
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

  async #deliver(row: DocumentRow): Promise<void> {
    const partner = this.#o.partner(row.partner);
    let error: CrossdockError;
    try {
      if (!partner)
        throw new CrossdockError(
          'EDI_PARTNER_UNKNOWN',
          `Partner ${row.partner} is no longer configured; the document cannot be sent`,
          { category: 'user', retryable: false },
        );
      await post(partner, row);
      await settleDocument(this.#o.db, row, { status: 'sent', at: this.#o.clock.now() });
      return;
    } catch (thrown) {
      error = toCrossdockError(thrown);
    }
    const maxAttempts = partner?.outbound.maxAttempts ?? 1;
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
      return;
    }
    const status = error.retryable ? 'dead' : 'failed';
    const message =
      status === 'dead'
        ? `gave up after ${row.attempts} attempts: ${error.message}`
        : error.message;
    await settleDocument(this.#o.db, row, { status, code: error.code, error: message });
    this.#o.logger.warn({ ...log, status }, `EDI document ${status}: ${message}`);
  }

  #sleep(ms: number): Promise<void> {
    if (this.#nudged || !this.#running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#nudge = () => {
        this.#nudge = undefined;
        done();
      };
    });
  }
}

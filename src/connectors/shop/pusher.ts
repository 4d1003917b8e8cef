/**
 * Pushes queued stock levels to each shop's Admin API: one POST per location and batch of up
 * to 50 SKUs (`{ location_id, levels: [{ sku, available }] }`), the access token in a header.
 * 2xx records the values as sent. 429 (the shop's leaky-bucket rate limit) waits its
 * Retry-After (a floor under the backoff), and 408, 5xx and network failures back off; the
 * levels stay due, so none is lost, and the shop's next call waits too, from every process:
 * the wait is stored per shop (shop_push_pauses) and read before each claim. Another 4xx is
 * logged and tried again after the longest backoff.
 *
 * Idempotency: setting a level is absolute (the quantity, not a change), so a call repeated
 * after a crash sets the same values again. Order: a level is claimed (FOR UPDATE SKIP LOCKED,
 * leased past the call's timeout) while its call is in flight, and the call carries the value
 * stored when it was claimed, the newest by Odoo's write_date (stock-store.ts).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../engine/index.ts';
import { CrossdockError, toCrossdockError } from '../../errors/index.ts';
import type { Logger } from '../../observability/index.ts';
import type { Database } from '../../store/index.ts';
import { backoffDelayMs, type Backoff, WakeableSleep } from '../../workflows/index.ts';
import type { Shop } from './config.ts';
import {
  claimDueLevels,
  markFailed,
  markPushed,
  pauseShop,
  shopPausedUntil,
  type ClaimedLevel,
} from './stock-store.ts';

/** The path of the inventory endpoint under the shop's `api.url`. */
export const INVENTORY_SET_PATH = '/admin/api/2024-01/inventory_levels/set.json';
const BATCH = 50;

export interface StockPusherOptions {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  shops: readonly Shop[];
  pollIntervalMs: number;
  retry?: Backoff;
  random?: () => number;
}

const DEFAULT_RETRY: Backoff = {
  initial_delay_ms: 1_000,
  multiplier: 2,
  max_delay_ms: 300_000,
  jitter: 0.2,
};

async function post(shop: Shop, levels: readonly ClaimedLevel[]): Promise<void> {
  const api = shop.api!;
  const where = `shop ${shop.code} (${new URL(api.url).host})`;
  let response: Response;
  try {
    response = await fetch(`${api.url}${INVENTORY_SET_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [api.tokenHeader]: api.token },
      body: JSON.stringify({
        location_id: levels[0]!.location,
        levels: levels.map((l) => ({ sku: l.sku, available: l.available })),
      }),
      signal: AbortSignal.timeout(api.timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
  } catch (cause) {
    throw new CrossdockError(
      'SHOP_PUSH_UNAVAILABLE',
      `${where} could not be reached: ${(cause as Error).name === 'TimeoutError' ? `no answer within ${api.timeoutMs} ms` : (cause as Error).message}`,
      { category: 'transient', retryable: true, cause },
    );
  }
  if (response.ok) return;
  const status = response.status;
  const retryAfterS = Number(response.headers.get('retry-after'));
  if (status === 408 || status === 429 || status >= 500)
    throw new CrossdockError('SHOP_PUSH_UNAVAILABLE', `${where} answered HTTP ${status}`, {
      category: 'transient',
      retryable: true,
      ...(Number.isFinite(retryAfterS) && retryAfterS > 0
        ? { retryAfterMs: retryAfterS * 1000 }
        : {}),
    });
  throw new CrossdockError('SHOP_PUSH_REJECTED', `${where} refused the levels: HTTP ${status}`, {
    category: 'user',
    retryable: false,
  });
}

export class StockPusher {
  readonly #o: StockPusherOptions & { retry: Backoff; random: () => number };
  readonly #shops: Shop[];
  /** Per shop: failures in a row, and when its next call may go. */
  readonly #failures = new Map<string, number>();
  readonly #pausedUntil = new Map<string, number>();
  #running = false;
  #loop: Promise<void> | undefined;
  readonly #pause = new WakeableSleep();

  constructor(options: StockPusherOptions) {
    this.#o = { retry: DEFAULT_RETRY, random: Math.random, ...options };
    this.#shops = options.shops.filter((s) => s.api !== null && s.stock !== null);
  }

  start(): void {
    if (this.#running || this.#shops.length === 0) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.wake();
    await this.#loop;
  }

  /** Look for due levels now (after levels were queued). */
  wake(): void {
    this.#pause.wake();
  }

  /** One pass over every shop; answers how many levels the shops took. */
  async runOnce(): Promise<number> {
    let pushed = 0;
    for (const shop of this.#shops) pushed += await this.#pushShop(shop);
    return pushed;
  }

  async #pushShop(shop: Shop): Promise<number> {
    let pushed = 0;
    while (this.#running || this.#loop === undefined) {
      const now = this.#o.clock.now();
      if ((this.#pausedUntil.get(shop.code) ?? 0) > now.getTime()) return pushed;
      // Another process may have met the shop's limit: its wait is ours.
      const shared = await shopPausedUntil(this.#o.db, shop.code, now);
      if (shared !== null) {
        this.#pausedUntil.set(shop.code, shared.getTime());
        return pushed;
      }
      const lease = new Date(now.getTime() + shop.api!.timeoutMs + 30_000);
      const levels = await claimDueLevels(this.#o.db, shop.code, now, lease, BATCH);
      if (levels.length === 0) return pushed;
      try {
        await post(shop, levels);
      } catch (thrown) {
        await this.#failed(shop, levels, toCrossdockError(thrown));
        return pushed;
      }
      await markPushed(this.#o.db, shop.code, levels, this.#o.clock.now());
      this.#failures.delete(shop.code);
      pushed += levels.length;
    }
    return pushed;
  }

  async #failed(shop: Shop, levels: ClaimedLevel[], error: CrossdockError): Promise<void> {
    const failures = (this.#failures.get(shop.code) ?? 0) + 1;
    this.#failures.set(shop.code, failures);
    const delay = error.retryable
      ? backoffDelayMs(this.#o.retry, failures, this.#o.random, error.retryAfterMs)
      : this.#o.retry.max_delay_ms;
    const retryAt = new Date(this.#o.clock.now().getTime() + delay);
    this.#pausedUntil.set(shop.code, retryAt.getTime());
    await pauseShop(this.#o.db, shop.code, retryAt, error.code, this.#o.clock.now());
    await markFailed(this.#o.db, shop.code, levels, retryAt, `${error.code}: ${error.message}`);
    const log = { shop: shop.code, levels: levels.length, code: error.code, retryAt };
    if (error.retryable) this.#o.logger.info(log, 'stock levels not taken by the shop; will retry');
    else this.#o.logger.warn(log, `stock levels refused by the shop: ${error.message}`);
  }

  /** How long until the earliest paused shop may call again (or the poll interval). */
  #idleMs(): number {
    const now = this.#o.clock.now().getTime();
    const waits = [...this.#pausedUntil.values()].filter((t) => t > now).map((t) => t - now);
    return Math.min(this.#o.pollIntervalMs, ...waits);
  }

  async #run(): Promise<void> {
    while (this.#running) {
      this.#pause.clear();
      try {
        await this.runOnce();
      } catch (error) {
        this.#o.logger.error(
          { err: error },
          'stock push pass failed; retrying after the poll interval',
        );
      }
      await this.#pause.sleep(Math.max(10, this.#idleMs()));
    }
  }
}

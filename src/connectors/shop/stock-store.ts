/**
 * shop_stock_levels (migration 0014): the levels to push to each shop. The one module that
 * writes the table.
 *
 * Invariants: a level read from an older Odoo state never replaces a newer one (`version`,
 * the newest quant write_date of the read, only moves forward); a row is due while the shop
 * was not sent its current `available`; a pusher claims due rows FOR UPDATE SKIP LOCKED and
 * moves `next_attempt_at` past its call's timeout, so no two calls carry one SKU at once and
 * an older value cannot reach the shop after a newer one.
 *
 * shop_push_pauses (migration 0018): when each shop may be called again, one row per shop
 * shared by every process; it only moves forward, and no level of a paused shop is claimed.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../store/index.ts';

export interface StockLevel {
  sku: string;
  available: number;
  version: string;
}

/** Stores the levels read for a shop's location; returns how many rows it inserted or moved on. */
export async function queueLevels(
  db: Kysely<Database>,
  shop: string,
  location: string,
  levels: readonly StockLevel[],
  now: Date,
): Promise<number> {
  if (levels.length === 0) return 0;
  let changed = 0;
  for (let i = 0; i < levels.length; i += 500) {
    const chunk = levels.slice(i, i + 500);
    const result = await db
      .insertInto('shop_stock_levels')
      .values(
        chunk.map((l) => ({
          shop,
          location,
          sku: l.sku,
          available: l.available,
          version: l.version,
          queued_at: now,
          next_attempt_at: now,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['shop', 'location', 'sku'])
          .doUpdateSet((eb) => ({
            available: eb.ref('excluded.available'),
            version: eb.ref('excluded.version'),
            queued_at: eb.ref('excluded.queued_at'),
          }))
          .where((eb) =>
            eb.and([
              // An equal version is the same Odoo state read again (or a change within the same
              // second of write_date): the later read stands.
              eb('shop_stock_levels.version', '<=', eb.ref('excluded.version')),
              // A newer version with the same quantity still moves the version on, so a read
              // older than it cannot land afterwards.
              eb.or([
                eb('shop_stock_levels.available', '<>', eb.ref('excluded.available')),
                eb('shop_stock_levels.version', '<>', eb.ref('excluded.version')),
              ]),
            ]),
          ),
      )
      .executeTakeFirst();
    changed += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return changed;
}

export interface ClaimedLevel extends StockLevel {
  location: string;
}

/**
 * Claims up to `limit` due levels of one shop, all at one location (one call sets one
 * location), until `leaseUntil`.
 */
export async function claimDueLevels(
  db: Kysely<Database>,
  shop: string,
  now: Date,
  leaseUntil: Date,
  limit: number,
): Promise<ClaimedLevel[]> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('shop_stock_levels')
      .select(['location', 'sku', 'available', 'version'])
      .where('shop', '=', shop)
      .where('next_attempt_at', '<=', now)
      .where(sql<boolean>`pushed_available IS DISTINCT FROM available`)
      // A pause another process set since this one read it is honoured here too.
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('shop_push_pauses')
              .select('shop')
              .where('shop', '=', shop)
              .where('not_before', '>', now),
          ),
        ),
      )
      .orderBy('location')
      .orderBy('sku')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    const location = rows[0]?.location;
    const claimed = rows.filter((r) => r.location === location);
    if (claimed.length === 0) return [];
    await trx
      .updateTable('shop_stock_levels')
      .set({ next_attempt_at: leaseUntil })
      .where('shop', '=', shop)
      .where('location', '=', location!)
      .where(
        'sku',
        'in',
        claimed.map((r) => r.sku),
      )
      .execute();
    return claimed;
  });
}

/** The shop took these values: recorded as sent; a newer value queued meanwhile stays due. */
export async function markPushed(
  db: Kysely<Database>,
  shop: string,
  levels: readonly ClaimedLevel[],
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const l of levels)
      await trx
        .updateTable('shop_stock_levels')
        .set({
          pushed_available: l.available,
          pushed_version: l.version,
          pushed_at: now,
          attempts: 0,
          last_error: null,
          next_attempt_at: now,
        })
        .where('shop', '=', shop)
        .where('location', '=', l.location)
        .where('sku', '=', l.sku)
        .execute();
  });
}

/** The call failed: the levels stay due, tried again at `retryAt`. */
export async function markFailed(
  db: Kysely<Database>,
  shop: string,
  levels: readonly ClaimedLevel[],
  retryAt: Date,
  error: string,
): Promise<void> {
  if (levels.length === 0) return;
  await db
    .updateTable('shop_stock_levels')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      next_attempt_at: retryAt,
      last_error: error.slice(0, 500),
    }))
    .where('shop', '=', shop)
    .where('location', '=', levels[0]!.location)
    .where(
      'sku',
      'in',
      levels.map((l) => l.sku),
    )
    .execute();
}

/** Until when no process may call the shop (null: it may now). */
export async function shopPausedUntil(
  db: Kysely<Database>,
  shop: string,
  now: Date,
): Promise<Date | null> {
  const row = await db
    .selectFrom('shop_push_pauses')
    .select('not_before')
    .where('shop', '=', shop)
    .where('not_before', '>', now)
    .executeTakeFirst();
  return row ? new Date(row.not_before) : null;
}

/** No process calls the shop before `until`; a later pause already stored stands. */
export async function pauseShop(
  db: Kysely<Database>,
  shop: string,
  until: Date,
  reason: string,
  now: Date,
): Promise<void> {
  await db
    .insertInto('shop_push_pauses')
    .values({ shop, not_before: until, reason: reason.slice(0, 500), updated_at: now })
    .onConflict((oc) =>
      oc.column('shop').doUpdateSet((eb) => ({
        not_before: sql<Date>`greatest(${eb.ref('shop_push_pauses.not_before')}, ${eb.ref('excluded.not_before')})`,
        reason: eb.ref('excluded.reason'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

/** Every level of a shop with what was sent (for the API, the demo's report and tests). */
export function listLevels(db: Kysely<Database>, shop: string) {
  return db
    .selectFrom('shop_stock_levels')
    .selectAll()
    .where('shop', '=', shop)
    .orderBy('location')
    .orderBy('sku')
    .execute();
}

/**
 * A demo left running (`npm start`, orders until stopped) keeps its simulated Odoo from
 * growing without end: once a minute the simulator forgets the documents created at least
 * SIM_FORGET_AFTER_MS ago (orders, transfers, invoices and their chatter; see
 * sim/odoo/orm/forget.ts), and the simulated carriers their bookings. In a deployment those
 * records live in Odoo's and the carriers' own databases, not in Crossdock's process. Nothing
 * Crossdock may still read or write is forgotten:
 * - a run being worked (queued, ready or running) holds back the cutoff to its creation;
 * - a run not ended keeps the documents its input names (ids, names, references) and every
 *   document linked to them. Runs that wait for hours (a shop order's ship-by, a damaged
 *   delivery waiting for a person, a supplier's delay) would otherwise hold the cutoff at the
 *   demo's first minutes, and the simulator would keep everything.
 * A bounded demo (`--orders N`) forgets nothing: its report reads every order back.
 */
import type { Kysely } from 'kysely';
import type { Printer } from '../main.ts';
import type { Logger } from '../observability/index.ts';
import { ENDED_STATUSES, type Database } from '../store/index.ts';
import type { CarrierSimulator, ForgetKeep, OdooSimulator } from './simulators.ts';

/**
 * How old a document must be, at least, before the simulated Odoo of a running demo forgets it.
 * Three minutes: the demo's documents are done with by then, but for those runs still name (kept
 * above), and the simulator reaches its steady size within a soak's five-minute warm-up.
 */
export const SIM_FORGET_AFTER_MS = 3 * 60_000;
const EVERY_MS = 60_000;

/** What may go: documents created before `before`, but for those `keep` names. */
export interface ForgetPlan {
  before: Date;
  keep: ForgetKeep;
}

/** The cutoff (`afterMs` ago, or the creation of the oldest run being worked, whichever is earlier) and what runs not ended name. */
export async function forgetPlan(
  db: Kysely<Database>,
  now: Date,
  afterMs: number,
): Promise<ForgetPlan> {
  const { oldest } = await db
    .selectFrom('runs')
    .select((eb) => eb.fn.min('created_at').as('oldest'))
    .where('status', 'in', ['queued', 'ready', 'running'])
    .executeTakeFirstOrThrow();
  const limit = now.getTime() - afterMs;
  const before = new Date(oldest === null ? limit : Math.min(limit, new Date(oldest).getTime()));
  const open = await db
    .selectFrom('runs')
    .select('input')
    .where('status', 'not in', ENDED_STATUSES)
    .execute();
  const keep: Kept = { ids: new Map(), names: new Set() };
  for (const run of open) named(run.input, keep);
  return { before, keep };
}

type Kept = { ids: Map<string, Set<number>>; names: Set<string> };

/** The document model an id under this key of a run's input belongs to (the packs' inputs). */
const ID_OF: Record<string, string> = {
  order_id: 'sale.order',
  sale_id: 'sale.order',
  picking_id: 'stock.picking',
  purchase_id: 'purchase.order',
  purchase_order: 'purchase.order',
  bill_id: 'account.move',
  invoice_id: 'account.move',
};

/**
 * The documents a run's input names: every string (matched against names and references), and
 * the ids under a key that says their model (`picking_id`, or `id` beside `model`). Other
 * numbers (quantities, partner and product ids) name no document.
 */
function named(value: unknown, keep: Kept): void {
  if (typeof value === 'string') keep.names.add(value);
  else if (Array.isArray(value)) for (const item of value) named(item, keep);
  else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const [key, item] of Object.entries(record)) {
      const model = key === 'id' && typeof record.model === 'string' ? record.model : ID_OF[key];
      if (model && typeof item === 'number' && Number.isInteger(item)) {
        const ids = keep.ids.get(model) ?? keep.ids.set(model, new Set()).get(model)!;
        ids.add(item);
      } else named(item, keep);
    }
  }
}

export function startForgetting(
  db: Kysely<Database>,
  sims: { odoo: OdooSimulator; carriers: CarrierSimulator },
  out: Printer,
  logger: Logger,
  afterMs: number = SIM_FORGET_AFTER_MS,
): { stop(): void } {
  const since = new Date(); // what the seed made stays
  const timer = setInterval(() => {
    void forgetPlan(db, new Date(), afterMs)
      .then(({ before, keep }) => {
        const forgotten = sims.odoo.db.forget(since, before, keep);
        const total = Object.values(forgotten).reduce((a, b) => a + b, 0);
        // The carriers' bookings go by the same cutoff; a run not ended keeps those its input names.
        const bookings = sims.carriers.forget(before, keep.names);
        if (total > 0 || bookings > 0)
          out.info(
            `the simulated Odoo forgot ${total} records created before ${before.toISOString()} (${forgotten['sale.order'] ?? 0} sale orders), the carriers ${bookings} bookings`,
          );
      })
      .catch((error: unknown) =>
        logger.warn({ err: error }, 'the simulated Odoo could not forget old documents'),
      );
  }, EVERY_MS);
  return { stop: () => clearInterval(timer) };
}

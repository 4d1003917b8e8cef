/**
 * A demo left running (`npm start`, orders until stopped) keeps its simulated Odoo from
 * growing without end: once a minute the simulator forgets the documents created before
 * every run that has not ended yet, and at least SIM_FORGET_AFTER_MS ago (orders,
 * transfers, invoices and their chatter; see sim/odoo/orm/forget.ts). In a deployment those
 * records live in Odoo's own database, not in Crossdock's process. A run still going holds
 * back the cutoff, so nothing Crossdock may still read or write is forgotten. A bounded demo
 * (`--orders N`) forgets nothing: its report reads every order back.
 */
import type { Kysely } from 'kysely';
import type { Printer } from '../main.ts';
import type { Logger } from '../observability/index.ts';
import { ENDED_STATUSES, type Database } from '../store/index.ts';
import type { OdooSimulator } from './simulators.ts';

/** How old a document must be, at least, before the simulated Odoo of a running demo forgets it. */
export const SIM_FORGET_AFTER_MS = 10 * 60_000;
const EVERY_MS = 60_000;

/** The cutoff: `afterMs` ago, or the creation of the oldest run not ended, whichever is earlier. */
export async function forgetCutoff(
  db: Kysely<Database>,
  now: Date,
  afterMs: number,
): Promise<Date> {
  const { oldest } = await db
    .selectFrom('runs')
    .select((eb) => eb.fn.min('created_at').as('oldest'))
    .where('status', 'not in', ENDED_STATUSES)
    .executeTakeFirstOrThrow();
  const limit = now.getTime() - afterMs;
  return new Date(oldest === null ? limit : Math.min(limit, new Date(oldest).getTime()));
}

export function startForgetting(
  db: Kysely<Database>,
  odoo: OdooSimulator,
  out: Printer,
  logger: Logger,
  afterMs: number = SIM_FORGET_AFTER_MS,
): { stop(): void } {
  const since = new Date(); // what the seed made stays
  const timer = setInterval(() => {
    void forgetCutoff(db, new Date(), afterMs)
      .then((before) => {
        const forgotten = odoo.db.forget(since, before);
        const total = Object.values(forgotten).reduce((a, b) => a + b, 0);
        if (total > 0)
          out.info(
            `the simulated Odoo forgot ${total} records created before ${before.toISOString()} (${forgotten['sale.order'] ?? 0} sale orders)`,
          );
      })
      .catch((error: unknown) =>
        logger.warn({ err: error }, 'the simulated Odoo could not forget old documents'),
      );
  }, EVERY_MS);
  return { stop: () => clearInterval(timer) };
}

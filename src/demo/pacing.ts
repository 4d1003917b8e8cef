/**
 * The demo's order stream, at its rate and held while Crossdock is behind.
 *
 * A demo left running (`npm start`) on a small machine can place orders faster than the
 * embedded engine completes their runs: every order starts a release, a dispatch, an invoice
 * and more, and on two cores the stream at 2 orders/s outruns one process. Its backlog (and
 * the memory that holds it) would then grow for as long as it runs, which is a demo of a
 * queue, not of Crossdock. With a backlog limit the stream places no order while more than
 * that many runs wait to be worked, resumes once the backlog is down to half of it, and does
 * not catch up on the orders it held back: it goes on at its rate from then. The live
 * summary says how long orders were held. A bounded demo (`--orders N`, a throughput
 * measure) sets no limit by default.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

export interface Pace {
  ratePerSecond: number;
  /** Hold new orders while more runs than this wait to be worked; null never holds. */
  maxBacklog: number | null;
  /** Runs waiting to be worked now. */
  backlog(): Promise<number>;
  /** Resolves when a continuous stream should stop. */
  until?: Promise<void>;
  /** How often the backlog is read again while orders are held. */
  lookEveryMs?: number;
}

/** What the pacing did so far, for the live summary. */
export interface Held {
  /** Times the stream was held. */
  times: number;
  /** Seconds the stream was held, in all (a hold still going counts once it ends). */
  seconds: number;
  /** When the hold going on now began (ms since the epoch); null when orders flow. */
  sinceMs: number | null;
}

/** Runs waiting to be worked: queued behind a concurrency key, ready, running, or due again. */
export async function runBacklog(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('runs')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where((eb) =>
      eb.or([
        eb('status', 'in', ['queued', 'ready', 'running']),
        eb.and([eb('status', '=', 'waiting'), eb('available_at', '<=', new Date())]),
      ]),
    )
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Calls `placeOne(i)` for i = 0, 1, ... (`count` times, or until `pace.until`), one every
 * 1/rate seconds, holding while the backlog is over the limit.
 */
export async function placeAtPace(
  pace: Pace,
  count: number | null,
  placeOne: (index: number) => Promise<void>,
  held: Held = { times: 0, seconds: 0, sinceMs: null },
): Promise<Held> {
  const intervalMs = 1_000 / pace.ratePerSecond;
  const lookEveryMs = pace.lookEveryMs ?? 500;
  let stopped = false;
  void pace.until?.then(() => (stopped = true));
  let next = Date.now();
  for (let i = 0; count === null || i < count; i++) {
    if (stopped) return held;
    if (pace.maxBacklog !== null && (await pace.backlog()) > pace.maxBacklog) {
      held.sinceMs = Date.now();
      held.times += 1;
      while (!stopped && (await pace.backlog()) > pace.maxBacklog / 2) await pause(lookEveryMs); // pacing the generator, not a test
      held.seconds += (Date.now() - held.sinceMs) / 1_000;
      held.sinceMs = null;
      if (stopped) return held;
      next = Date.now(); // what was held back is not caught up on
    }
    await placeOne(i);
    next += intervalMs;
    const wait = next - Date.now();
    if (wait > 0) await pause(wait); // pacing the generator, not a test
  }
  return held;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * What the business packs decided, read off the steps each run completed: the one place that
 * says which path is which outcome, for the Overview's business KPIs (GET /api/v1/kpis,
 * `invoiceRelease` and `noTouch`) and the demo's report alike. A read that reaches past the owners of `runs`,
 * `run_steps` and `events` (docs/ARCHITECTURE.md, "Data layer"); it writes nothing.
 *
 * A range counts a run when its last completed step ended in [from, to) (when it reached the
 * outcome it has now), and a pack event when it was received in [from, to); no range counts
 * every run and event in the store. "No touch" means no approval, no case, no review: the
 * share is of the runs that reached an outcome (null when none did).
 */
import { sql } from 'kysely';
import {
  outcomeShare as share,
  receivedIn,
  runsWithSteps,
  type Db,
  type Num,
  type OutcomeRange,
} from './pack-outcome-runs.ts';

/** packs/order-release: auto, approved, rejected (the salesperson told), held as a case, held for stock, failed. */
const RELEASE_OUTCOME = sql<string | null>`CASE
  WHEN r.status = 'failed' THEN 'failed'
  WHEN 'released' = ANY(p.steps) THEN CASE WHEN 'approve' = ANY(p.steps) THEN 'approved' ELSE 'auto' END
  WHEN 'tell-salesperson' = ANY(p.steps) THEN 'rejected'
  WHEN 'hold-case' = ANY(p.steps) THEN 'held'
  WHEN 'hold-stock' = ANY(p.steps) THEN 'heldForStock' END`;

export const RELEASE_OUTCOMES = [
  'auto',
  'approved',
  'rejected',
  'held',
  'heldForStock',
  'failed',
] as const;
export type ReleaseOutcome = (typeof RELEASE_OUTCOMES)[number];

/** Each order-release run with its order (input.id) and outcome (null: none reached yet). */
export async function orderReleaseRuns(
  db: Db,
): Promise<{ id: string; orderId: string; status: string; outcome: ReleaseOutcome | null }[]> {
  const r = await sql<{
    id: Num;
    order_id: string;
    status: string;
    outcome: ReleaseOutcome | null;
  }>`
    SELECT r.id, r.input->>'id' AS order_id, r.status, ${RELEASE_OUTCOME} AS outcome
    FROM ${runsWithSteps('order-release', undefined)} ORDER BY r.id`.execute(db);
  return r.rows.map((row) => ({
    id: String(row.id),
    orderId: row.order_id,
    status: row.status,
    outcome: row.outcome,
  }));
}

/** Order releases by outcome; no touch: released with no approval, of every outcome. */
export async function orderReleaseOutcomes(db: Db, range?: OutcomeRange) {
  const r = await sql<{ outcome: ReleaseOutcome; n: Num }>`
    SELECT o.outcome, count(*) AS n FROM (
      SELECT ${RELEASE_OUTCOME} AS outcome FROM ${runsWithSteps('order-release', range)}) o
    WHERE o.outcome IS NOT NULL GROUP BY o.outcome`.execute(db);
  const counts = Object.fromEntries(RELEASE_OUTCOMES.map((o) => [o, 0])) as Record<
    ReleaseOutcome,
    number
  >;
  for (const row of r.rows) counts[row.outcome] = Number(row.n);
  const decided = RELEASE_OUTCOMES.reduce((n, o) => n + counts[o], 0);
  return { ...counts, decided, noTouchShare: share(counts.auto, decided) };
}

/**
 * packs/delivery-to-cash: invoice-release runs that posted the invoice on the proof of
 * delivery (`released`) or held it (for finance, `hold-case`; for the warehouse, a delivery
 * Odoo holds nothing reserved on, `unreserved-case`), and the release time of each
 * invoice posted (the `release_seconds` of its invoice.released event: delivered to posted),
 * at nearest rank (percentile_disc: a time some invoice really took).
 */
export async function invoiceReleaseOutcomes(db: Db, range?: OutcomeRange) {
  const outcomes = (
    await sql<{ released: Num; held: Num }>`
      SELECT count(*) FILTER (WHERE 'released' = ANY(p.steps)) AS released,
             count(*) FILTER (WHERE 'hold-case' = ANY(p.steps) OR 'unreserved-case' = ANY(p.steps)) AS held
      FROM ${runsWithSteps('invoice-release', range)}`.execute(db)
  ).rows[0];
  const times = (
    await sql<{ n: Num; p50: Num | null; p90: Num | null; p99: Num | null }>`
      SELECT count(s) AS n,
        percentile_disc(0.5) WITHIN GROUP (ORDER BY s) AS p50,
        percentile_disc(0.9) WITHIN GROUP (ORDER BY s) AS p90,
        percentile_disc(0.99) WITHIN GROUP (ORDER BY s) AS p99
      FROM (SELECT (payload->>'release_seconds')::numeric AS s FROM events
            WHERE source = 'crossdock' AND type = 'invoice.released' ${receivedIn(range)}) t`.execute(
      db,
    )
  ).rows[0];
  const released = Number(outcomes?.released ?? 0);
  const held = Number(outcomes?.held ?? 0);
  const num = (v: Num | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return {
    released,
    held,
    noTouchShare: share(released, released + held),
    releaseSeconds: {
      count: Number(times?.n ?? 0),
      p50: num(times?.p50),
      p90: num(times?.p90),
      p99: num(times?.p99),
    },
  };
}

/**
 * packs/vendor-bills, per bill (a bill matched twice is one bill): posted on a clean match,
 * posted after an approved variance, variance rejected, held; no touch: posted on a match, of
 * every bill with an outcome. `postedTwice`: bills more than one run posted (never, if the
 * pack keeps its promise).
 */
export async function vendorBillOutcomes(db: Db, range?: OutcomeRange) {
  const r = (
    await sql<{
      matched: Num;
      approved: Num;
      rejected: Num;
      held: Num;
      decided: Num;
      twice: string[] | null;
    }>`
      WITH b AS (
        SELECT r.input->>'bill_id' AS bill, CASE
          WHEN 'released' = ANY(p.steps) THEN CASE WHEN 'approve' = ANY(p.steps) THEN 'approved' ELSE 'matched' END
          WHEN 'rejected-note' = ANY(p.steps) THEN 'rejected'
          WHEN 'hold-activity' = ANY(p.steps) THEN 'held' END AS outcome
        FROM ${runsWithSteps('vendor-bill-match', range)})
      SELECT count(DISTINCT bill) FILTER (WHERE outcome = 'matched') AS matched,
             count(DISTINCT bill) FILTER (WHERE outcome = 'approved') AS approved,
             count(DISTINCT bill) FILTER (WHERE outcome = 'rejected') AS rejected,
             count(DISTINCT bill) FILTER (WHERE outcome = 'held') AS held,
             count(DISTINCT bill) FILTER (WHERE outcome IS NOT NULL) AS decided,
             (SELECT array_agg(bill) FROM (SELECT bill FROM b WHERE outcome IN ('matched', 'approved')
                                           GROUP BY bill HAVING count(*) > 1) t) AS twice
      FROM b`.execute(db)
  ).rows[0];
  const postedOnMatch = Number(r?.matched ?? 0);
  const decided = Number(r?.decided ?? 0);
  return {
    postedOnMatch,
    postedAfterApproval: Number(r?.approved ?? 0),
    rejected: Number(r?.rejected ?? 0),
    held: Number(r?.held ?? 0),
    decided,
    noTouchShare: share(postedOnMatch, decided),
    postedTwice: r?.twice ?? [],
  };
}

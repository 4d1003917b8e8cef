/**
 * What the returns and inventory-control packs decided (see pack-outcomes.ts for what a
 * range counts and what "no touch" means).
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

/**
 * packs/returns: requests, accepted, refused, reviewed by finance; touched: a finance review,
 * a refusal case or an unknown order's case. No touch: settled (accepted or refused) with
 * none of those, of every settled request; accepted with none of those, of every accepted
 * one. Credit notes posted and units scrapped come from the refund.issued events.
 */
export async function returnOutcomes(db: Db, range?: OutcomeRange) {
  const runs = (
    await sql<{
      requested: Num;
      accepted: Num;
      refused: Num;
      reviewed: Num;
      accepted_untouched: Num;
      refused_untouched: Num;
    }>`
      SELECT count(*) AS requested,
             count(*) FILTER (WHERE accepted) AS accepted,
             count(*) FILTER (WHERE refused) AS refused,
             count(*) FILTER (WHERE 'review' = ANY(steps)) AS reviewed,
             count(*) FILTER (WHERE accepted AND NOT touched) AS accepted_untouched,
             count(*) FILTER (WHERE refused AND NOT touched) AS refused_untouched
      FROM (SELECT p.steps, 'accepted' = ANY(p.steps) AS accepted,
                   p.steps && ARRAY['refused', 'rejected', 'unknown-refused'] AS refused,
                   p.steps && ARRAY['review', 'refuse-case', 'unknown-order'] AS touched
            FROM ${runsWithSteps('return-request', range)}) t`.execute(db)
  ).rows[0];
  const refunds = (
    await sql<{ credited: Num; scrapped: Num | null }>`
      SELECT count(*) AS credited, sum((payload->>'scrapped')::numeric) AS scrapped
      FROM events WHERE source = 'crossdock' AND type = 'refund.issued' ${receivedIn(range)}`.execute(
      db,
    )
  ).rows[0];
  const accepted = Number(runs?.accepted ?? 0);
  const refused = Number(runs?.refused ?? 0);
  const acceptedNoTouch = Number(runs?.accepted_untouched ?? 0);
  return {
    requested: Number(runs?.requested ?? 0),
    accepted,
    refused,
    reviewed: Number(runs?.reviewed ?? 0),
    acceptedNoTouch,
    acceptedNoTouchShare: share(acceptedNoTouch, accepted),
    noTouchShare: share(acceptedNoTouch + Number(runs?.refused_untouched ?? 0), accepted + refused),
    credited: Number(refunds?.credited ?? 0),
    scrappedUnits: Number(refunds?.scrapped ?? 0),
  };
}

export interface InventoryOutcomes {
  /** Applied at once, within tolerance. */
  auto: number;
  /** Applied after the two write-off approvals. */
  approved: number;
  /** A count cleared, a scrap never made. */
  rejected: number;
}

/**
 * packs/inventory-control: counts (inventory-count) and scraps (inventory-scrap) applied at
 * once, after two approvals, or rejected; no touch: applied at once, of all of them, and of
 * the counts alone.
 */
export async function inventoryOutcomes(db: Db, range?: OutcomeRange) {
  const of = async (workflowId: string): Promise<InventoryOutcomes> => {
    const row = (
      await sql<{ auto: Num; approved: Num; rejected: Num }>`
        SELECT
          count(*) FILTER (WHERE 'apply' = ANY(p.steps) OR ('scrap' = ANY(p.steps) AND NOT 'approve' = ANY(p.steps))) AS auto,
          count(*) FILTER (WHERE 'apply-approved' = ANY(p.steps) OR ('scrap' = ANY(p.steps) AND 'approve' = ANY(p.steps))) AS approved,
          count(*) FILTER (WHERE 'clear' = ANY(p.steps) OR 'rejected-note' = ANY(p.steps)) AS rejected
        FROM ${runsWithSteps(workflowId, range)}`.execute(db)
    ).rows[0];
    return {
      auto: Number(row?.auto ?? 0),
      approved: Number(row?.approved ?? 0),
      rejected: Number(row?.rejected ?? 0),
    };
  };
  const counts = await of('inventory-count');
  const scraps = await of('inventory-scrap');
  const total = (o: InventoryOutcomes) => o.auto + o.approved + o.rejected;
  return {
    counts,
    scraps,
    countsNoTouchShare: share(counts.auto, total(counts)),
    noTouchShare: share(counts.auto + scraps.auto, total(counts) + total(scraps)),
  };
}

/**
 * The demo report's replenishment line (packs/replenishment): the needs the pack looked at
 * and what became of each (a draft RFQ for the buyer, a purchase order confirmed after its
 * authorization, an authorization rejected, still waiting, held for a person, or already
 * covered), the share of purchase orders created with no one's approval, and whether every
 * need has one purchase order at most.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

export interface ReplenishmentReport {
  needs: number;
  drafts: number;
  confirmed: number;
  rejected: number;
  waiting: number;
  held: number;
  covered: number;
  /** Purchase orders created with no approval / every purchase order created; null before any. */
  noTouchShare: number | null;
  problems: string[];
}

/** `need`: the RFQ's source document, naming the reordering rule and the period (one RFQ each). */
type NeedRun = { need: string | null; status: string; rfq: string | null; steps: string[] };

export async function replenishmentReport(db: Kysely<Database>): Promise<ReplenishmentReport> {
  const runs = await sql<NeedRun>`
    SELECT (SELECT s.output->>'origin' FROM run_steps s WHERE s.run_id = r.id AND s.step_id = 'sized' AND s.status = 'completed' LIMIT 1) AS need,
           r.status,
           (SELECT s.output->>'id' FROM run_steps s WHERE s.run_id = r.id AND s.step_id = 'rfq' AND s.status = 'completed' LIMIT 1) AS rfq,
           coalesce((SELECT array_agg(DISTINCT s.step_id) FROM run_steps s WHERE s.run_id = r.id AND s.status = 'completed'), ARRAY[]::text[]) AS steps
    FROM runs r WHERE r.workflow_id = 'replenishment'`.execute(db);
  const has = (run: NeedRun, step: string) => run.steps.includes(step);
  const count = (test: (run: NeedRun) => boolean) => runs.rows.filter(test).length;
  const drafts = count((r) => has(r, 'draft-note'));
  const confirmed = count((r) => has(r, 'confirmed-note'));
  const problems: string[] = [];
  const rfqsByNeed = new Map<string, Set<string>>();
  for (const run of runs.rows) {
    if (run.rfq === null) continue;
    const need = run.need ?? `run without a need key (RFQ ${run.rfq})`;
    rfqsByNeed.set(need, (rfqsByNeed.get(need) ?? new Set()).add(run.rfq));
  }
  for (const [need, rfqs] of rfqsByNeed)
    if (rfqs.size > 1) problems.push(`replenishment: need ${need} has ${rfqs.size} RFQs`);
  const failed = count((r) => r.status === 'failed');
  if (failed > 0) problems.push(`replenishment: ${failed} run(s) failed`);
  const created = count((r) => r.rfq !== null);
  return {
    needs: runs.rows.length,
    drafts,
    confirmed,
    rejected: count((r) => has(r, 'rejected-note')),
    waiting: count((r) => r.status === 'waiting'),
    held: count((r) => has(r, 'hold-case')),
    covered: count((r) => has(r, 'nothing-to-do')),
    noTouchShare: created === 0 ? null : drafts / created,
    problems,
  };
}

export function formatReplenishment(r: ReplenishmentReport): string {
  const share = r.noTouchShare === null ? '-' : `${Math.round(r.noTouchShare * 100)} %`;
  return `  replenishment   needs ${r.needs}: draft RFQs for the buyer ${r.drafts}, confirmed after authorization ${r.confirmed}, authorization rejected ${r.rejected}, waiting ${r.waiting}, held ${r.held}, already covered ${r.covered} (purchase orders with no approval: ${share})`;
}

/**
 * The demo report's vendor-bills line (packs/vendor-bills): bills posted on a clean match,
 * posted after an approved variance, not posted (variance rejected, or held), the share
 * posted with no human touch, and whether every entered bill has one outcome and none was
 * posted twice.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

export interface BillsReport {
  entered: number;
  postedOnMatch: number;
  postedAfterApproval: number;
  rejected: number;
  held: number;
  /** postedOnMatch / every bill with an outcome; null before any. */
  noTouchShare: number | null;
  problems: string[];
}

type BillRun = { bill: string; steps: string[] };

export async function billsReport(db: Kysely<Database>, entered: number): Promise<BillsReport> {
  const runs = await sql<BillRun>`
    SELECT r.input->>'bill_id' AS bill,
           coalesce((SELECT array_agg(DISTINCT s.step_id) FROM run_steps s WHERE s.run_id = r.id AND s.status = 'completed'), ARRAY[]::text[]) AS steps
    FROM runs r WHERE r.workflow_id = 'vendor-bill-match'`.execute(db);
  const outcomes = new Map<string, string[]>();
  for (const run of runs.rows) {
    const outcome = run.steps.includes('released')
      ? run.steps.includes('approve')
        ? 'approved'
        : 'matched'
      : run.steps.includes('rejected-note')
        ? 'rejected'
        : run.steps.includes('hold-activity')
          ? 'held'
          : null;
    if (outcome !== null) outcomes.set(run.bill, [...(outcomes.get(run.bill) ?? []), outcome]);
  }
  const count = (what: string) =>
    [...outcomes.values()].filter((list) => list.includes(what)).length;
  const problems = [...outcomes.entries()]
    .filter(([, list]) => list.filter((o) => o === 'matched' || o === 'approved').length > 1)
    .map(([bill]) => `vendor bill ${bill} posted by more than one run`);
  if (outcomes.size !== entered)
    problems.push(`vendor bills: ${entered} entered, ${outcomes.size} with an outcome`);
  const postedOnMatch = count('matched');
  return {
    entered,
    postedOnMatch,
    postedAfterApproval: count('approved'),
    rejected: count('rejected'),
    held: count('held'),
    noTouchShare: outcomes.size === 0 ? null : postedOnMatch / outcomes.size,
    problems,
  };
}

export function formatBills(r: BillsReport): string {
  const share = r.noTouchShare === null ? '-' : `${Math.round(r.noTouchShare * 100)} %`;
  return `  vendor bills    entered ${r.entered}: posted on a clean match ${r.postedOnMatch}, posted after an approved variance ${r.postedAfterApproval}, variance rejected ${r.rejected}, held ${r.held} (no human touch: ${share})`;
}

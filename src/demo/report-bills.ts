/**
 * The demo report's vendor-bills line (packs/vendor-bills): bills posted on a clean match,
 * posted after an approved variance, not posted (variance rejected, or held), the share
 * posted with no human touch, and whether every entered bill has one outcome and none was
 * posted twice.
 */
import type { Kysely } from 'kysely';
import { vendorBillOutcomes, type Database } from '../store/index.ts';

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

export async function billsReport(db: Kysely<Database>, entered: number): Promise<BillsReport> {
  const o = await vendorBillOutcomes(db);
  const problems = o.postedTwice.map((bill) => `vendor bill ${bill} posted by more than one run`);
  if (o.decided !== entered)
    problems.push(`vendor bills: ${entered} entered, ${o.decided} with an outcome`);
  return {
    entered,
    postedOnMatch: o.postedOnMatch,
    postedAfterApproval: o.postedAfterApproval,
    rejected: o.rejected,
    held: o.held,
    noTouchShare: o.noTouchShare,
    problems,
  };
}

export function formatBills(r: BillsReport): string {
  const share = r.noTouchShare === null ? '-' : `${Math.round(r.noTouchShare * 100)} %`;
  return `  vendor bills    entered ${r.entered}: posted on a clean match ${r.postedOnMatch}, posted after an approved variance ${r.postedAfterApproval}, variance rejected ${r.rejected}, held ${r.held} (no human touch: ${share})`;
}

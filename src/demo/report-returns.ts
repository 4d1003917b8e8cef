/**
 * The demo report's returns line (returns pack): requests accepted and refused, refunds
 * reviewed by finance and credited, goods scrapped, and the share of requests settled with no
 * human touch (no approval, no case).
 */
import type { Kysely } from 'kysely';
import { returnOutcomes, type Database } from '../store/index.ts';

export interface ReturnsReport {
  requested: number;
  accepted: number;
  refused: number;
  reviewed: number;
  credited: number;
  scrappedUnits: number;
  /** Requests settled without an approval or a case, of all settled; null before any. */
  noTouchShare: number | null;
}

export async function returnsReport(db: Kysely<Database>): Promise<ReturnsReport> {
  const o = await returnOutcomes(db);
  return {
    requested: o.requested,
    accepted: o.accepted,
    refused: o.refused,
    reviewed: o.reviewed,
    credited: o.credited,
    scrappedUnits: o.scrappedUnits,
    noTouchShare: o.noTouchShare,
  };
}

export function formatReturns(r: ReturnsReport): string {
  const share = r.noTouchShare === null ? '-' : `${Math.round(r.noTouchShare * 100)} %`;
  return `  returns         requested ${r.requested}: accepted ${r.accepted} (finance reviewed ${r.reviewed}), refused ${r.refused}; credit notes posted ${r.credited}, units scrapped ${r.scrappedUnits} (no human touch: ${share})`;
}

import type { Kysely } from 'kysely';
import {
  inventoryOutcomes,
  invoiceReleaseOutcomes,
  orderReleaseOutcomes,
  returnOutcomes,
  vendorBillOutcomes,
  type Database,
} from '../../store/index.ts';
import type { KpiWindow } from './kpi-queries.ts';

/**
 * The business cards: what the packs decided in the range, read as the demo's report reads
 * it (store/pack-outcomes.ts). Invoice release time (packs/delivery-to-cash): invoices posted
 * on a proof of delivery in the range, delivered to posted, p50/p90 at nearest rank; the
 * share released with no human touch against those held for finance. No-touch shares: order
 * releases (auto, approved, held), vendor bills (posted on a match, after an approval),
 * returns (accepted with no review or case) and inventory counts (applied at once).
 */
export async function outcomeKpis(db: Kysely<Database>, w: KpiWindow) {
  const range = { from: w.from, to: w.to };
  const [invoices, release, bills, returns, inventory] = await Promise.all([
    invoiceReleaseOutcomes(db, range),
    orderReleaseOutcomes(db, range),
    vendorBillOutcomes(db, range),
    returnOutcomes(db, range),
    inventoryOutcomes(db, range),
  ]);
  const { count, p50, p90 } = invoices.releaseSeconds;
  return {
    invoiceRelease: {
      released: invoices.released,
      held: invoices.held,
      noTouchShare: invoices.noTouchShare,
      releaseSeconds: { count, p50, p90 },
    },
    noTouch: {
      orderRelease: {
        auto: release.auto,
        approved: release.approved,
        held: release.held + release.heldForStock,
        rejected: release.rejected,
        failed: release.failed,
        decided: release.decided,
        share: release.noTouchShare,
      },
      vendorBills: {
        postedOnMatch: bills.postedOnMatch,
        postedAfterApproval: bills.postedAfterApproval,
        rejected: bills.rejected,
        held: bills.held,
        decided: bills.decided,
        share: bills.noTouchShare,
      },
      returns: {
        accepted: returns.accepted,
        acceptedNoTouch: returns.acceptedNoTouch,
        reviewed: returns.reviewed,
        refused: returns.refused,
        share: returns.acceptedNoTouchShare,
      },
      inventoryCounts: {
        atOnce: inventory.counts.auto,
        afterApproval: inventory.counts.approved,
        rejected: inventory.counts.rejected,
        share: inventory.countsNoTouchShare,
      },
    },
  };
}

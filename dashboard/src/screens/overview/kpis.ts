import { formatDuration } from '../../format.ts';

/** What GET /kpis answers for a range. */
export interface Kpis {
  from: string;
  to: string;
  /** Where the chosen range starts; `from` is later when the data starts later. */
  requestedFrom: string;
  bucket: string;
  firstEventAt: string | null;
  live: { events: { windowMs: number; measuredMs: number; count: number; perSecond: number }[] };
  integration: {
    calls: number;
    errors: number;
    errorRate: number | null;
    worst: { connector: string; calls: number; errors: number; errorRate: number | null } | null;
  };
  events: { total: number; perSecond: number; series: number[] };
  runs: {
    byStatus: Record<string, number>;
    completed: number[];
    failed: number[];
    completedTotal: number;
    failedTotal: number;
    errorRate: number | null;
  };
  latency: {
    workflowId: string;
    completed: number;
    p50Ms: number | null;
    p90Ms: number | null;
    series: { count: number[]; p50Ms: (number | null)[]; p90Ms: (number | null)[] };
  };
  approvals: {
    waiting: number;
    breached: number;
    byLevel: { level: string; waiting: number; breached: number; oldestWaitMs: number }[];
  };
  exceptions: {
    open: number;
    openedInRange: number;
    byAge: { label: string; count: number }[];
    ageBuckets: string[];
    byType: { type: string; open: number; byAge: number[] }[];
  };
  queue: {
    runsDue: number;
    oldestDueMs: number | null;
    runsQueued: number;
    notificationsPending: number;
    oldestNotificationMs: number | null;
  };
  connectors: {
    connector: string;
    calls: number;
    errors: number;
    errorRate: number | null;
    series: { calls: number[]; errors: number[] };
  }[];
  stock: {
    reservationFailures: { inRange: number; heldNow: number };
    replenishmentCycle: {
      received: number;
      needToConfirmedSeconds: { p50: number | null; mean: number | null };
      confirmedToReceivedSeconds: { p50: number | null; mean: number | null };
      needToReceivedSeconds: { p50: number | null; mean: number | null };
    };
    /** Purchase receipts done in the range by their planned date; `rate` in percent. */
    supplierOnTime: { receipts: number; onTime: number; rate: number | null };
  };
  /** packs/supplier-delays: open receipts as the last scan in the range found them. */
  supplier: {
    scannedAt: string | null;
    openReceipts: number;
    lateReceipts: number;
    onTimeRate: number | null;
    delaysFound: number;
    delaysResolved: number;
  };
  /** packs/delivery-to-cash: invoices posted on a proof of delivery, or held for finance. */
  invoiceRelease: {
    released: number;
    held: number;
    noTouchShare: number | null;
    releaseSeconds: { count: number; p50: number | null; p90: number | null };
  };
  /** What the packs decided with no approval, case or review, of all they decided in the range. */
  noTouch: {
    orderRelease: {
      auto: number;
      approved: number;
      held: number;
      rejected: number;
      failed: number;
      decided: number;
      share: number | null;
    };
    vendorBills: {
      postedOnMatch: number;
      postedAfterApproval: number;
      rejected: number;
      held: number;
      decided: number;
      share: number | null;
    };
    returns: {
      accepted: number;
      acceptedNoTouch: number;
      reviewed: number;
      refused: number;
      share: number | null;
    };
    inventoryCounts: {
      atOnce: number;
      afterApproval: number;
      rejected: number;
      share: number | null;
    };
  };
}

export const percent = (rate: number | null) =>
  rate === null ? '—' : `${(rate * 100).toFixed(1)} %`;
/** Two significant digits under 1, one decimal above: 0.011, 6.8, 12.0. */
export const rate = (perSecond: number) =>
  perSecond >= 1 || perSecond === 0 ? perSecond.toFixed(1) : perSecond.toPrecision(2);
export const windowName = (ms: number) =>
  ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
/** "850 ms", "3 min 0 s"; "—" when there is nothing to measure. */
export const duration = (ms: number | null) =>
  ms === null ? '—' : ms < 1000 ? `${ms} ms` : formatDuration(ms);

/**
 * The Overview's business cards, for an operations lead and a finance controller: invoice
 * release time (delivered to invoice posted), the share of each pack's work that went
 * through with no human touch, and the suppliers' two on-time figures.
 */
import { formatTime } from '../../format.ts';
import { duration, percent, type Kpis } from './kpis.ts';
import { Percentiles } from './SummaryCards.tsx';

const seconds = (s: number | null) => duration(s === null ? null : s * 1000);
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Delivered to invoice posted, p50 and p90 over the invoices posted in the range. */
export function InvoiceReleaseCard({ invoices: i }: { invoices: Kpis['invoiceRelease'] }) {
  const t = i.releaseSeconds;
  return (
    <article className="card" aria-label="Invoice release time">
      <h2>Invoice release time</h2>
      <Percentiles kpi="invoice-release" p50={seconds(t.p50)} p90={seconds(t.p90)} />
      <p className="muted" data-kpi="invoice-release-count">
        delivered to invoice posted, over {plural(t.count, 'invoice', 'invoices')} posted in the
        range
      </p>
      <p>
        <span data-kpi="invoice-no-touch">{percent(i.noTouchShare)}</span>{' '}
        <span className="muted">
          released with no human touch (<span data-kpi="invoice-released">{i.released}</span>{' '}
          released, <span data-kpi="invoice-held">{i.held}</span> held for finance)
        </span>
      </p>
    </article>
  );
}

/** Each pack's share decided with no approval, case or review, with what the rest was. */
export function NoTouchCard({ noTouch: n }: { noTouch: Kpis['noTouch'] }) {
  const o = n.orderRelease;
  const b = n.vendorBills;
  const r = n.returns;
  const c = n.inventoryCounts;
  return (
    <article className="card" aria-label="No human touch">
      <h2>No human touch</h2>
      <p className="muted small">of what each pack decided in the range</p>
      <dl className="facts stacked">
        <dt>Orders released at once</dt>
        <dd>
          <strong data-kpi="no-touch-orders">{percent(o.share)}</strong>{' '}
          <span className="muted" data-kpi="no-touch-orders-detail">
            {o.auto} auto, {o.approved} after approval, {o.held} held, {o.rejected} rejected
          </span>
        </dd>
        <dt>Vendor bills posted on a match</dt>
        <dd>
          <strong data-kpi="no-touch-bills">{percent(b.share)}</strong>{' '}
          <span className="muted" data-kpi="no-touch-bills-detail">
            {b.postedOnMatch} on a match, {b.postedAfterApproval} after approval, {b.rejected}{' '}
            rejected, {b.held} held
          </span>
        </dd>
        <dt>Returns accepted with no review</dt>
        <dd>
          <strong data-kpi="no-touch-returns">{percent(r.share)}</strong>{' '}
          <span className="muted" data-kpi="no-touch-returns-detail">
            {r.acceptedNoTouch} of {r.accepted} accepted; {r.reviewed} reviewed, {r.refused} refused
          </span>
        </dd>
        <dt>Inventory counts applied at once</dt>
        <dd>
          <strong data-kpi="no-touch-counts">{percent(c.share)}</strong>{' '}
          <span className="muted" data-kpi="no-touch-counts-detail">
            {c.atOnce} at once, {c.afterApproval} after two approvals, {c.rejected} rejected
          </span>
        </dd>
      </dl>
    </article>
  );
}

/**
 * Two on-time figures that answer different questions: receipts that came in the range, by
 * their planned date; and the receipts still open at the last supplier-delay scan, not late.
 */
export function SupplierCard({ k }: { k: Kpis }) {
  const received = k.stock.supplierOnTime;
  const s = k.supplier;
  return (
    <article className="card" aria-label="Suppliers">
      <h2>Suppliers</h2>
      <dl className="facts stacked">
        <dt>Receipts on time (received in range)</dt>
        <dd data-kpi="supplier-on-time">
          {received.rate === null
            ? '—'
            : `${received.rate.toFixed(1)} % (${received.onTime} of ${received.receipts})`}
        </dd>
        <dt>Open receipts on schedule (last scan)</dt>
        <dd data-kpi="supplier-open-on-schedule">
          {s.scannedAt === null ? (
            <span className="muted">no scan in the range</span>
          ) : (
            <>
              {percent(s.onTimeRate)}{' '}
              <span className="muted">
                ({s.openReceipts - s.lateReceipts} of {s.openReceipts} open; scanned{' '}
                {formatTime(s.scannedAt)})
              </span>
            </>
          )}
        </dd>
        <dt>Late receipts</dt>
        <dd data-kpi="supplier-delays">
          {s.delaysFound} found, {s.delaysResolved} resolved in the range
        </dd>
      </dl>
    </article>
  );
}

import { duration, type Kpis } from './kpis.ts';

const seconds = (s: number | null) => duration(s === null ? null : s * 1000);

/**
 * Stock and procurement: orders held because their stock was not reserved, the replenishment
 * cycle (need found, purchase order confirmed, received) over the receipts in the range. The
 * suppliers' on-time figures are on their own card (BusinessCards.tsx).
 */
export function StockCard({ stock: s }: { stock: Kpis['stock'] }) {
  const c = s.replenishmentCycle;
  return (
    <article className="card" aria-label="Stock and replenishment">
      <h2>Stock and replenishment</h2>
      <dl className="facts stacked">
        <dt>Stock reservation failures</dt>
        <dd>
          <strong data-kpi="reservation-failures">{s.reservationFailures.inRange}</strong> in the
          range, <span data-kpi="held-for-stock">{s.reservationFailures.heldNow}</span> held now
        </dd>
        <dt>Replenishment cycle (median)</dt>
        <dd data-kpi="replenishment-cycle">
          {c.received === 0 ? (
            <span className="muted">no replenishment received in the range</span>
          ) : (
            <>
              need → confirmed {seconds(c.needToConfirmedSeconds.p50)}, → received{' '}
              {seconds(c.confirmedToReceivedSeconds.p50)}; in all{' '}
              <strong>{seconds(c.needToReceivedSeconds.p50)}</strong> over {c.received}{' '}
              {c.received === 1 ? 'receipt' : 'receipts'}
            </>
          )}
        </dd>
      </dl>
    </article>
  );
}

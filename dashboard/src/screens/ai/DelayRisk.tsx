/**
 * The delay-risk priority list (docs/AI.md, "Delay risk"): the open deliveries of the newest
 * scoring pass, riskiest first, as GET /ai/delay-risk answers them. Reading only: what to do
 * about a delivery is the operations lead's decision, in Odoo or with the carrier.
 */
import { Empty, ErrorNote, Loading, Section, Status } from '../../components/ui.tsx';
import { formatTime } from '../../format.ts';
import { useGet } from '../../hooks.ts';

/** One delivery as src/ai/delay-risk/scoring.ts ScoredDelivery gives it. */
interface ScoredDelivery {
  recommendationId: string;
  picking: string;
  order: string | null;
  promisedDate: string;
  risk: number | null;
  reasons: string[];
  reason: string;
  flagged: boolean;
  overdue: boolean;
  model: string;
}

interface PriorityList {
  scoredAt: string | null;
  threshold: number | null;
  deliveries: ScoredDelivery[];
}

const percent = (v: number) => `${Math.round(v * 100)} %`;

export function DelayRiskList() {
  const list = useGet<PriorityList>('/ai/delay-risk?limit=20');
  const data = list.data;
  return (
    <Section title="Delivery delay risk">
      <ErrorNote error={list.error} />
      {list.loading && !data && <Loading what="the delay-risk list" />}
      {data && data.scoredAt === null && (
        <Empty>
          No scoring pass has run yet: the operations pack scores open deliveries hourly.
        </Empty>
      )}
      {data && data.scoredAt !== null && (
        <>
          <p className="muted">
            Open deliveries by their risk of missing the promised date, scored{' '}
            {formatTime(data.scoredAt)}; flagged for the operations team from{' '}
            {percent(data.threshold ?? 0)}.
          </p>
          {data.deliveries.length === 0 ? (
            <Empty>No open delivery with a promised date.</Empty>
          ) : (
            <table className="table" aria-label="Deliveries by delay risk">
              <thead>
                <tr>
                  <th scope="col">Order · delivery</th>
                  <th scope="col">Promised</th>
                  <th scope="col">Risk</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {data.deliveries.map((d) => (
                  <tr key={d.recommendationId} data-delivery={d.picking}>
                    <td>
                      {d.order ?? '—'}
                      <div className="muted small">{d.picking}</div>
                    </td>
                    <td data-col="promised">{d.promisedDate}</td>
                    <td data-col="risk">
                      {d.risk === null ? <span className="muted">abstains</span> : percent(d.risk)}{' '}
                      {d.flagged && <Status value="flagged" />}
                    </td>
                    <td data-col="why">
                      {d.risk === null
                        ? d.reason.replace(/^abstains: /, '')
                        : d.overdue
                          ? 'already past its promised date'
                          : d.reasons.join(', ') || '—'}
                      <div className="muted small">{d.model}</div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </Section>
  );
}

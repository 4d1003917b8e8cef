/**
 * The override rate of AI recommendations on the Overview, per use and answered class, over
 * the Overview's range (GET /ai/summary?from&to). The rate is overridden / (applied +
 * accepted + overridden, each recommendation once): of what the gate acted on or a person
 * decided, how much a person found wrong. With a spending limit on the provider, its spend
 * against the limit. Shown to those who may read the exception queue.
 */
import { ErrorNote, Loading } from '../../components/ui.tsx';
import { useGet } from '../../hooks.ts';
import { Link } from '../../router.tsx';
import { AiBudgetLine, type AiBudgetStatus } from './AiBudget.tsx';
import { percent } from './kpis.ts';

interface AiClass {
  use: string;
  category: string | null;
  total: number;
  applied: number;
  review: number;
  fallback: number;
  pending: number;
  accepted: number;
  overridden: number;
  appliedOverridden: number;
  overrideRate: number | null;
}

const decided = (c: AiClass) => c.applied + c.accepted + c.overridden - c.appliedOverridden;

export function AiOverrideCard({ from, to }: { from: string; to: string }) {
  const summary = useGet<{ classes: AiClass[]; budget: AiBudgetStatus | null }>(
    `/ai/summary?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
  );
  const classes = summary.data?.classes ?? [];
  const all = classes.reduce(
    (sum, c) => ({
      decided: sum.decided + decided(c),
      overridden: sum.overridden + c.overridden,
      pending: sum.pending + c.pending,
      fallback: sum.fallback + c.fallback,
    }),
    { decided: 0, overridden: 0, pending: 0, fallback: 0 },
  );
  return (
    <article className="card wide" aria-label="AI override rate">
      <h2>AI override rate</h2>
      <ErrorNote error={summary.error} />
      {!summary.data && summary.loading && <Loading what="the AI summary" />}
      {summary.data && (
        <>
          <p>
            <span className="big" data-kpi="ai-override-rate">
              {percent(all.decided === 0 ? null : all.overridden / all.decided)}
            </span>{' '}
            <span className="muted" data-kpi="ai-override-detail">
              {all.overridden} overridden of {all.decided} acted on or decided; {all.pending}{' '}
              waiting for review, {all.fallback} fallbacks
            </span>
          </p>
          {summary.data.budget && <AiBudgetLine budget={summary.data.budget} />}
          {classes.length > 0 && (
            <table className="table compact" aria-label="Override rate by use and class">
              <thead>
                <tr>
                  <th scope="col">Use</th>
                  <th scope="col">Class</th>
                  <th scope="col">Override rate</th>
                  <th scope="col">Overridden</th>
                  <th scope="col">Decided</th>
                  <th scope="col">Waiting</th>
                </tr>
              </thead>
              <tbody>
                {classes.map((c) => (
                  <tr key={`${c.use}/${c.category}`} data-ai-class={`${c.use}/${c.category ?? ''}`}>
                    <td>{c.use}</td>
                    <td>{c.category ?? 'no answer (fallback)'}</td>
                    <td data-col="rate">{percent(c.overrideRate)}</td>
                    <td data-col="overridden">{c.overridden}</td>
                    <td data-col="decided">{decided(c)}</td>
                    <td data-col="pending">{c.pending}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Link to="/ai">Review the recommendations</Link>
        </>
      )}
    </article>
  );
}

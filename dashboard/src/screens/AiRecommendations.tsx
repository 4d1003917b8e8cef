/**
 * The AI recommendations screen (docs/AI.md): the review tasks waiting for a person, the
 * delay-risk priority list, and the recommendation log, filterable by use, outcome and review
 * state, paged as the other lists.
 */
import { useEffect, useId, useState } from 'react';
import { qs } from '../api.ts';
import { CursorPages, Empty, ErrorNote, Loading, Section, Status } from '../components/ui.tsx';
import { formatTime } from '../format.ts';
import { useCan, useGet } from '../hooks.ts';
import { Link } from '../router.tsx';
import { DelayRiskList } from './ai/DelayRisk.tsx';
import { ReviewForm } from './ai/ReviewForm.tsx';
import { AiCost } from './ai/AiCost.tsx';
import { routed, share, usd, type Recommendation } from './ai/types.ts';

interface Page {
  recommendations: Recommendation[];
  nextCursor: string | null;
}

export function AiRecommendationsScreen() {
  const [changed, setChanged] = useState(0);
  return (
    <>
      <div className="page-head">
        <h1>AI recommendations</h1>
      </div>
      <ReviewTasks onDecided={() => setChanged((n) => n + 1)} />
      <DelayRiskList />
      <AiCost />
      <RecommendationLog changed={changed} onDecided={() => setChanged((n) => n + 1)} />
    </>
  );
}

/** Recommendations the gate left for a person: the answer, its reasons, and the decision form. */
function ReviewTasks({ onDecided }: { onDecided: () => void }) {
  const tasks = useGet<Page>(`/ai/recommendations${qs({ reviewStatus: 'pending', limit: 50 })}`);
  const works = useCan()('exceptions:operate');
  const waiting = tasks.data?.recommendations ?? [];
  // The newest 50 are shown; more wait when the API says another page follows.
  const count = tasks.data ? `${waiting.length}${tasks.data.nextCursor ? '+' : ''}` : '…';
  return (
    <Section title={`Review tasks: ${count} waiting`}>
      <ErrorNote error={tasks.error} />
      {tasks.loading && !tasks.data && <Loading what="review tasks" />}
      {tasks.data && waiting.length === 0 && <Empty>No recommendation waits for a review.</Empty>}
      {waiting.map((r) => (
        <article
          key={r.id}
          className="panel"
          aria-label={`Review task ${r.id}`}
          data-recommendation={r.id}
        >
          <h3>
            {r.caseId ? <Link to={`/exceptions/${r.caseId}`}>Case {r.caseId}</Link> : 'No case'}:{' '}
            {routed(r.answer)}
          </h3>
          <dl className="facts">
            <dt>Confidence</dt>
            <dd>
              {share(r.confidence)}{' '}
              <span className="muted">below the threshold {share(r.threshold)}</span>
            </dd>
            <dt>Why</dt>
            <dd>{r.answer?.reason || '—'}</dd>
            <dt>Suggested action</dt>
            <dd>{r.answer?.action || '—'}</dd>
            <dt>Model</dt>
            <dd>
              {r.answeredModel ?? r.model} · {formatTime(r.createdAt)}
            </dd>
          </dl>
          {works ? (
            <ReviewForm
              r={r}
              onDone={() => {
                tasks.reload();
                onDecided();
              }}
            />
          ) : (
            <p className="muted">Deciding needs the exceptions:operate permission.</p>
          )}
        </article>
      ))}
    </Section>
  );
}

/**
 * `changed` counts the decisions made on this page: the log is read again after each. A
 * triage the gate applied can be overridden from its row (`exceptions:operate`).
 */
function RecommendationLog({ changed, onDecided }: { changed: number; onDecided: () => void }) {
  const [filters, setFilters] = useState({ use: '', outcome: '', reviewStatus: '' });
  const [cursors, setCursors] = useState<string[]>([]);
  const ids = { use: useId(), outcome: useId(), reviewStatus: useId() };
  const list = useGet<Page>(
    `/ai/recommendations${qs({ ...filters, limit: 50, cursor: cursors.at(-1) })}`,
  );
  const { reload } = list;
  const works = useCan()('exceptions:operate');
  useEffect(() => {
    if (changed > 0) reload();
  }, [changed, reload]);
  const set = (k: keyof typeof filters) => (v: string) => {
    setFilters((f) => ({ ...f, [k]: v }));
    setCursors([]);
  };
  const select = (k: 'outcome' | 'reviewStatus', label: string, options: string[]) => (
    <div className="inline-field">
      <label htmlFor={ids[k]}>{label}</label>
      <select id={ids[k]} value={filters[k]} onChange={(e) => set(k)(e.target.value)}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o}>{o}</option>
        ))}
      </select>
    </div>
  );
  return (
    <Section
      title="Recommendation log"
      actions={
        <div className="filters">
          <div className="inline-field">
            <label htmlFor={ids.use}>Use</label>
            <input
              id={ids.use}
              size={16}
              value={filters.use}
              onChange={(e) => set('use')(e.target.value)}
            />
          </div>
          {select('outcome', 'Outcome', ['applied', 'review', 'fallback'])}
          {select('reviewStatus', 'Review', ['pending', 'accepted', 'overridden'])}
        </div>
      }
    >
      <ErrorNote error={list.error} />
      {list.loading && !list.data && <Loading what="recommendations" />}
      {list.data && list.data.recommendations.length === 0 && (
        <Empty>No recommendation matches.</Empty>
      )}
      {list.data && list.data.recommendations.length > 0 && (
        <table className="table" aria-label="AI recommendations" aria-busy={list.loading}>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Use · model</th>
              <th scope="col">About</th>
              <th scope="col">Answer</th>
              <th scope="col">Confidence / threshold</th>
              <th scope="col">Outcome</th>
              <th scope="col">Latency · tokens · cost</th>
              <th scope="col">Finally done</th>
            </tr>
          </thead>
          <tbody>
            {list.data.recommendations.map((r) => (
              <LogRow key={r.id} r={r} works={works} onDecided={onDecided} />
            ))}
          </tbody>
        </table>
      )}
      <CursorPages cursors={cursors} setCursors={setCursors} next={list.data?.nextCursor} />
    </Section>
  );
}

function LogRow({
  r,
  works,
  onDecided,
}: {
  r: Recommendation;
  works: boolean;
  onDecided: () => void;
}) {
  // A triage the gate acted on that no person decided yet: a person may override it.
  const overridable =
    works && r.outcome === 'applied' && r.reviewStatus === null && !!r.prompt?.categories;
  const tokens =
    r.tokens.prompt === null && r.tokens.completion === null
      ? 'no tokens'
      : `${r.tokens.prompt ?? 0} + ${r.tokens.completion ?? 0} tokens`;
  return (
    <tr data-recommendation={r.id}>
      <td>{formatTime(r.createdAt)}</td>
      <td>
        {r.use}
        <div className="muted small">{r.answeredModel ?? r.model}</div>
      </td>
      <td>
        {r.caseId ? <Link to={`/exceptions/${r.caseId}`}>case {r.caseId}</Link> : '—'}
        {r.runId && (
          <div className="small">
            <Link to={`/runs/${r.runId}`}>run {r.runId}</Link>
          </div>
        )}
      </td>
      <td data-col="answer">
        {r.use === 'delay_risk' ? riskOf(r.answer) : routed(r.answer)}
        {r.answer?.reason && <div className="muted small">{r.answer.reason}</div>}
      </td>
      <td data-col="confidence">
        {share(r.confidence)} / {share(r.threshold)}
      </td>
      <td data-col="outcome">
        <Status value={r.outcome} />
        {r.errorCode && <div className="small bad">{r.errorCode}</div>}
      </td>
      <td>
        {r.latencyMs} ms
        <div className="muted small">
          {tokens}, {r.attempts} attempt{r.attempts === 1 ? '' : 's'}
        </div>
        <div className="small" data-col="cost">
          {usd(r.costUsd)}
        </div>
      </td>
      <td data-col="final">
        {r.reviewStatus === 'pending' ? (
          <Status value="pending" />
        ) : (
          <>
            {r.use === 'delay_risk' ? (r.final ? 'flagged for operations' : '—') : routed(r.final)}
            {r.final?.severity && `, severity ${r.final.severity}`}
            {r.reviewStatus && (
              <>
                {' '}
                <Status value={r.reviewStatus} />
              </>
            )}
            <div className="muted small">
              {r.decidedBy
                ? `by ${r.decidedBy}`
                : r.use === 'delay_risk'
                  ? 'nothing: on the list'
                  : 'nothing: the default owner'}
              {r.decisionReason && `: ${r.decisionReason}`}
            </div>
            {overridable && (
              <details className="override">
                <summary>Override the gate</summary>
                <ReviewForm r={r} applied onDone={onDecided} />
              </details>
            )}
          </>
        )}
      </td>
    </tr>
  );
}

/** A delay-risk score in the log: the delivery and its risk ("WH/OUT/00012: 72 % late"). */
function riskOf(answer: Recommendation['answer']) {
  const a = answer as { picking?: string; risk?: number | null } | null;
  if (!a) return '—';
  return `${a.picking ?? '—'}: ${a.risk === null || a.risk === undefined ? 'abstains' : `${Math.round(a.risk * 100)} % late`}`;
}

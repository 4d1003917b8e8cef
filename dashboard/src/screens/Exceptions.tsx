import { useEffect, useId, useState } from 'react';
import { ApiError, qs } from '../api.ts';
import { CaseTimeline, type CaseHistoryEntry } from '../components/CaseTimeline.tsx';
import { IntakeConflicts } from '../components/IntakeConflicts.tsx';
import { ReconcileFindings } from '../components/ReconcileFindings.tsx';
import {
  CursorPages,
  Empty,
  ErrorNote,
  Json,
  Loading,
  Section,
  Status,
} from '../components/ui.tsx';
import { formatDuration, formatTime } from '../format.ts';
import { useCan, useGet } from '../hooks.ts';
import { Link } from '../router.tsx';
import type { ActionInput } from './ActionForm.tsx';
import { CaseActions, Reopen, useAction } from './CaseActions.tsx';

export interface CaseView {
  id: string;
  type: string;
  status: string;
  severity: string;
  title: string | null;
  workflowId: string | null;
  runId: string | null;
  stepId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  subject: { model?: string; id?: string | number; name?: string } | null;
  owner: { team: string | null; userId: string | null };
  openedAt: string;
  dueAt: string | null;
  ageMs: number;
  slaBreached: boolean;
  closedAt: string | null;
  reasonCode: string | null;
  /** What the case offers now besides resolve / assign / comment: retry and replay, or its workflow's business actions. */
  actions: string[];
}
export interface CaseDetail extends CaseView {
  history: CaseHistoryEntry[];
  run: { id: string; status: string; input: unknown } | null;
  failedStep: { id: string; input: unknown; error: unknown; attempts: number } | null;
  /** The fields each offered action asks for (book_by_hand: carrier, tracking_ref, note). */
  actionInputs?: Record<string, ActionInput[]>;
}
interface Group {
  key: string;
  workflowId: string;
  stepId: string | null;
  errorCode: string | null;
  count: number;
  /** How many have a failed run to retry. */
  retryable: number;
  oldestOpenedAt: string;
  sampleMessage: string | null;
}

/** The age filter's choices: hours (the API's olderThanHours) and how they read. */
const AGES: [string, string][] = [
  ['', 'any age'],
  ['1', '1 hour'],
  ['4', '4 hours'],
  ['24', '1 day'],
  ['72', '3 days'],
  ['168', '1 week'],
];

const notThere = (e: unknown) =>
  e instanceof ApiError && e.status === 404 && e.code === 'ROUTE_NOT_FOUND';

export function ExceptionsScreen({ selected }: { selected: string | null }) {
  const [filters, setFilters] = useState({
    status: 'open',
    type: '',
    severity: '',
    owner: '',
    workflow: '',
    code: '',
    olderThanHours: '',
  });
  const [cursors, setCursors] = useState<string[]>([]);
  const list = useGet<{ cases: CaseView[]; nextCursor: string | null }>(
    `/exceptions${qs({ ...filters, limit: 50, cursor: cursors.at(-1) })}`,
  );
  const groups = useGet<{ groups: Group[] }>('/exceptions/groups');
  const works = useCan()('exceptions:operate');
  const bulk = useAction(() => (list.reload(), groups.reload()));
  const ids = {
    status: useId(),
    type: useId(),
    severity: useId(),
    owner: useId(),
    workflow: useId(),
    code: useId(),
    olderThanHours: useId(),
  };
  const set = (k: keyof typeof filters) => (v: string) => {
    setFilters((f) => ({ ...f, [k]: v }));
    setCursors([]);
  };
  if (notThere(list.error)) {
    return (
      <>
        <h1>Exceptions</h1>
        <Empty>The exception queue API is not available on this server yet.</Empty>
      </>
    );
  }
  const select = (k: keyof typeof filters, label: string, options: string[]) => (
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
  const text = (k: keyof typeof filters, label: string) => (
    <div className="inline-field">
      <label htmlFor={ids[k]}>{label}</label>
      <input id={ids[k]} size={12} value={filters[k]} onChange={(e) => set(k)(e.target.value)} />
    </div>
  );
  return (
    <>
      <div className="page-head">
        <h1>Exceptions</h1>
      </div>
      <Section title="Root causes (open cases grouped by workflow, step and error code)">
        <ErrorNote error={groups.error ?? bulk.error} />
        {groups.data && groups.data.groups.length === 0 && <Empty>No open cases.</Empty>}
        {groups.data && groups.data.groups.length > 0 && (
          <ul className="groups" aria-label="Root-cause groups">
            {groups.data.groups.map((g) => (
              <li key={g.key}>
                <button
                  type="button"
                  className="linkish"
                  onClick={() =>
                    setFilters((f) => ({
                      ...f,
                      status: 'open',
                      workflow: g.workflowId,
                      code: g.errorCode ?? '',
                    }))
                  }
                >
                  <strong>{g.count}</strong> × {g.workflowId} / {g.stepId ?? '—'} /{' '}
                  {g.errorCode ?? 'no code'}
                </button>
                <span className="muted small">
                  {' '}
                  oldest {formatTime(g.oldestOpenedAt)} · {g.sampleMessage}
                </span>{' '}
                {works && g.retryable > 0 && (
                  <button
                    type="button"
                    className="secondary small"
                    disabled={bulk.busy}
                    onClick={() => bulk.run('/exceptions/bulk', { action: 'retry', group: g.key })}
                  >
                    Retry all {g.retryable}
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </Section>
      <IntakeConflicts />
      <ReconcileFindings />
      <div className="split">
        <Section
          title="Cases"
          actions={
            <div className="filters">
              {select('status', 'Status', ['open', 'retrying', 'resolved', 'replayed'])}
              {select('type', 'Type', [
                'dead_letter',
                'odoo_refusal',
                'raised',
                'check',
                'event_conflict',
                'event_order',
              ])}
              {select('severity', 'Severity', ['low', 'medium', 'high', 'critical'])}
              <div className="inline-field">
                <label htmlFor={ids.olderThanHours}>Open longer than</label>
                <select
                  id={ids.olderThanHours}
                  value={filters.olderThanHours}
                  onChange={(e) => set('olderThanHours')(e.target.value)}
                >
                  {AGES.map(([hours, label]) => (
                    <option key={hours} value={hours}>
                      {label}
                    </option>
                  ))}
                </select>
              </div>
              {text('owner', 'Owner')}
              {text('workflow', 'Workflow')}
              {text('code', 'Error code')}
            </div>
          }
        >
          <ErrorNote error={list.error} />
          {list.loading && !list.data && <Loading what="cases" />}
          {list.data && list.data.cases.length === 0 && <Empty>No cases match.</Empty>}
          {list.data && list.data.cases.length > 0 && (
            <table className="table" aria-label="Exception cases" aria-busy={list.loading}>
              <thead>
                <tr>
                  <th scope="col">Case</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Status</th>
                  <th scope="col">Age</th>
                  <th scope="col">Owner</th>
                </tr>
              </thead>
              <tbody>
                {list.data.cases.map((c) => (
                  <tr
                    key={c.id}
                    data-case={c.id}
                    className={c.id === selected ? 'selected' : undefined}
                  >
                    <td>
                      <Link to={`/exceptions/${c.id}`}>{c.title ?? `Case ${c.id}`}</Link>
                      <div className="muted small">
                        {c.errorCode ?? c.type} · run {c.runId ?? '—'}
                      </div>
                    </td>
                    <td>
                      <span className={`badge sev-${c.severity}`}>{c.severity}</span>
                    </td>
                    <td>
                      <Status value={c.status} />
                    </td>
                    <td className={c.slaBreached ? 'bad' : undefined}>{formatDuration(c.ageMs)}</td>
                    <td>{c.owner.team ?? c.owner.userId ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <CursorPages cursors={cursors} setCursors={setCursors} next={list.data?.nextCursor} />
        </Section>
        {selected ? (
          <CasePanel id={selected} onChanged={() => (list.reload(), groups.reload())} />
        ) : (
          <Section title="Case">
            {<Empty>Choose a case to see its failed step, history and actions.</Empty>}
          </Section>
        )}
      </div>
    </>
  );
}

function CasePanel({ id, onChanged }: { id: string; onChanged: () => void }) {
  const detail = useGet<CaseDetail>(`/exceptions/${id}`);
  const works = useCan()('exceptions:operate');
  const c = detail.data;
  // A retried or replayed case waits for its run; follow it until it settles (one request a second).
  useEffect(() => {
    if (c?.status !== 'retrying') return;
    const timer = setTimeout(detail.reload, 1000);
    return () => clearTimeout(timer);
  }, [c, detail.reload]);
  const done = () => {
    detail.reload();
    onChanged();
  };
  return (
    <Section title={c ? (c.title ?? `Case ${c.id}`) : 'Case'}>
      <ErrorNote error={detail.error} />
      {!c && detail.loading && <Loading what="the case" />}
      {c && (
        <div className="detail" data-case-detail={c.id} data-case-status={c.status}>
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              <Status value={c.status} /> {c.reasonCode && <code>{c.reasonCode}</code>}
            </dd>
            <dt>Severity</dt>
            <dd>{c.severity}</dd>
            {c.errorMessage ? (
              <>
                <dt>Error</dt>
                <dd className="bad">
                  {c.errorCode}: {c.errorMessage}
                </dd>
              </>
            ) : (
              c.errorCode && (
                <>
                  <dt>Code</dt>
                  <dd>
                    <code>{c.errorCode}</code>
                  </dd>
                </>
              )
            )}
            <dt>Run</dt>
            <dd>
              {c.run ? <Link to={`/runs/${c.run.id}`}>run {c.run.id}</Link> : '—'}{' '}
              {c.run && <Status value={c.run.status} />}
            </dd>
            <dt>Opened</dt>
            <dd>
              {formatTime(c.openedAt)} (due {formatTime(c.dueAt)})
              {c.slaBreached && <span className="badge badge-failed">SLA breached</span>}
            </dd>
            <dt>Owner</dt>
            <dd>
              {[c.owner.team, c.owner.userId && `user ${c.owner.userId}`]
                .filter(Boolean)
                .join(', ') || 'nobody'}
            </dd>
          </dl>
          {c.failedStep && (
            <>
              <h3>Failed step: {c.failedStep.id}</h3>
              <p className="muted">{c.failedStep.attempts} attempt(s)</p>
              <Json value={c.failedStep.error} label="Failed step error" />
            </>
          )}
          {works && !c.closedAt && <CaseActions c={c} onDone={done} />}
          {works && c.closedAt && <Reopen id={c.id} onDone={done} />}
          <h3>History</h3>
          <CaseTimeline history={c.history} />
        </div>
      )}
    </Section>
  );
}

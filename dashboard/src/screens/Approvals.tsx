import { useEffect, useState } from 'react';
import { Empty, ErrorNote, Loading, Section, Status } from '../components/ui.tsx';
import { countdown, formatTime } from '../format.ts';
import { useCan, useGet, useNow } from '../hooks.ts';
import { Link } from '../router.tsx';
import { PolicyWhy } from '../components/PolicyWhy.tsx';
import { DecisionForm } from './DecisionForm.tsx';
import { BulkApproveBar, BulkCheckbox, SelectAllLike, useBulkSelection } from './BulkApproval.tsx';

interface Assignee {
  userId: string;
  email: string;
  name: string | null;
  via: string;
}
export interface Approval {
  id: string;
  runId: string;
  workflowId: string;
  subject: { model: string; id: string | number; name?: string };
  summary: string;
  policy: unknown;
  requester: string | null;
  status: string;
  level: {
    index: number;
    name: string;
    required: number | 'all';
    slaHours: number;
    /** Each decision needs a code from the decider's authenticator (TOTP). */
    stepUp?: boolean;
    startedAt: string;
    dueAt: string | null;
    assignees: Assignee[];
  };
  levels: string[];
  escalations: number;
  breached: boolean;
  createdAt: string;
  decidedAt: string | null;
  decisionReason: string | null;
  /** Identical requests (may be approved together) share it; null when this one may not be. */
  bulkGroup: string | null;
}
interface ApprovalAction {
  at: string;
  level: number;
  action: string;
  actor: string;
  onBehalfOf: string | null;
  via: string;
  reason: string | null;
}
type ApprovalDetail = Approval & { runStatus: string; actions: ApprovalAction[] };

const subjectText = (s: Approval['subject']) => `${s.model} ${s.name ?? `#${s.id}`}`;
/** Requests per page of the inbox; the server sorts by deadline and counts them all. */
const PAGE = 100;
const byDeadline = (a: Approval, b: Approval) =>
  (a.level.dueAt ?? '9999').localeCompare(b.level.dueAt ?? '9999');

export function ApprovalsScreen({ selected }: { selected: string | null }) {
  const can = useCan();
  const decides = can('approvals:decide');
  // The inbox opens on what the role can act on, or else oversee: a person who decides opens
  // on "Waiting for me" when something waits for them, everyone else (and a decider with an
  // empty inbox) on every pending request. A choice made by hand stays.
  const [chosen, setChosen] = useState<'mine' | 'all' | null>(null);
  const mineCount = useGet<{ total: number }>(
    decides ? '/approvals?status=pending&mine=true&limit=1' : null,
  );
  const allCount = useGet<{ total: number }>('/approvals?status=pending&limit=1');
  const scope =
    chosen ??
    (!decides
      ? 'all'
      : mineCount.data
        ? mineCount.data.total > 0
          ? 'mine'
          : 'all'
        : mineCount.error
          ? 'all'
          : null);
  const [offset, setOffset] = useState(0);
  const list = useGet<{ approvals: Approval[]; total: number }>(
    scope === null
      ? null
      : `/approvals?status=pending&limit=${PAGE}&offset=${offset}${scope === 'mine' ? '&mine=true' : ''}`,
  );
  const total = list.data?.total ?? 0;
  // Decisions shrink the list: a page past its end goes back to the last page there is.
  useEffect(() => {
    if (list.data && offset > 0 && offset >= list.data.total)
      setOffset(Math.max(0, Math.floor((list.data.total - 1) / PAGE) * PAGE));
  }, [list.data, offset]);
  const now = useNow();
  const rows = [...(list.data?.approvals ?? [])].sort(byDeadline);
  const selection = useBulkSelection(rows);
  // Bulk decisions change requests the detail panel may show: it loads again after each.
  const [round, setRound] = useState(0);
  const bulkColumn = decides && rows.some((a) => a.bulkGroup !== null);
  const choose = (next: 'mine' | 'all') => (setChosen(next), setOffset(0), selection.clear());
  const counted = (loaded: { data: { total: number } | null }) =>
    loaded.data ? ` (${loaded.data.total})` : '';
  const turn = (to: number) => (setOffset(to), selection.clear());
  /** After a decision: the list and both counts change. */
  const reload = () => (list.reload(), mineCount.reload(), allCount.reload());
  return (
    <>
      <div className="page-head">
        <h1>Approvals</h1>
        <div className="segmented" role="group" aria-label="Which requests">
          {decides && (
            <button type="button" aria-pressed={scope === 'mine'} onClick={() => choose('mine')}>
              Waiting for me{counted(mineCount)}
            </button>
          )}
          <button type="button" aria-pressed={scope === 'all'} onClick={() => choose('all')}>
            All pending{counted(allCount)}
          </button>
        </div>
      </div>
      <div className="split">
        <Section title={scope === 'mine' ? 'Waiting for me' : 'All pending requests'}>
          <ErrorNote error={list.error} />
          {list.loading && !list.data && <Loading what="the inbox" />}
          {scope === 'all' && chosen === null && mineCount.data?.total === 0 && (
            <p className="muted small" data-inbox-note>
              Nothing waits for your decision: these are the requests waiting for others.
            </p>
          )}
          {list.data && rows.length === 0 && (
            <Empty>Nothing is waiting{scope === 'mine' ? ' for you' : ''}.</Empty>
          )}
          {rows.length > 0 && (
            <p className="muted small" data-inbox-range>
              {total > rows.length
                ? `Requests ${offset + 1}–${offset + rows.length} of ${total}`
                : `${total} request${total === 1 ? '' : 's'}`}
              , soonest deadline first
            </p>
          )}
          {decides && (
            <BulkApproveBar
              selection={selection}
              rows={rows}
              onDone={() => (reload(), setRound((r) => r + 1))}
            />
          )}
          {rows.length > 0 && (
            <table
              className="table"
              aria-label="Pending approval requests"
              aria-busy={list.loading}
            >
              <thead>
                <tr>
                  {bulkColumn && (
                    <th scope="col" className="select-cell">
                      <span className="sr-only">Select for bulk approval</span>
                    </th>
                  )}
                  <th scope="col">Request</th>
                  <th scope="col">Level</th>
                  <th scope="col">Deadline</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((a) => {
                  const due = countdown(a.level.dueAt, now);
                  return (
                    <tr
                      key={a.id}
                      className={a.id === selected ? 'selected' : undefined}
                      data-approval={a.id}
                    >
                      {bulkColumn && (
                        <td className="select-cell">
                          <BulkCheckbox a={a} selection={selection} />
                        </td>
                      )}
                      <td>
                        <Link to={`/approvals/${a.id}`}>{a.summary}</Link>
                        <div className="muted small">
                          {subjectText(a.subject)} · {a.workflowId} · run {a.runId}
                        </div>
                        {decides && <SelectAllLike a={a} selection={selection} />}
                      </td>
                      <td>
                        {a.level.name} ({a.level.index + 1}/{a.levels.length})
                      </td>
                      <td className={due.overdue || a.breached ? 'bad' : undefined}>
                        <span className="countdown">{due.text}</span>
                        <div className="muted small">{formatTime(a.level.dueAt)}</div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          {total > PAGE && (
            <div className="actions">
              <button
                type="button"
                className="secondary"
                disabled={offset === 0}
                onClick={() => turn(Math.max(0, offset - PAGE))}
              >
                Sooner deadlines
              </button>
              <button
                type="button"
                className="secondary"
                disabled={offset + PAGE >= total}
                onClick={() => turn(offset + PAGE)}
              >
                Later deadlines
              </button>
            </div>
          )}
        </Section>
        {selected ? (
          <ApprovalDetailPanel key={`${selected}:${round}`} id={selected} onDecided={reload} />
        ) : (
          <Section title="Request">
            {<Empty>Choose a request to see why it was asked and to decide.</Empty>}
          </Section>
        )}
      </div>
    </>
  );
}

function ApprovalDetailPanel({ id, onDecided }: { id: string; onDecided: () => void }) {
  const detail = useGet<ApprovalDetail>(`/approvals/${id}`);
  const can = useCan();
  const now = useNow();
  const a = detail.data;
  return (
    <Section title={a ? a.summary : 'Request'}>
      <ErrorNote error={detail.error} />
      {!a && detail.loading && <Loading what="the request" />}
      {a && (
        <div className="detail" data-approval-detail={a.id}>
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              <Status value={a.status} />{' '}
              {a.breached && <span className="badge badge-failed">SLA breached</span>}
            </dd>
            <dt>Subject</dt>
            <dd>{subjectText(a.subject)}</dd>
            <dt>Requested by</dt>
            <dd>{a.requester ?? '—'}</dd>
            <dt>Run</dt>
            <dd>
              <Link to={`/runs/${a.runId}`}>
                run {a.runId} ({a.workflowId})
              </Link>{' '}
              <Status value={a.runStatus} />
            </dd>
            <dt>Level</dt>
            <dd>
              {a.levels.map((name, i) => (
                <span
                  key={name}
                  className={`chain-step${i === a.level.index ? ' current' : i < a.level.index ? ' done' : ''}`}
                >
                  {name}
                </span>
              ))}
            </dd>
            <dt>Approvers</dt>
            <dd>
              {a.level.assignees.map((p) => p.name ?? p.email).join(', ') || '—'} (needs{' '}
              {a.level.required === 'all' ? 'all' : a.level.required})
              {a.level.stepUp && (
                <span className="badge" title="Each decision needs a code from your authenticator">
                  second factor
                </span>
              )}
            </dd>
            <dt>Deadline</dt>
            <dd>
              {a.status === 'pending' ? countdown(a.level.dueAt, now).text : '—'} (
              {formatTime(a.level.dueAt)}, SLA {a.level.slaHours} h)
            </dd>
            {a.decisionReason && (
              <>
                <dt>Reason</dt>
                <dd>{a.decisionReason}</dd>
              </>
            )}
          </dl>
          <h3>Why (the policy decision)</h3>
          <PolicyWhy value={a.policy} />
          {a.status === 'pending' && can('approvals:decide') && (
            <DecisionForm
              id={a.id}
              stepUp={a.level.stepUp === true}
              onDone={() => (detail.reload(), onDecided())}
              onRefused={() => detail.reload()}
            />
          )}
          <h3>History</h3>
          {a.actions.length === 0 ? (
            <p className="muted">No actions yet.</p>
          ) : (
            <ol className="history" aria-label="Request history">
              {a.actions.map((h, i) => (
                <li key={i}>
                  <time dateTime={h.at}>{formatTime(h.at)}</time> <strong>{h.action}</strong> by{' '}
                  {h.actor}
                  {h.onBehalfOf ? ` for ${h.onBehalfOf}` : ''} via {h.via}
                  {h.reason ? <q>{h.reason}</q> : null}
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </Section>
  );
}

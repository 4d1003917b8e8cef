import { useId, useState, type FormEvent } from 'react';
import { get, qs } from '../api.ts';
import { Empty, ErrorNote, Loading, Section } from '../components/ui.tsx';
import { formatTime } from '../format.ts';
import { useGet } from '../hooks.ts';

interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  requestId: string | null;
  hash: string;
}
interface AuditPage {
  order: Order;
  entries: AuditEntry[];
  /** Pass as `before` for older entries; null when there are none. */
  older: number | null;
  /** Pass as `after` for newer entries; null when there are none. */
  newer: number | null;
}
type Verify =
  | { ok: true; entries: number; headHash: string }
  | { ok: false; entries: number; seq: number; problem: string };
type Order = 'desc' | 'asc';
type Cursor = { after: number } | { before: number } | null;

interface Filter {
  action: string;
  actor: string;
  target: string;
  /** datetime-local values (the browser's time zone); sent as ISO times. */
  from: string;
  to: string;
}
const NO_FILTER: Filter = { action: '', actor: '', target: '', from: '', to: '' };
const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function AuditScreen() {
  const [filter, setFilter] = useState(NO_FILTER);
  const [draft, setDraft] = useState(filter);
  const [order, setOrder] = useState<Order>('desc');
  const [cursor, setCursor] = useState<Cursor>(null);
  const path = `/audit${qs({ action: filter.action, actor: filter.actor, target: filter.target, from: iso(filter.from), to: iso(filter.to), order, limit: 50, ...(cursor ?? {}) })}`;
  const log = useGet<AuditPage>(path);
  const [verify, setVerify] = useState<{ result?: Verify; error?: unknown; busy: boolean }>({
    busy: false,
  });
  const ids = { action: useId(), actor: useId(), target: useId(), from: useId(), to: useId() };
  const search = (e: FormEvent) => {
    e.preventDefault();
    setFilter(draft);
    setCursor(null);
  };
  const reorder = (next: Order) => {
    setOrder(next);
    setCursor(null);
  };
  const check = async () => {
    setVerify({ busy: true });
    try {
      setVerify({ busy: false, result: await get<Verify>('/audit/verify') });
    } catch (error) {
      setVerify({ busy: false, error });
    }
  };
  const field = (key: keyof Filter) => ({
    value: draft[key],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value }),
  });
  const page = log.data;
  const newer = page?.newer != null && (
    <button type="button" className="secondary" onClick={() => setCursor({ after: page.newer! })}>
      Newer entries
    </button>
  );
  const older = page?.older != null && (
    <button type="button" className="secondary" onClick={() => setCursor({ before: page.older! })}>
      Older entries
    </button>
  );
  return (
    <>
      <div className="page-head">
        <h1>Audit log</h1>
        <div className="inline-field">
          <button type="button" onClick={check} disabled={verify.busy}>
            {verify.busy ? 'Verifying…' : 'Verify the hash chain'}
          </button>
        </div>
      </div>
      <ErrorNote error={verify.error} />
      {verify.result && (
        <p
          className={verify.result.ok ? 'verify ok' : 'verify bad'}
          role="status"
          data-verify={verify.result.ok ? 'ok' : 'broken'}
        >
          {verify.result.ok
            ? `Chain intact: ${verify.result.entries} entries, head ${verify.result.headHash.slice(0, 16)}…`
            : `Chain broken at entry ${verify.result.seq}: ${verify.result.problem}`}
        </p>
      )}
      <form
        className="filters audit-search"
        onSubmit={search}
        role="search"
        aria-label="Search the audit log"
      >
        <div className="inline-field">
          <label htmlFor={ids.action}>Action (or prefix)</label>
          <input id={ids.action} size={14} {...field('action')} placeholder="run" />
        </div>
        <div className="inline-field">
          <label htmlFor={ids.actor}>Actor contains</label>
          <input id={ids.actor} size={18} {...field('actor')} placeholder="ana@" />
        </div>
        <div className="inline-field">
          <label htmlFor={ids.target}>Target</label>
          <input
            id={ids.target}
            size={16}
            {...field('target')}
            placeholder="run: or approval:12"
            title='Exact ("approval:12"), or a prefix ending in ":" or "*" ("run:")'
          />
        </div>
        <div className="inline-field">
          <label htmlFor={ids.from}>From</label>
          <input id={ids.from} type="datetime-local" step={1} {...field('from')} />
        </div>
        <div className="inline-field">
          <label htmlFor={ids.to}>To</label>
          <input id={ids.to} type="datetime-local" step={1} {...field('to')} />
        </div>
        <button type="submit" className="secondary small">
          Search
        </button>
        <button
          type="button"
          className="linkish small"
          onClick={() => (setDraft(NO_FILTER), setFilter(NO_FILTER), setCursor(null))}
        >
          Clear
        </button>
      </form>
      <Section
        title={order === 'desc' ? 'Entries, newest first' : 'Entries, oldest first'}
        actions={
          <div className="segmented" role="group" aria-label="Order">
            <button
              type="button"
              className="small"
              aria-pressed={order === 'desc'}
              onClick={() => reorder('desc')}
            >
              Newest first
            </button>
            <button
              type="button"
              className="small"
              aria-pressed={order === 'asc'}
              onClick={() => reorder('asc')}
            >
              Oldest first
            </button>
          </div>
        }
      >
        <ErrorNote error={log.error} />
        {log.loading && !page && <Loading what="the audit log" />}
        {page && page.entries.length === 0 && <Empty>No entries match.</Empty>}
        {page && page.entries.length > 0 && (
          <table
            className="table"
            aria-label="Audit entries"
            aria-busy={log.loading}
            data-order={page.order}
          >
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {page.entries.map((e) => (
                <tr key={e.seq} data-seq={e.seq}>
                  <td>{e.seq}</td>
                  <td className="small">
                    <time dateTime={e.at}>{formatTime(e.at)}</time>
                  </td>
                  <td className="small">{e.actor}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td className="small">{e.target ?? '—'}</td>
                  <td className="small details-cell">
                    <EntryDetails entry={e} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {(newer || older) && (
          <div className="actions">
            {order === 'desc' ? (
              <>
                {newer}
                {older}
              </>
            ) : (
              <>
                {older}
                {newer}
              </>
            )}
          </div>
        )}
      </Section>
    </>
  );
}

/** The details as name: value lines; nested values as compact JSON. */
function EntryDetails({ entry }: { entry: AuditEntry }) {
  const items = Object.entries(entry.details);
  return (
    <>
      {items.length > 0 && (
        <dl className="kv">
          {items.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>
                {v === null ? (
                  <span className="muted">none</span>
                ) : typeof v === 'object' ? (
                  <code>{JSON.stringify(v)}</code>
                ) : (
                  String(v)
                )}
              </dd>
            </div>
          ))}
        </dl>
      )}
      {entry.requestId && <div className="muted">request {entry.requestId}</div>}
    </>
  );
}

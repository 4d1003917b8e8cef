import { useEffect, useId, useState, type FormEvent } from 'react';
import { qs } from '../api.ts';
import { CursorPages, Empty, ErrorNote, Loading, Section, Status } from '../components/ui.tsx';
import { errorText, formatTime } from '../format.ts';
import { useGet } from '../hooks.ts';
import { Link, navigate } from '../router.tsx';

export interface RunSummary {
  id: string;
  workflowId: string;
  workflowVersion: string;
  status: string;
  eventId: string | null;
  cursor: string | null;
  createdAt: string;
  endedAt: string | null;
  error: unknown;
}

/** A datetime-local value (the browser's local time) as the API's ISO instant; empty stays empty. */
const isoOf = (local: string) => (local ? new Date(local).toISOString() : '');

const STATUSES = ['queued', 'ready', 'running', 'waiting', 'completed', 'failed', 'cancelled'];

/** Runs, newest first, filtered and paged by the server (cursor pagination: the list stays fast at any size). */
export function RunsScreen() {
  const [status, setStatus] = useState('');
  const [workflow, setWorkflow] = useState('');
  const [text, setText] = useState('');
  // The search asks the server once typing pauses, not at every key.
  const [q, setQ] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setQ(text.trim().length >= 2 ? text.trim() : ''), 250);
    return () => clearTimeout(timer);
  }, [text]);
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const [goTo, setGoTo] = useState('');
  const ids = {
    text: useId(),
    status: useId(),
    workflow: useId(),
    since: useId(),
    until: useId(),
    goTo: useId(),
  };
  const workflows = useGet<{ workflows: { id: string }[] }>('/workflows');
  const cursor = cursors.at(-1);
  const runs = useGet<{ runs: RunSummary[]; nextCursor: string | null }>(
    `/runs${qs({ q, status, workflow, since: isoOf(since), until: isoOf(until), limit: 50, cursor })}`,
  );
  const filter = (set: (v: string) => void) => (v: string) => {
    set(v);
    setCursors([]);
  };
  const open = (e: FormEvent) => {
    e.preventDefault();
    if (/^\d+$/.test(goTo.trim())) navigate(`/runs/${goTo.trim()}`);
  };
  return (
    <>
      <div className="page-head">
        <h1>Runs</h1>
        <form className="inline-field" onSubmit={open} role="search" aria-label="Open a run by id">
          <label htmlFor={ids.goTo}>Run id</label>
          <input
            id={ids.goTo}
            inputMode="numeric"
            pattern="\d+"
            size={8}
            value={goTo}
            onChange={(e) => setGoTo(e.target.value)}
          />
          <button type="submit" className="secondary small">
            Open
          </button>
        </form>
      </div>
      <Section
        title="Runs, newest first"
        actions={
          <div className="filters">
            <div className="inline-field">
              <label htmlFor={ids.text}>Input contains</label>
              <input
                id={ids.text}
                type="search"
                size={14}
                placeholder="S00042, WH/OUT/…"
                value={text}
                onChange={(e) => filter(setText)(e.target.value)}
              />
            </div>
            <div className="inline-field">
              <label htmlFor={ids.status}>Status</label>
              <select
                id={ids.status}
                value={status}
                onChange={(e) => filter(setStatus)(e.target.value)}
              >
                <option value="">any</option>
                {STATUSES.map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            </div>
            <div className="inline-field">
              <label htmlFor={ids.workflow}>Workflow</label>
              <select
                id={ids.workflow}
                value={workflow}
                onChange={(e) => filter(setWorkflow)(e.target.value)}
              >
                <option value="">any</option>
                {workflows.data?.workflows.map((w) => (
                  <option key={w.id}>{w.id}</option>
                ))}
              </select>
            </div>
            <div className="inline-field">
              <label htmlFor={ids.since}>Started from</label>
              <input
                id={ids.since}
                type="datetime-local"
                value={since}
                onChange={(e) => filter(setSince)(e.target.value)}
              />
            </div>
            <div className="inline-field">
              <label htmlFor={ids.until}>until</label>
              <input
                id={ids.until}
                type="datetime-local"
                value={until}
                onChange={(e) => filter(setUntil)(e.target.value)}
              />
            </div>
          </div>
        }
      >
        <ErrorNote error={runs.error} />
        {runs.loading && !runs.data && <Loading what="runs" />}
        {runs.data && runs.data.runs.length === 0 && <Empty>No runs match.</Empty>}
        {runs.data && runs.data.runs.length > 0 && (
          <table className="table" aria-label="Runs" aria-busy={runs.loading}>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Workflow</th>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
                <th scope="col">Ended</th>
                <th scope="col">At step / error</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.runs.map((r) => (
                <tr key={r.id} data-run={r.id}>
                  <td>
                    <Link to={`/runs/${r.id}`}>#{r.id}</Link>
                  </td>
                  <td>{r.workflowId}</td>
                  <td>
                    <Status value={r.status} />
                  </td>
                  <td>{formatTime(r.createdAt)}</td>
                  <td>{formatTime(r.endedAt)}</td>
                  <td className="small">
                    {r.error ? (
                      <span className="bad">{errorText(r.error)}</span>
                    ) : (
                      (r.cursor ?? '—')
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <CursorPages
          cursors={cursors}
          setCursors={setCursors}
          next={runs.data?.nextCursor}
          showPage
        />
      </Section>
    </>
  );
}

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
type Verify = { ok: true; entries: number; headHash: string } | { ok: false; entries: number; seq: number; problem: string };

export function AuditScreen() {
  const [filter, setFilter] = useState({ action: '', actor: '' });
  const [draft, setDraft] = useState(filter);
  const [after, setAfter] = useState<number[]>([]);
  const log = useGet<{ entries: AuditEntry[]; next: number | null }>(`/audit${qs({ action: filter.action, actor: filter.actor, after: after.at(-1), limit: 50 })}`);
  const [verify, setVerify] = useState<{ result?: Verify; error?: unknown; busy: boolean }>({ busy: false });
  const ids = { action: useId(), actor: useId() };
  const search = (e: FormEvent) => {
    e.preventDefault();
    setFilter(draft);
    setAfter([]);
  };
  const check = async () => {
    setVerify({ busy: true });
    try {
      setVerify({ busy: false, result: await get<Verify>('/audit/verify') });
    } catch (error) {
      setVerify({ busy: false, error });
    }
  };
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
        <p className={verify.result.ok ? 'verify ok' : 'verify bad'} role="status" data-verify={verify.result.ok ? 'ok' : 'broken'}>
          {verify.result.ok ? `Chain intact: ${verify.result.entries} entries, head ${verify.result.headHash.slice(0, 16)}…` : `Chain broken at entry ${verify.result.seq}: ${verify.result.problem}`}
        </p>
      )}
      <Section
        title="Entries, oldest first"
        actions={
          <form className="filters" onSubmit={search} role="search" aria-label="Search the audit log">
            <div className="inline-field">
              <label htmlFor={ids.action}>Action (or prefix)</label>
              <input id={ids.action} size={14} value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })} placeholder="run" />
            </div>
            <div className="inline-field">
              <label htmlFor={ids.actor}>Actor</label>
              <input id={ids.actor} size={24} value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })} />
            </div>
            <button type="submit" className="secondary small">
              Search
            </button>
          </form>
        }
      >
        <ErrorNote error={log.error} />
        {log.loading && !log.data && <Loading what="the audit log" />}
        {log.data && log.data.entries.length === 0 && <Empty>No entries match.</Empty>}
        {log.data && log.data.entries.length > 0 && (
          <table className="table" aria-label="Audit entries">
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
              {log.data.entries.map((e) => (
                <tr key={e.seq}>
                  <td>{e.seq}</td>
                  <td className="small">{formatTime(e.at)}</td>
                  <td className="small">{e.actor}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td className="small">{e.target ?? '—'}</td>
                  <td className="small details-cell">{Object.keys(e.details).length ? JSON.stringify(e.details) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {(after.length > 0 || log.data?.next != null) && (
          <div className="actions">
            <button type="button" className="secondary" disabled={after.length === 0} onClick={() => setAfter((a) => a.slice(0, -1))}>
              Earlier
            </button>
            <button type="button" className="secondary" disabled={log.data?.next == null} onClick={() => log.data?.next != null && setAfter((a) => [...a, log.data!.next!])}>
              Later
            </button>
          </div>
        )}
      </Section>
    </>
  );
}

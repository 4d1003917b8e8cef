import { useId, useState } from 'react';
import { post, qs } from '../api.ts';
import { CursorPages, Empty, ErrorNote, Loading, Section, Status } from '../components/ui.tsx';
import { formatTime } from '../format.ts';
import { useCan, useGet } from '../hooks.ts';

interface NotificationView {
  id: string;
  dedupeKey: string;
  channel: 'email' | 'chat';
  to: string[];
  subject: string;
  template: string | null;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastErrorCode: string | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

const STATUSES = ['pending', 'sending', 'sent', 'failed', 'dead'];

/**
 * The outbox: every e-mail and chat message Crossdock queued, newest first, with how its
 * delivery went. A failed or dead one (each also an exception case) can be sent again once
 * its cause is fixed.
 */
export function NotificationsScreen() {
  const [status, setStatus] = useState('');
  const [pages, setPages] = useState<string[]>([]);
  const statusId = useId();
  const list = useGet<{ notifications: NotificationView[]; next: string | null }>(
    `/notifications${qs({ status, before: pages.at(-1), limit: 50 })}`,
  );
  const operates = useCan()('exceptions:operate');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const resend = async (id: string) => {
    setError(null);
    setBusy(id);
    try {
      await post(`/notifications/${id}/resend`, {});
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  const rows = list.data?.notifications ?? [];
  return (
    <>
      <div className="page-head">
        <h1>Notifications</h1>
      </div>
      <Section
        title="Outbox, newest first"
        actions={
          <div className="filters">
            <div className="inline-field">
              <label htmlFor={statusId}>Status</label>
              <select
                id={statusId}
                value={status}
                onChange={(e) => (setStatus(e.target.value), setPages([]))}
              >
                <option value="">any</option>
                {STATUSES.map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            </div>
          </div>
        }
      >
        <ErrorNote error={list.error ?? error} />
        {list.loading && !list.data && <Loading what="the outbox" />}
        {list.data && rows.length === 0 && <Empty>No messages match.</Empty>}
        {rows.length > 0 && (
          <table className="table" aria-label="Notifications" aria-busy={list.loading}>
            <thead>
              <tr>
                <th scope="col">Message</th>
                <th scope="col">To</th>
                <th scope="col">Status</th>
                <th scope="col">Queued</th>
                <th scope="col">Sent / last error</th>
                {operates && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((n) => (
                <tr key={n.id} data-notification={n.id} data-status={n.status}>
                  <td>
                    {n.channel === 'email' ? n.subject || '(no subject)' : 'chat message'}
                    <div className="muted small">
                      #{n.id} · {n.channel}
                      {n.template ? ` · ${n.template}` : ''}
                    </div>
                  </td>
                  <td className="small">{n.to.join(', ')}</td>
                  <td>
                    <Status value={n.status} />{' '}
                    <span className="muted small">
                      {n.attempts} attempt{n.attempts === 1 ? '' : 's'}
                    </span>
                  </td>
                  <td className="small">{formatTime(n.createdAt)}</td>
                  <td className="small">
                    {n.sentAt
                      ? formatTime(n.sentAt)
                      : n.nextAttemptAt
                        ? `next attempt ${formatTime(n.nextAttemptAt)}`
                        : ''}
                    {n.lastError && (
                      <div className={n.status === 'sent' ? 'muted' : 'bad'}>
                        {n.lastErrorCode ? `${n.lastErrorCode}: ` : ''}
                        {n.lastError}
                      </div>
                    )}
                  </td>
                  {operates && (
                    <td>
                      {(n.status === 'failed' || n.status === 'dead') && (
                        <button
                          type="button"
                          className="secondary small"
                          disabled={busy !== null}
                          onClick={() => void resend(n.id)}
                          aria-label={`Send message ${n.id} again`}
                        >
                          Send again
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <CursorPages cursors={pages} setCursors={setPages} next={list.data?.next} showPage />
      </Section>
    </>
  );
}

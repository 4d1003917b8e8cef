import type { ReactNode } from 'react';
import { formatTime } from '../format.ts';

export interface CaseHistoryEntry {
  at: string;
  actor: string;
  action: string;
  details?: Record<string, unknown>;
}

/** "user:3 ana@example.com" reads as ana@example.com, the engine's own changes as Crossdock. */
export function actorText(actor: string): string {
  if (actor === 'engine' || actor === 'system') return 'Crossdock';
  const user = /^user:\d+ (.+)$/.exec(actor);
  if (user) return user[1]!;
  const token = /^token:\d+ (.+?) \(user:\d+ (.+)\)$/.exec(actor);
  if (token) return `${token[2]} (token ${token[1]})`;
  return actor;
}

const text = (v: unknown) => (typeof v === 'string' ? v : v == null ? '' : JSON.stringify(v));
/** `check_again` reads as "check again". */
const words = (v: unknown) => text(v).replace(/_/g, ' ');

/** What happened, as a sentence; the details that matter quoted after it. */
function describe(e: CaseHistoryEntry): { what: ReactNode; note?: string } {
  const d = e.details ?? {};
  const who = actorText(e.actor);
  switch (e.action) {
    case 'opened':
      return {
        what: (
          <>
            Opened by {who}
            {d.type ? ` as a ${d.severity ? `${text(d.severity)} ` : ''}${words(d.type)} case` : ''}
            {d.code ? (
              <>
                {' '}
                with code <code>{text(d.code)}</code>
              </>
            ) : null}
          </>
        ),
      };
    case 'assigned': {
      const to = [d.team && `team ${text(d.team)}`, d.userId && `user ${text(d.userId)}`]
        .filter(Boolean)
        .join(' and ');
      return {
        what: (
          <>
            {to ? `Assigned to ${to}` : 'Unassigned'} by {who}
          </>
        ),
      };
    }
    case 'commented':
      return { what: <>{who} commented</>, note: text(d.text) };
    case 'action':
      return {
        what: (
          <>
            {who} chose <strong>{words(d.action)}</strong>
            {d.carrier ? `: ${text(d.carrier)}, tracking ${text(d.tracking_ref)}` : ''}
            {d.run ? `, sent to run ${text(d.run)}` : ''}
          </>
        ),
        ...(d.note ? { note: text(d.note) } : {}),
      };
    case 'retried':
      return {
        what: (
          <>
            Retried from step {text(d.fromStep)} by {who}
          </>
        ),
      };
    case 'replayed':
      return {
        what: (
          <>
            Replayed from step {text(d.fromStep)}
            {d.inputReplaced ? ' with a corrected input' : ''} by {who}
          </>
        ),
      };
    case 'failed_again':
      return {
        what: (
          <>
            The run failed again
            {d.code ? (
              <>
                {' '}
                with code <code>{text(d.code)}</code>
              </>
            ) : null}
          </>
        ),
      };
    case 'resolved':
      return {
        what: (
          <>
            Resolved by {who}
            {d.reasonCode ? <> as {words(d.reasonCode)}</> : null}
          </>
        ),
        ...(d.note ? { note: text(d.note) } : {}),
      };
    case 'reopened':
      return {
        what: <>Reopened by {who}</>,
        ...(d.reason ? { note: text(d.reason) } : {}),
      };
    default:
      return {
        what: (
          <>
            {words(e.action)} by {who}
          </>
        ),
        ...(Object.keys(d).length > 0
          ? {
              note: Object.entries(d)
                .map(([k, v]) => `${k}: ${text(v)}`)
                .join(', '),
            }
          : {}),
      };
  }
}

/** A case's history as a timeline, oldest first: when, what happened and who did it. */
export function CaseTimeline({ history }: { history: CaseHistoryEntry[] }) {
  return (
    <ol className="timeline" aria-label="Case history">
      {history.map((e, i) => {
        const { what, note } = describe(e);
        return (
          <li key={i} data-history={e.action}>
            <time dateTime={e.at}>{formatTime(e.at)}</time>
            <div>
              {what}
              {note && <q>{note}</q>}
            </div>
          </li>
        );
      })}
    </ol>
  );
}

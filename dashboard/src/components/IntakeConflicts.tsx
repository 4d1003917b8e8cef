import { Empty, ErrorNote, Section } from './ui.tsx';
import { formatTime } from '../format.ts';
import { useCan, useGet } from '../hooks.ts';
import { Link } from '../router.tsx';

interface Conflict {
  id: string;
  eventId: string;
  source: string;
  key: string;
  door: string;
  deliveries: number;
  lastSeenAt: string;
  caseId: string | null;
}

/**
 * What the intake set aside instead of dropping: deliveries that reused an event key with a
 * different payload (GET /api/v1/events/conflicts). The original event stands; each row links
 * to its case when the source's policy opened one.
 */
export function IntakeConflicts() {
  const can = useCan();
  const list = useGet<{
    conflicts: Conflict[];
    total: number;
    deliveries: number;
    openCases: number;
  }>(can('events:read') ? '/events/conflicts?limit=5' : null);
  if (!can('events:read')) return null;
  const d = list.data;
  return (
    <Section title="Key conflicts (a key delivered again with a different payload)">
      <ErrorNote error={list.error} />
      {d && d.total === 0 && <Empty>No key conflicts.</Empty>}
      {d && d.total > 0 && (
        <>
          <p aria-label="Key conflict totals">
            <strong>{d.total}</strong> conflicting {d.total === 1 ? 'payload' : 'payloads'} in{' '}
            {d.deliveries} {d.deliveries === 1 ? 'delivery' : 'deliveries'}, {d.openCases} with an
            open case
          </p>
          <table className="table small" aria-label="Latest key conflicts">
            <thead>
              <tr>
                <th>source</th>
                <th>key</th>
                <th>via</th>
                <th>deliveries</th>
                <th>last</th>
                <th>case</th>
              </tr>
            </thead>
            <tbody>
              {d.conflicts.map((c) => (
                <tr key={c.id}>
                  <td>{c.source}</td>
                  <td>{c.key}</td>
                  <td>{c.door}</td>
                  <td>{c.deliveries}</td>
                  <td>{formatTime(c.lastSeenAt)}</td>
                  <td>
                    {c.caseId ? <Link to={`/exceptions/${c.caseId}`}>#{c.caseId}</Link> : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Section>
  );
}

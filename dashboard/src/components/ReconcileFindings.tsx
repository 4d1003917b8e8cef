import { Empty, ErrorNote, Section } from './ui.tsx';
import { formatTime } from '../format.ts';
import { useCan, useGet } from '../hooks.ts';
import { Link } from '../router.tsx';

interface Finding {
  type: string;
  model: string;
  id: number;
  name: string;
  detail: string;
  action: string;
  caseId: string | null;
  foundAt: string;
}

/**
 * What the reconciliation sweep found in Odoo that the packs had missed
 * (GET /api/v1/reconcile/findings): each finding once, by type, and the latest with what was
 * done about it (a workflow started again, or the case it opened).
 */
export function ReconcileFindings() {
  const can = useCan();
  const list = useGet<{ byType: Record<string, number>; total: number; latest: Finding[] }>(
    can('exceptions:read') ? '/reconcile/findings?limit=5' : null,
  );
  if (!can('exceptions:read')) return null;
  const d = list.data;
  return (
    <Section title="Reconciliation (Odoo records the packs missed)">
      <ErrorNote error={list.error} />
      {d && d.total === 0 && <Empty>The reconciliation sweep has found nothing.</Empty>}
      {d && d.total > 0 && (
        <>
          <ul className="chips" aria-label="Findings by type">
            {Object.entries(d.byType).map(([type, n]) => (
              <li key={type} data-finding-type={type}>
                {type} <strong>{n}</strong>
              </li>
            ))}
          </ul>
          <table className="table small" aria-label="Latest findings">
            <thead>
              <tr>
                <th>finding</th>
                <th>Odoo record</th>
                <th>action</th>
                <th>found</th>
              </tr>
            </thead>
            <tbody>
              {d.latest.map((f) => (
                <tr key={`${f.type}:${f.model}:${f.id}:${f.foundAt}`}>
                  <td>{f.type}</td>
                  <td title={f.detail}>
                    {f.model} {f.name}
                  </td>
                  <td>
                    {f.action}
                    {f.caseId && (
                      <>
                        {' '}
                        <Link to={`/exceptions/${f.caseId}`}>#{f.caseId}</Link>
                      </>
                    )}
                  </td>
                  <td>{formatTime(f.foundAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Section>
  );
}

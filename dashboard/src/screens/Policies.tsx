import { useState } from 'react';
import { ApiError } from '../api.ts';
import { Empty, ErrorNote, Loading, Section } from '../components/ui.tsx';
import { useGet } from '../hooks.ts';

interface PolicySummary {
  id: string;
  version: string;
  file: string | null;
  tables: { node: string; hitPolicy: string; rules: number }[];
}
interface TableView {
  nodeId: string;
  node: string;
  hitPolicy: string;
  columns: { id: string; kind: 'input' | 'output'; name: string; field: string | null }[];
  rows: { rule: number; description: string | null; cells: Record<string, string> }[];
}

export function PoliciesScreen() {
  const list = useGet<{ policies: PolicySummary[] }>('/policies');
  const [open, setOpen] = useState<string | null>(null);
  if (list.error instanceof ApiError && list.error.status === 404) {
    return (
      <>
        <h1>Policies</h1>
        <Empty>
          This server does not serve policies over the API yet. Policies live as files in git beside
          the workflows.
        </Empty>
      </>
    );
  }
  return (
    <>
      <h1>Policies</h1>
      <ErrorNote error={list.error} />
      {list.loading && !list.data && <Loading what="policies" />}
      {list.data && list.data.policies.length === 0 && <Empty>No policies are loaded.</Empty>}
      {list.data?.policies.map((p) => (
        <Section
          key={p.id}
          title={p.id}
          actions={
            <button
              type="button"
              className="secondary small"
              aria-expanded={open === p.id}
              onClick={() => setOpen(open === p.id ? null : p.id)}
            >
              {open === p.id ? 'Hide rules' : 'Show rules'}
            </button>
          }
        >
          <p className="muted">
            version <code>{p.version.slice(0, 12)}</code> · {p.file ?? 'no file'} ·{' '}
            {p.tables.map((t) => `${t.node} (${t.hitPolicy}, ${t.rules} rules)`).join('; ')}
          </p>
          {open === p.id && <PolicyTables id={p.id} />}
        </Section>
      ))}
    </>
  );
}

function PolicyTables({ id }: { id: string }) {
  const policy = useGet<{ tables: TableView[] }>(`/policies/${encodeURIComponent(id)}`);
  if (!policy.data)
    return policy.error ? <ErrorNote error={policy.error} /> : <Loading what="rules" />;
  return (
    <>
      {policy.data.tables.map((t) => (
        // A wide table scrolls sideways; focusable so a keyboard can scroll it too.
        <div
          key={t.nodeId}
          className="scroll-x"
          tabIndex={0}
          role="region"
          aria-label={`${t.node} (scrolls sideways)`}
        >
          <h3>
            {t.node} <span className="muted small">hit policy: {t.hitPolicy}</span>
          </h3>
          <table className="table rules" aria-label={`Rules of ${t.node}`}>
            <thead>
              <tr>
                <th scope="col">#</th>
                {t.columns.map((c) => (
                  <th key={c.id} scope="col" className={`col-${c.kind}`}>
                    {c.field ?? c.name}
                  </th>
                ))}
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {t.rows.map((r) => (
                <tr key={r.rule}>
                  <td>{r.rule}</td>
                  {t.columns.map((c) => (
                    <td key={c.id} className={`col-${c.kind}`}>
                      <code>{r.cells[c.field ?? c.name] ?? ''}</code>
                    </td>
                  ))}
                  <td>{r.description ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </>
  );
}

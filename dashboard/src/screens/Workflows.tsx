import { useState } from 'react';
import { post } from '../api.ts';
import { Graph, pathTaken } from '../components/Graph.tsx';
import { JsonEditor, parseJson } from '../components/JsonEditor.tsx';
import { Empty, ErrorNote, Json, Loading, Section, Status } from '../components/ui.tsx';
import { errorText } from '../format.ts';
import { useCan, useGet } from '../hooks.ts';
import { Link } from '../router.tsx';
import type { WorkflowDetail } from './RunPage.tsx';

interface WorkflowSummary {
  id: string;
  version: string;
  label: string | null;
  description: string | null;
  file: string | null;
  trigger: unknown;
  steps: number;
}
interface Simulation {
  matchesTrigger: boolean;
  outcome: 'completed' | 'failed';
  steps: { stepId: string; type: string; action: string; description: string; output: unknown; error?: unknown; next: string | null }[];
}

const triggerText = (t: unknown) => (t && typeof t === 'object' ? Object.entries(t as Record<string, unknown>).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ') : '—');

export function WorkflowsScreen({ selected }: { selected: string | null }) {
  const list = useGet<{ workflows: WorkflowSummary[] }>('/workflows');
  return (
    <>
      <div className="page-head">
        <h1>Workflows</h1>
        <Link to="/policies">Policies</Link>
      </div>
      <div className="split wide-right">
        <Section title="Catalog (current versions)">
          <ErrorNote error={list.error} />
          {list.loading && !list.data && <Loading what="workflows" />}
          {list.data && list.data.workflows.length === 0 && <Empty>No workflows are loaded.</Empty>}
          {list.data && list.data.workflows.length > 0 && (
            <table className="table" aria-label="Workflows">
              <thead>
                <tr>
                  <th scope="col">Workflow</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Steps</th>
                  <th scope="col">Version</th>
                </tr>
              </thead>
              <tbody>
                {list.data.workflows.map((w) => (
                  <tr key={w.id} className={w.id === selected ? 'selected' : undefined}>
                    <td>
                      <Link to={`/workflows/${encodeURIComponent(w.id)}`}>{w.id}</Link>
                      {w.description && <div className="muted small">{w.description}</div>}
                    </td>
                    <td className="small">{triggerText(w.trigger)}</td>
                    <td>{w.steps}</td>
                    <td>
                      <code className="small">{w.label ?? w.version.slice(0, 12)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
        {selected ? <WorkflowPanel key={selected} id={selected} /> : <Section title="Workflow">{<Empty>Choose a workflow to see its graph and dry-run it.</Empty>}</Section>}
      </div>
    </>
  );
}

function WorkflowPanel({ id }: { id: string }) {
  const w = useGet<WorkflowDetail>(`/workflows/${encodeURIComponent(id)}`);
  const runs = useGet<{ runs: { id: string; status: string; workflowVersion: string }[] }>(`/runs?workflow=${encodeURIComponent(id)}&limit=10`);
  const can = useCan();
  const [dryRun, setDryRun] = useState<Simulation | null>(null);
  if (!w.data) return <Section title={id}>{w.error ? <ErrorNote error={w.error} /> : <Loading what="the workflow" />}</Section>;
  const versions = [...new Set((runs.data?.runs ?? []).map((r) => r.workflowVersion))];
  return (
    <Section title={id}>
      <dl className="facts">
        <dt>Version</dt>
        <dd>
          <code>{w.data.version.slice(0, 16)}</code> {w.data.label && `(${w.data.label})`}
        </dd>
        <dt>File</dt>
        <dd>{w.data.file ?? '—'}</dd>
        <dt>Trigger</dt>
        <dd>{triggerText(w.data.trigger)}</dd>
        <dt>Versions in recent runs</dt>
        <dd>{versions.length ? versions.map((v) => <code key={v} className="small chip">{v.slice(0, 12)}</code>) : '—'}</dd>
        <dt>Recent runs</dt>
        <dd>
          {(runs.data?.runs ?? []).map((r) => (
            <Link key={r.id} to={`/runs/${r.id}`} className="chip">
              #{r.id} <Status value={r.status} />
            </Link>
          ))}
        </dd>
      </dl>
      <Graph graph={w.data.graph} label={dryRun ? `Step graph of ${id} with the dry run's path` : `Step graph of ${id}`} {...(dryRun ? pathTaken(dryRun.steps.map((s, seq) => ({ seq, stepId: s.stepId, status: s.action === 'failed' ? 'failed' : 'completed' }))) : {})} />
      {can('workflows:simulate') && <SimulateForm key={id} id={id} trigger={w.data.trigger} onResult={setDryRun} />}
      <details>
        <summary>Definition</summary>
        <Json value={w.data.definition} label="Workflow definition" />
      </details>
    </Section>
  );
}

function SimulateForm({ id, trigger, onResult }: { id: string; trigger: unknown; onResult: (result: Simulation | null) => void }) {
  const eventType = (trigger as { event?: string } | null)?.event ?? 'example.event';
  const [text, setText] = useState(() => JSON.stringify({ source: 'dashboard', type: eventType, key: 'dry-run-1', payload: {} }, null, 2));
  const [result, setResult] = useState<Simulation | null>(null);
  const [error, setError] = useState<unknown>(null);
  const parsed = parseJson(text);
  const simulate = async () => {
    if (!parsed.ok) return;
    setError(null);
    try {
      const simulated = await post<Simulation>(`/workflows/${encodeURIComponent(id)}/simulate`, { event: parsed.value });
      setResult(simulated);
      onResult(simulated);
    } catch (err) {
      setResult(null);
      onResult(null);
      setError(err);
    }
  };
  return (
    <form className="simulate" onSubmit={(e) => (e.preventDefault(), void simulate())} aria-label="Dry run">
      <h3>Dry run</h3>
      <JsonEditor label="Event" value={text} onChange={setText} rows={8} />
      <button type="submit" disabled={!parsed.ok}>
        Dry-run
      </button>
      <ErrorNote error={error} />
      {result && (
        <div className="simulation" data-outcome={result.outcome}>
          <p>
            Outcome: <Status value={result.outcome} /> {result.matchesTrigger ? '' : '(the event does not match the trigger)'}
          </p>
          <ol>
            {result.steps.map((s, i) => (
              <li key={i}>
                <strong>{s.stepId}</strong> <span className="muted">{s.type}</span> — {s.action}
                {s.description && s.description !== s.type ? `: ${s.description}` : ''} {s.error ? <span className="bad">{errorText(s.error)}</span> : null}
              </li>
            ))}
          </ol>
        </div>
      )}
    </form>
  );
}

import { useState } from 'react';
import { Graph, pathTaken } from '../components/Graph.tsx';
import { Empty, ErrorNote, Json, Loading, Section, Status } from '../components/ui.tsx';
import { formatTime } from '../format.ts';
import { useCan, useGet } from '../hooks.ts';
import { Link } from '../router.tsx';
import {
  versionName,
  versionPath,
  workflowPath,
  type StoredVersion,
  type VersionDetail,
} from '../versions.ts';
import { DryRunForm, type Simulation } from './DryRunForm.tsx';
import { ChangesSummary, VersionsTable } from './WorkflowVersions.tsx';

interface WorkflowSummary {
  id: string;
  version: string;
  label: string | null;
  description: string | null;
  file: string | null;
  trigger: unknown;
  steps: number;
}

export const triggerText = (t: unknown) =>
  t && typeof t === 'object'
    ? Object.entries(t as Record<string, unknown>)
        .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(', ')
    : '—';

export function WorkflowsScreen({
  selected,
  version,
}: {
  selected: string | null;
  version: string | null;
}) {
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
                      <Link to={workflowPath(w.id)}>{w.id}</Link>
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
        {selected ? (
          <WorkflowPanel key={selected} id={selected} hash={version} />
        ) : (
          <Section title="Workflow">
            {<Empty>Choose a workflow to see its versions and graph, and dry-run it.</Empty>}
          </Section>
        )}
      </div>
    </>
  );
}

/**
 * A workflow's stored versions and one of them: the chosen `hash`, else the current version,
 * else (a retired workflow, loaded no more) the newest stored one.
 */
function WorkflowPanel({ id, hash }: { id: string; hash: string | null }) {
  const versions = useGet<{ versions: StoredVersion[] }>(`${workflowPath(id)}/versions`);
  const runs = useGet<{ runs: { id: string; status: string; workflowVersion: string }[] }>(
    `/runs?workflow=${encodeURIComponent(id)}&limit=10`,
  );
  if (!versions.data)
    return (
      <Section title={id}>
        {versions.error ? (
          <ErrorNote error={versions.error} />
        ) : (
          <Loading what="the workflow's versions" />
        )}
      </Section>
    );
  const all = versions.data.versions;
  const current = all.find((v) => v.current) ?? null;
  const shown = hash ?? current?.hash ?? all[0]?.hash ?? null;
  return (
    <Section title={id}>
      {!current && (
        <p className="muted" data-retired>
          This workflow is not loaded now; its stored versions remain for the runs pinned to them.
        </p>
      )}
      <h3>Versions</h3>
      <VersionsTable id={id} versions={all} shown={shown} />
      <dl className="facts">
        <dt>Recent runs</dt>
        <dd>
          {(runs.data?.runs ?? []).length === 0 && '—'}
          {(runs.data?.runs ?? []).map((r) => (
            <Link key={r.id} to={`/runs/${r.id}`} className="chip">
              #{r.id} <Status value={r.status} />{' '}
              <code className="small">{r.workflowVersion.slice(0, 8)}</code>
            </Link>
          ))}
        </dd>
      </dl>
      {shown && <VersionView key={shown} id={id} hash={shown} chosen={hash !== null} />}
    </Section>
  );
}

/** One version: its facts, graph, changes from the version before, definition; the dry run on the current one. */
function VersionView({ id, hash, chosen }: { id: string; hash: string; chosen: boolean }) {
  const v = useGet<VersionDetail>(versionPath(id, hash));
  const can = useCan();
  const [dryRun, setDryRun] = useState<Simulation | null>(null);
  if (!v.data)
    return v.error ? (
      <ErrorNote error={v.error} />
    ) : (
      <Loading what={`version ${hash.slice(0, 12)}`} />
    );
  const d = v.data;
  const name = versionName(d.label, d.version);
  return (
    <div className="version" data-version-shown={d.version} data-current={d.current ? 'yes' : 'no'}>
      <h3>
        Version {name}{' '}
        {d.current ? (
          <Status value="current" />
        ) : (
          <span className="muted small">(not current)</span>
        )}
      </h3>
      <dl className="facts">
        <dt>Hash</dt>
        <dd>
          <code>{d.version}</code>
        </dd>
        <dt>Stored</dt>
        <dd>{formatTime(d.createdAt)}</dd>
        <dt>File</dt>
        <dd>{d.file ?? '—'}</dd>
        <dt>Trigger</dt>
        <dd>{triggerText(d.trigger)}</dd>
        <dt>Runs pinned</dt>
        <dd>{d.runs}</dd>
      </dl>
      <ChangesSummary id={id} detail={d} />
      <Graph
        graph={d.graph}
        label={
          dryRun
            ? `Step graph of ${id} version ${name} with the dry run's path`
            : `Step graph of ${id} version ${name}`
        }
        {...(dryRun
          ? pathTaken(
              dryRun.steps.map((s, seq) => ({
                seq,
                stepId: s.stepId,
                status: s.action === 'failed' ? 'failed' : 'completed',
              })),
            )
          : {})}
      />
      {d.current && (
        <p>
          <Link to={`${workflowPath(id)}/edit`}>
            {can('workflows:write') ? 'Edit as YAML' : 'View as YAML'}
          </Link>
        </p>
      )}
      {d.current ? (
        can('workflows:simulate') && (
          <DryRunForm key={id} id={id} trigger={d.trigger} onResult={setDryRun} />
        )
      ) : (
        <p className="muted small">
          Dry runs use the current version; this one is kept for the runs pinned to it.
        </p>
      )}
      <details open={chosen}>
        <summary>Definition (read-only)</summary>
        <Json value={d.definition} label={`Workflow definition, version ${name}`} />
      </details>
    </div>
  );
}

import { useEffect } from 'react';
import { Graph, pathTaken } from '../components/Graph.tsx';
import { ErrorNote, Json, Loading, Section, Status } from '../components/ui.tsx';
import { ReplayForm } from './ReplayForm.tsx';
import { elapsed, errorText, formatTime } from '../format.ts';
import { useCan, useGet } from '../hooks.ts';
import { Link } from '../router.tsx';
import {
  versionName,
  versionPath,
  workflowPath,
  type StoredVersion,
  type VersionDetail,
} from '../versions.ts';
import { ENDED, type RunDetail } from './run/detail.ts';
import { MailAttachments } from './run/MailAttachments.tsx';
import { PinnedVersion } from './run/PinnedVersion.tsx';
import { CancelForm, SignalForm, expectedSignal } from './run/RunActions.tsx';
import { SignalsAndTimers } from './run/SignalsAndTimers.tsx';
import { StepAttempts } from './run/StepAttempts.tsx';

export function RunPage({ id }: { id: string }) {
  const run = useGet<RunDetail>(`/runs/${id}`);
  const r = run.data;
  // The version the run is pinned to, which may no longer be current (or loaded at all).
  const workflow = useGet<VersionDetail>(r ? versionPath(r.workflowId, r.workflowVersion) : null);
  const versions = useGet<{ versions: StoredVersion[] }>(
    r ? `${workflowPath(r.workflowId)}/versions` : null,
  );
  const can = useCan();
  // Follows a run that has not ended (one request a second), so the page shows it finish.
  useEffect(() => {
    if (!r || ENDED.has(r.status)) return;
    const timer = setTimeout(run.reload, 1000);
    return () => clearTimeout(timer);
  }, [r, run.reload]);
  if (!r) return run.error ? <ErrorNote error={run.error} /> : <Loading what={`run ${id}`} />;
  const { stepStatus, taken } = pathTaken(r.steps);
  const config = new Map((workflow.data?.definition.steps ?? []).map((s) => [s.id, s.with]));
  return (
    <>
      <div className="page-head">
        <h1>
          Run #{r.id} <Status value={r.status} />
        </h1>
        <Link to="/runs">All runs</Link>
      </div>
      <ErrorNote error={run.error} />
      <div className="split">
        <Section title="Run">
          <dl className="facts" data-run-status={r.status}>
            <dt>Workflow</dt>
            <dd>
              <Link to={workflowPath(r.workflowId)}>{r.workflowId}</Link>{' '}
              <code className="small">{r.workflowVersion.slice(0, 12)}</code>
            </dd>
            <dt>Status</dt>
            <dd>
              <Status value={r.status} />
            </dd>
            <dt>Event</dt>
            <dd>{r.eventId ?? '—'}</dd>
            <dt>Started</dt>
            <dd>{formatTime(r.createdAt)}</dd>
            <dt>Ended</dt>
            <dd>
              {formatTime(r.endedAt)} {r.endedAt && `(${elapsed(r.createdAt, r.endedAt)})`}
            </dd>
            <dt>At step</dt>
            <dd>{r.cursor ?? '—'}</dd>
            {r.error ? (
              <>
                <dt>Error</dt>
                <dd className="bad">{errorText(r.error)}</dd>
              </>
            ) : null}
          </dl>
          <h3>Input</h3>
          <Json value={r.input} label="Run input" />
          <MailAttachments input={r.input} />
          {r.output !== null && r.output !== undefined && (
            <>
              <h3>Output</h3>
              <Json value={r.output} label="Run output" />
            </>
          )}
        </Section>
        <Section title="Actions">
          {can('runs:operate') ? (
            <>
              {(r.status === 'failed' || r.status === 'cancelled') && (
                <ReplayForm
                  run={r}
                  stepIds={workflow.data?.graph.nodes.map((n) => n.id) ?? []}
                  onDone={run.reload}
                />
              )}
              {!ENDED.has(r.status) && <CancelForm runId={r.id} onDone={run.reload} />}
              {r.status === 'completed' && (
                <p className="muted">The run has completed; nothing to do.</p>
              )}
            </>
          ) : (
            <p className="muted" data-no-actions>
              Your role ({'runs:operate'} not included) can look at runs but not replay or cancel
              them.
            </p>
          )}
          {can('runs:signal') && !ENDED.has(r.status) && (
            <SignalForm run={r} expected={expectedSignal(r, config)} onDone={run.reload} />
          )}
        </Section>
      </div>
      <Section title="Workflow graph">
        <ErrorNote error={workflow.error} />
        {workflow.data && (
          <PinnedVersion
            run={r}
            pinned={workflow.data}
            versions={versions.data?.versions ?? null}
          />
        )}
        {workflow.data && (
          <Graph
            graph={workflow.data.graph}
            stepStatus={stepStatus}
            taken={taken}
            label={`Step graph of ${r.workflowId} version ${versionName(workflow.data.label, workflow.data.version)} with the path run ${r.id} took`}
          />
        )}
      </Section>
      <SignalsAndTimers run={r} />
      <StepAttempts steps={r.steps} config={config} />
    </>
  );
}

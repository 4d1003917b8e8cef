import { useEffect, useId, useState } from 'react';
import { post } from '../api.ts';
import { Graph, pathTaken } from '../components/Graph.tsx';
import { JsonEditor, parseJson } from '../components/JsonEditor.tsx';
import { ErrorNote, Json, Loading, Section, Status } from '../components/ui.tsx';
import { ReplayForm } from './ReplayForm.tsx';
import { countdown, elapsed, errorText, formatTime, pretty } from '../format.ts';
import { useCan, useGet, useNow } from '../hooks.ts';
import { Link } from '../router.tsx';
import {
  versionName,
  versionPath,
  workflowPath,
  type StoredVersion,
  type VersionDetail,
} from '../versions.ts';
import type { RunSummary } from './Runs.tsx';

interface RunDetail extends RunSummary {
  input: unknown;
  output: unknown;
  availableAt: string | null;
  steps: {
    seq: number;
    attempt: number;
    stepId: string;
    type: string;
    status: string;
    output: unknown;
    error: unknown;
    startedAt: string;
    endedAt: string;
  }[];
  signals: { name: string; payload: unknown; sentAt: string; consumedSeq: number | null }[];
}
const ENDED = new Set(['completed', 'failed', 'cancelled']);

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
      <Section title="Steps">
        <table className="table" aria-label="Step attempts">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Step</th>
              <th scope="col">Attempt</th>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
              <th scope="col">Took</th>
              <th scope="col">Input (with:) / output / error</th>
            </tr>
          </thead>
          <tbody>
            {r.steps.map((s) => (
              <tr key={`${s.seq}-${s.attempt}`} data-step-row={s.stepId}>
                <td>{s.seq}</td>
                <td>
                  {s.stepId} <span className="muted small">{s.type}</span>
                </td>
                <td>{s.attempt}</td>
                <td>
                  <Status value={s.status} />
                </td>
                <td>{formatTime(s.startedAt)}</td>
                <td>{elapsed(s.startedAt, s.endedAt)}</td>
                <td>
                  <details>
                    <summary>
                      {s.error ? <span className="bad">{errorText(s.error)}</span> : 'show'}
                    </summary>
                    <h4>Input (the step's with:)</h4>
                    <pre className="json">{pretty(config.get(s.stepId) ?? null)}</pre>
                    <h4>Output</h4>
                    <pre className="json">{pretty(s.output ?? null)}</pre>
                    {s.error ? (
                      <>
                        <h4>Error</h4>
                        <pre className="json">{pretty(s.error)}</pre>
                      </>
                    ) : null}
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}

/**
 * What the run waits for: the step it is parked at and when its timer fires (a wait's
 * deadline, an approval's reminder or SLA), or the retry it is due for; and every signal it
 * was sent, with the step that took it or "kept" while no step has (an early signal).
 */
function SignalsAndTimers({ run }: { run: RunDetail }) {
  const now = useNow();
  const last = run.steps.at(-1);
  const due = run.availableAt
    ? `${formatTime(run.availableAt)} (${countdown(run.availableAt, now).text})`
    : null;
  const stepAt = (seq: number) => run.steps.find((s) => s.seq === seq)?.stepId ?? `#${seq}`;
  let timer: string;
  if (run.status === 'waiting') {
    timer = `Waiting at step ${run.cursor}${last?.stepId === run.cursor ? ` (${last.type})` : ''}: ${due ? `its timer fires at ${due}` : 'no timer; it waits for a signal or a decision'}.`;
  } else if (
    (run.status === 'ready' || run.status === 'queued') &&
    run.availableAt &&
    new Date(run.availableAt).getTime() > now
  ) {
    timer = `Step ${run.cursor} is tried again at ${due}${last?.status === 'failed' ? `, after attempt ${last.attempt} failed: ${errorText(last.error)}` : ''}.`;
  } else if (ENDED.has(run.status)) {
    timer = `No timer: the run is ${run.status}.`;
  } else {
    timer =
      run.status === 'queued'
        ? 'Queued behind its concurrency limit.'
        : `Due now at step ${run.cursor}.`;
  }
  const waitingState = run.status === 'waiting' && last?.status === 'waiting' ? last.output : null;
  return (
    <Section title="Signals and timers">
      <p data-timer={run.status}>{timer}</p>
      {waitingState !== null && waitingState !== undefined && (
        <Json value={waitingState} label="What the waiting step keeps" />
      )}
      {run.signals.length === 0 ? (
        <p className="muted">No signals were sent to this run.</p>
      ) : (
        <table className="table" aria-label="Signals">
          <thead>
            <tr>
              <th scope="col">Signal</th>
              <th scope="col">Sent</th>
              <th scope="col">Taken by</th>
              <th scope="col">Payload</th>
            </tr>
          </thead>
          <tbody>
            {run.signals.map((g, i) => (
              <tr key={i} data-signal={g.name}>
                <td>
                  <code>{g.name}</code>
                </td>
                <td>{formatTime(g.sentAt)}</td>
                <td>
                  {g.consumedSeq === null ? (
                    <span className="muted">kept until a step takes it</span>
                  ) : (
                    `step ${stepAt(g.consumedSeq)} (#${g.consumedSeq})`
                  )}
                </td>
                <td>
                  <code className="small">
                    {g.payload === null ? '—' : JSON.stringify(g.payload)}
                  </code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

/** "version X (current)", or "version X; current is Y", or that the workflow is loaded no more. */
function PinnedVersion({
  run,
  pinned,
  versions,
}: {
  run: RunDetail;
  pinned: VersionDetail;
  versions: StoredVersion[] | null;
}) {
  const current = versions?.find((v) => v.current) ?? null;
  const self = (
    <Link to={versionPath(run.workflowId, pinned.version)}>
      version {versionName(pinned.label, pinned.version)}
    </Link>
  );
  if (pinned.current)
    return <p data-version-note="current">The run is pinned to {self} (current).</p>;
  return (
    <p data-version-note="older">
      The run is pinned to {self};{' '}
      {current ? (
        <>
          current is{' '}
          <Link to={workflowPath(run.workflowId)}>
            version {versionName(current.label, current.hash)}
          </Link>
          .
        </>
      ) : versions ? (
        'the workflow is not loaded now.'
      ) : (
        '…'
      )}
    </p>
  );
}

/** The signal the run's current wait step listens for, when its name is written out (not an expression). */
function expectedSignal(run: RunDetail, config: Map<string, unknown>): string {
  const last = run.steps.at(-1);
  if (run.status !== 'waiting' || last?.stepId !== run.cursor || last.type !== 'wait') return '';
  const signal = (config.get(run.cursor ?? '') as { signal?: unknown } | undefined)?.signal;
  return typeof signal === 'string' && !signal.startsWith('=') ? signal : '';
}

/** Sends a named signal (with an optional JSON payload) to a run that has not ended: a wait for it resumes. */
function SignalForm({
  run,
  expected,
  onDone,
}: {
  run: RunDetail;
  expected: string;
  onDone: () => void;
}) {
  const [name, setName] = useState(expected);
  // The workflow version (where the expected name comes from) may load after the form.
  useEffect(() => {
    if (expected) setName((current) => current || expected);
  }, [expected]);
  const [payload, setPayload] = useState('null');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState<string | null>(null);
  const ids = { name: useId(), reason: useId() };
  const parsed = parseJson(payload);
  const send = async () => {
    setError(null);
    try {
      await post(`/runs/${run.id}/signals/${encodeURIComponent(name.trim())}`, {
        ...(parsed.ok && parsed.value !== null ? { payload: parsed.value } : {}),
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      });
      setSent(name.trim());
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={(e) => (e.preventDefault(), void send())} aria-label="Send a signal">
      <h3>Send a signal</h3>
      <div className="field">
        <label htmlFor={ids.name}>Signal name</label>
        <input
          id={ids.name}
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={200}
        />
      </div>
      <JsonEditor
        label="Payload (JSON; null for none)"
        value={payload}
        onChange={setPayload}
        rows={3}
      />
      <div className="field">
        <label htmlFor={ids.reason}>Reason</label>
        <input id={ids.reason} value={reason} onChange={(e) => setReason(e.target.value)} />
      </div>
      <ErrorNote error={error} />
      {sent && (
        <p role="status" className="good">
          Signal {sent} sent.
        </p>
      )}
      <button type="submit" disabled={!name.trim() || !parsed.ok}>
        Send signal
      </button>
    </form>
  );
}

function CancelForm({ runId, onDone }: { runId: string; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const reasonId = useId();
  const cancel = async () => {
    setError(null);
    try {
      await post(`/runs/${runId}/cancel`, reason.trim() ? { reason: reason.trim() } : {});
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={(e) => (e.preventDefault(), void cancel())} aria-label="Cancel run">
      <h3>Cancel</h3>
      <div className="field">
        <label htmlFor={reasonId}>Reason</label>
        <input id={reasonId} value={reason} onChange={(e) => setReason(e.target.value)} />
      </div>
      <ErrorNote error={error} />
      <button type="submit" className="danger">
        Cancel run
      </button>
    </form>
  );
}

import { useState } from 'react';
import { get, post } from '../api.ts';
import { JsonEditor, parseJson } from '../components/JsonEditor.tsx';
import { ErrorNote, Status } from '../components/ui.tsx';
import { errorText } from '../format.ts';
import { useCan, useGet } from '../hooks.ts';

export interface Simulation {
  matchesTrigger: boolean;
  outcome: 'completed' | 'failed';
  steps: {
    stepId: string;
    type: string;
    action: string;
    description: string;
    output: unknown;
    error?: unknown;
    next: string | null;
  }[];
}

interface RecordedEvent {
  source: string;
  type: string;
  key: string;
  payload: unknown;
}

/**
 * A dry run against an event typed here or taken from one of the workflow's recent runs:
 * of the current version, or of `yaml` (the editor's text, not saved yet) when given.
 */
export function DryRunForm({
  id,
  trigger,
  yaml,
  onResult,
}: {
  id: string;
  trigger: unknown;
  yaml?: string;
  onResult: (result: Simulation | null) => void;
}) {
  const eventType = (trigger as { event?: string } | null)?.event ?? 'example.event';
  const [text, setText] = useState(() =>
    JSON.stringify(
      { source: 'dashboard', type: eventType, key: 'dry-run-1', payload: {} },
      null,
      2,
    ),
  );
  const [result, setResult] = useState<Simulation | null>(null);
  const [error, setError] = useState<unknown>(null);
  const parsed = parseJson(text);
  const simulate = async () => {
    if (!parsed.ok) return;
    setError(null);
    try {
      const simulated = await post<Simulation>(`/workflows/${encodeURIComponent(id)}/simulate`, {
        event: parsed.value,
        ...(yaml === undefined ? {} : { yaml }),
      });
      setResult(simulated);
      onResult(simulated);
    } catch (err) {
      setResult(null);
      onResult(null);
      setError(err);
    }
  };
  return (
    <form
      className="simulate"
      onSubmit={(e) => (e.preventDefault(), void simulate())}
      aria-label="Dry run"
    >
      <h3>Dry run{yaml === undefined ? '' : ' of the text being edited'}</h3>
      <RecordedEvents
        id={id}
        onPick={(event) => setText(JSON.stringify(event, null, 2))}
        onError={setError}
      />
      <JsonEditor label="Event" value={text} onChange={setText} rows={8} />
      <button type="submit" disabled={!parsed.ok}>
        Dry-run
      </button>
      <ErrorNote error={error} />
      {result && (
        <div className="simulation" data-outcome={result.outcome}>
          <p>
            Outcome: <Status value={result.outcome} />{' '}
            {result.matchesTrigger ? '' : '(the event does not match the trigger)'}
          </p>
          <ol>
            {result.steps.map((s, i) => (
              <li key={i}>
                <strong>{s.stepId}</strong> <span className="muted">{s.type}</span> — {s.action}
                {s.description && s.description !== s.type ? `: ${s.description}` : ''}{' '}
                {s.error ? <span className="bad">{errorText(s.error)}</span> : null}
              </li>
            ))}
          </ol>
        </div>
      )}
    </form>
  );
}

/** The events of the workflow's latest runs, each a button that copies it into the event box. */
function RecordedEvents({
  id,
  onPick,
  onError,
}: {
  id: string;
  onPick: (event: RecordedEvent) => void;
  onError: (error: unknown) => void;
}) {
  const can = useCan();
  const runs = useGet<{ runs: { id: string; eventId: string | null }[] }>(
    can('events:read') && can('runs:read')
      ? `/runs?workflow=${encodeURIComponent(id)}&limit=5`
      : null,
  );
  const withEvents = (runs.data?.runs ?? []).filter((r) => r.eventId !== null);
  if (withEvents.length === 0) return null;
  const pick = async (eventId: string) => {
    try {
      const e = await get<RecordedEvent>(`/events/${encodeURIComponent(eventId)}`);
      onPick({ source: e.source, type: e.type, key: e.key, payload: e.payload });
    } catch (err) {
      onError(err);
    }
  };
  return (
    <p className="small">
      Use a recorded event:{' '}
      {withEvents.map((r) => (
        <button
          key={r.id}
          type="button"
          className="secondary small"
          onClick={() => void pick(r.eventId!)}
        >
          event {r.eventId} (run #{r.id})
        </button>
      ))}
    </p>
  );
}

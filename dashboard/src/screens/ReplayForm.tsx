import { useEffect, useId, useState } from 'react';
import { post } from '../api.ts';
import { JsonEditor, parseJson } from '../components/JsonEditor.tsx';
import { ErrorNote } from '../components/ui.tsx';
import { pretty } from '../format.ts';

/** What the API says a replay would do to each side-effect step it re-runs (POST /runs/:id/replay/preview). */
interface ReplayEffect {
  stepId: string;
  type: string;
  key: string;
  outcome: 'repeat' | 'again' | 'first' | 'own';
  message: string;
}

interface ReplayableRun {
  id: string;
  input: unknown;
  cursor: string | null;
}

/**
 * Replays a failed or cancelled run: corrected input, the step to start from, and a box per
 * side-effect step the replay re-runs. Before anything is sent, each of those steps says what
 * it will do: a repeat its receiver ignores (same key), or act again (a new key, only when
 * its box is ticked).
 */
export function ReplayForm({
  run,
  stepIds,
  onDone,
}: {
  run: ReplayableRun;
  stepIds: string[];
  onDone: () => void;
}) {
  const [text, setText] = useState(() => pretty(run.input));
  const [fromStep, setFromStep] = useState('');
  const [again, setAgain] = useState<string[]>([]);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const effects = useReplayPreview(run.id, fromStep, again);
  const ids = { from: useId(), reason: useId() };
  const parsed = parseJson(text);
  const toggle = (stepId: string, on: boolean) =>
    setAgain((list) => (on ? [...list, stepId] : list.filter((s) => s !== stepId)));
  const replay = async () => {
    if (!parsed.ok) return;
    setBusy(true);
    setError(null);
    try {
      const changed = JSON.stringify(parsed.value) !== JSON.stringify(run.input);
      await post(`/runs/${run.id}/replay`, {
        ...(changed ? { input: parsed.value } : {}),
        ...(fromStep ? { fromStep } : {}),
        again,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      });
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="replay"
      onSubmit={(e) => (e.preventDefault(), void replay())}
      aria-label="Replay"
    >
      <h3>Replay</h3>
      <JsonEditor
        label="Input for the replay (edit to correct it)"
        value={text}
        onChange={setText}
      />
      <div className="field">
        <label htmlFor={ids.from}>From step</label>
        <select
          id={ids.from}
          value={fromStep}
          onChange={(e) => (setFromStep(e.target.value), setAgain([]))}
        >
          <option value="">where it stopped ({run.cursor ?? 'its end'})</option>
          {stepIds.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </div>
      <fieldset className="replay-effects">
        <legend>Side effects this replay re-runs</legend>
        {effects.error !== null ? (
          <ErrorNote error={effects.error} />
        ) : effects.list === null ? (
          <p>…</p>
        ) : effects.list.length === 0 ? (
          <p>None: no step with an effect outside Crossdock runs again.</p>
        ) : (
          <ul aria-label="Side effects of the replay">
            {effects.list.map((e) => (
              <li key={e.stepId} data-effect={e.stepId} data-outcome={e.outcome}>
                {e.outcome === 'own' ? (
                  <strong>{e.stepId}</strong>
                ) : (
                  <label>
                    <input
                      type="checkbox"
                      checked={again.includes(e.stepId)}
                      onChange={(ev) => toggle(e.stepId, ev.target.checked)}
                    />{' '}
                    act again: <strong>{e.stepId}</strong>
                  </label>
                )}{' '}
                ({e.type}) <span>{e.message}</span>
              </li>
            ))}
          </ul>
        )}
      </fieldset>
      <div className="field">
        <label htmlFor={ids.reason}>Reason</label>
        <input id={ids.reason} value={reason} onChange={(e) => setReason(e.target.value)} />
      </div>
      <ErrorNote error={error} />
      <button type="submit" disabled={busy || !parsed.ok}>
        Replay run
      </button>
    </form>
  );
}

/** The preview for this start and these "act again" steps; asked again whenever either changes. */
function useReplayPreview(
  runId: string,
  fromStep: string,
  again: string[],
): { list: ReplayEffect[] | null; error: unknown } {
  const [state, setState] = useState<{ list: ReplayEffect[] | null; error: unknown }>({
    list: null,
    error: null,
  });
  // Compared by its text: a new array with the same steps asks nothing new.
  const againKey = again.join(',');
  useEffect(() => {
    let current = true;
    const steps = againKey === '' ? [] : againKey.split(',');
    post<{ effects: ReplayEffect[] }>(`/runs/${runId}/replay/preview`, {
      ...(fromStep ? { fromStep } : {}),
      again: steps,
    }).then(
      (preview) => current && setState({ list: preview.effects, error: null }),
      (error) => current && setState({ list: null, error }),
    );
    return () => void (current = false);
  }, [runId, fromStep, againKey]);
  return state;
}

/** What an operator can do to a run that has not ended: send it a signal, or cancel it. */
import { useEffect, useId, useState } from 'react';
import { post } from '../../api.ts';
import { JsonEditor, parseJson } from '../../components/JsonEditor.tsx';
import { ErrorNote } from '../../components/ui.tsx';
import type { RunDetail } from './detail.ts';

/** The signal the run's current wait step listens for, when its name is written out (not an expression). */
export function expectedSignal(run: RunDetail, config: Map<string, unknown>): string {
  const last = run.steps.at(-1);
  if (run.status !== 'waiting' || last?.stepId !== run.cursor || last.type !== 'wait') return '';
  const signal = (config.get(run.cursor ?? '') as { signal?: unknown } | undefined)?.signal;
  return typeof signal === 'string' && !signal.startsWith('=') ? signal : '';
}

/** Sends a named signal (with an optional JSON payload) to a run that has not ended: a wait for it resumes. */
export function SignalForm({
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

export function CancelForm({ runId, onDone }: { runId: string; onDone: () => void }) {
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

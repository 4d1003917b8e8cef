/** The decision form of an approval request: approve or reject with a reason, and the authenticator code a step-up level asks for. */
import { useId, useState } from 'react';
import { post } from '../api.ts';
import { ErrorNote } from '../components/ui.tsx';
import { Link, navigate } from '../router.tsx';

/** A step-up level's code: six digits, spaces allowed as some apps show them. */
const codeOf = (text: string) => text.replace(/\s/g, '');

export function DecisionForm({
  id,
  stepUp,
  onDone,
  onRefused,
}: {
  id: string;
  stepUp: boolean;
  onDone: () => void;
  /** A refusal is recorded in the history: show it. */
  onRefused: () => void;
}) {
  const reasonId = useId();
  const codeId = useId();
  const [reason, setReason] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const decide = async (decision: 'approve' | 'reject') => {
    if (decision === 'reject' && !reason.trim()) {
      setError(new Error('A rejection needs a reason.'));
      return;
    }
    if (stepUp && !/^\d{6}$/.test(codeOf(code))) {
      setError(new Error('This level needs the six-digit code your authenticator app shows.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await post(`/approvals/${id}/decision`, {
        decision,
        reason: reason.trim() || null,
        ...(stepUp ? { code: codeOf(code) } : {}),
      });
      onDone();
      navigate(`/approvals/${id}`, { replace: true });
    } catch (err) {
      setError(err);
      setCode('');
      if (stepUp) onRefused();
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="decision" onSubmit={(e) => e.preventDefault()} aria-label="Decision">
      {stepUp && (
        <div className="field">
          <label htmlFor={codeId}>Code from your authenticator app (this level needs it)</label>
          <span className="muted">
            No authenticator yet? <Link to="/authenticator">Enrol one</Link>. Phone lost? One of
            your recovery codes works once in its place.
          </span>
          <input
            id={codeId}
            className="otp"
            autoComplete="one-time-code"
            maxLength={24}
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        </div>
      )}
      <div className="field">
        <label htmlFor={reasonId}>Reason (required to reject)</label>
        <textarea
          id={reasonId}
          rows={2}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </div>
      <ErrorNote error={error} />
      <div className="actions">
        <button type="button" onClick={() => decide('approve')} disabled={busy}>
          Approve
        </button>
        <button type="button" className="danger" onClick={() => decide('reject')} disabled={busy}>
          Reject
        </button>
      </div>
    </form>
  );
}

import { useId, useState, type ReactNode } from 'react';
import { post } from '../api.ts';
import { JsonEditor, parseJson } from '../components/JsonEditor.tsx';
import { ErrorNote } from '../components/ui.tsx';
import { pretty } from '../format.ts';
import { ActionForm } from './ActionForm.tsx';
import type { CaseDetail } from './Exceptions.tsx';

/** Why a case was closed: the API's closed set (src/exceptions/model.ts); fixed_by_retry is the engine's own. */
const REASON_CODES = [
  'fixed_in_source',
  'data_corrected',
  'handled_manually',
  'duplicate',
  'false_alarm',
  'wont_fix',
];

/** The business actions a workflow can declare on a case (src/exceptions/model.ts CASE_ACTIONS), as a person reads them. */
const BUSINESS_ACTIONS: Record<string, { label: string; hint: string }> = {
  check_again: {
    label: 'Check again now',
    hint: 'the run reads the order from Odoo and checks it again',
  },
  release: {
    label: 'Release with an approval',
    hint: 'asks a sales manager to approve the release despite the hold',
  },
  cancel: { label: 'Cancel the order', hint: 'cancels the order in Odoo' },
  reship: {
    label: 'Reship',
    hint: 'sends a replacement delivery (approved above a value), books a carrier and tells the customer',
  },
  resend: {
    label: 'Send again',
    hint: "queues the EDI document again as it was (same control numbers) with a fresh count of attempts; fix the cause first (the partner's address, credentials, the outbox folder)",
  },
  book_by_hand: {
    label: 'Book by hand',
    hint: 'you booked the shipment yourself (by phone, on a carrier portal): Crossdock writes the carrier and tracking reference to the delivery in Odoo, notes it, tells the customer and resolves the case',
  },
};

function Action({ title, children }: { title: string; children: ReactNode }) {
  return (
    <details className="action">
      <summary>{title}</summary>
      {children}
    </details>
  );
}

export function useAction(onDone: () => void) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = async (path: string, body: unknown) => {
    setBusy(true);
    setError(null);
    try {
      await post(path, body);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}

export function CaseActions({ c, onDone }: { c: CaseDetail; onDone: () => void }) {
  const [input, setInput] = useState(() => pretty(c.failedStep?.input ?? c.run?.input ?? {}));
  const [fromStep, setFromStep] = useState('');
  const [reasonCode, setReasonCode] = useState('');
  const [note, setNote] = useState('');
  const [comment, setComment] = useState('');
  const [actionNote, setActionNote] = useState('');
  const [team, setTeam] = useState(c.owner.team ?? '');
  const a = useAction(onDone);
  const ids = {
    from: useId(),
    reason: useId(),
    note: useId(),
    comment: useId(),
    team: useId(),
    actionNote: useId(),
  };
  const business = c.actions.filter((name) => name in BUSINESS_ACTIONS && !c.actionInputs?.[name]);
  const withInputs = c.actions.filter((name) => name in BUSINESS_ACTIONS && c.actionInputs?.[name]);
  const parsed = parseJson(input);
  const base = `/exceptions/${c.id}`;
  // A message the outbox gave up on: no run to retry, the message itself is sent again.
  const notification =
    c.subject?.model === 'notification' && c.subject.id !== undefined ? String(c.subject.id) : null;
  return (
    <div className="case-actions">
      <ErrorNote error={a.error} />
      {notification && (
        <div className="actions">
          <button
            type="button"
            disabled={a.busy}
            onClick={() =>
              a.run(`/notifications/${encodeURIComponent(notification)}/resend`, {
                reason: `case ${c.id}`,
              })
            }
          >
            Send the message again
          </button>
          <span className="muted small">
            once its cause is fixed (the address, the mail server); the case resolves when it goes
            out
          </span>
        </div>
      )}
      {business.length > 0 && (
        <div className="business-actions" aria-label="Case actions">
          <div className="actions">
            {business.map((name) => (
              <button
                key={name}
                type="button"
                title={BUSINESS_ACTIONS[name]!.hint}
                disabled={a.busy}
                onClick={() =>
                  a.run(
                    `${base}/actions/${name}`,
                    actionNote.trim() ? { note: actionNote.trim() } : {},
                  )
                }
              >
                {BUSINESS_ACTIONS[name]!.label}
              </button>
            ))}
          </div>
          <div className="field">
            <label htmlFor={ids.actionNote}>Note for the action (optional)</label>
            <input
              id={ids.actionNote}
              value={actionNote}
              onChange={(e) => setActionNote(e.target.value)}
            />
          </div>
        </div>
      )}
      {withInputs.map((name) => (
        <Action key={name} title={BUSINESS_ACTIONS[name]!.label}>
          <ActionForm
            caseId={c.id}
            action={name}
            label={BUSINESS_ACTIONS[name]!.label}
            hint={BUSINESS_ACTIONS[name]!.hint}
            inputs={c.actionInputs![name]!}
            onDone={onDone}
          />
        </Action>
      ))}
      {c.actions.includes('retry') && (
        <div className="actions">
          <button type="button" disabled={a.busy} onClick={() => a.run(`${base}/retry`, {})}>
            Retry as is
          </button>
        </div>
      )}
      {c.actions.includes('replay') && (
        <>
          <Action title="Replay with a corrected input">
            <form
              onSubmit={(e) => (
                e.preventDefault(),
                parsed.ok &&
                  void a.run(`${base}/replay`, {
                    input: parsed.value,
                    ...(fromStep ? { fromStep } : {}),
                  })
              )}
              aria-label="Replay case"
            >
              <JsonEditor label="Corrected input" value={input} onChange={setInput} />
              <div className="field">
                <label htmlFor={ids.from}>From step (optional)</label>
                <input
                  id={ids.from}
                  value={fromStep}
                  onChange={(e) => setFromStep(e.target.value)}
                  placeholder={c.stepId ?? ''}
                />
              </div>
              <button type="submit" disabled={a.busy || !parsed.ok}>
                Replay
              </button>
            </form>
          </Action>
        </>
      )}
      <Action title="Resolve">
        <form
          onSubmit={(e) => (
            e.preventDefault(),
            void a.run(`${base}/resolve`, {
              reasonCode,
              ...(note.trim() ? { note: note.trim() } : {}),
            })
          )}
          aria-label="Resolve case"
        >
          <div className="field">
            <label htmlFor={ids.reason}>Reason code</label>
            <select
              id={ids.reason}
              required
              value={reasonCode}
              onChange={(e) => setReasonCode(e.target.value)}
            >
              <option value="">choose…</option>
              {REASON_CODES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.note}>Note</label>
            <textarea
              id={ids.note}
              rows={2}
              value={note}
              onChange={(e) => setNote(e.target.value)}
            />
          </div>
          <button type="submit" disabled={a.busy}>
            Resolve
          </button>
        </form>
      </Action>
      <Action title="Assign">
        <form
          onSubmit={(e) => (e.preventDefault(), void a.run(`${base}/assign`, { team }))}
          aria-label="Assign case"
        >
          <div className="field">
            <label htmlFor={ids.team}>Team</label>
            <input id={ids.team} required value={team} onChange={(e) => setTeam(e.target.value)} />
          </div>
          <button type="submit" disabled={a.busy}>
            Assign
          </button>
        </form>
      </Action>
      <Action title="Comment">
        <form
          onSubmit={(e) => (
            e.preventDefault(),
            void a.run(`${base}/comment`, { text: comment }).then(() => setComment(''))
          )}
          aria-label="Comment on case"
        >
          <div className="field">
            <label htmlFor={ids.comment}>Comment</label>
            <textarea
              id={ids.comment}
              rows={2}
              required
              value={comment}
              onChange={(e) => setComment(e.target.value)}
            />
          </div>
          <button type="submit" disabled={a.busy}>
            Add comment
          </button>
        </form>
      </Action>
    </div>
  );
}

export function Reopen({ id, onDone }: { id: string; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const a = useAction(onDone);
  const reasonId = useId();
  return (
    <Action title="Reopen">
      <form
        onSubmit={(e) => (e.preventDefault(), void a.run(`/exceptions/${id}/reopen`, { reason }))}
        aria-label="Reopen case"
      >
        <div className="field">
          <label htmlFor={reasonId}>Reason</label>
          <input
            id={reasonId}
            required
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        </div>
        <ErrorNote error={a.error} />
        <button type="submit" disabled={a.busy}>
          Reopen
        </button>
      </form>
    </Action>
  );
}

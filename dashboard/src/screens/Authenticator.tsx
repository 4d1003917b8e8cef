import { useId, useState } from 'react';
import { api, post } from '../api.ts';
import { ErrorNote, Loading, Section } from '../components/ui.tsx';
import { formatTime } from '../format.ts';
import { useGet } from '../hooks.ts';

interface TotpStatus {
  enrolled: boolean;
  pending: boolean;
  confirmedAt: string | null;
  lockedUntil: string | null;
  recoveryCodesRemaining: number;
}
interface RecoveryCodes {
  recoveryCodes: string[];
}
interface Enrolment {
  secret: string;
  otpauthUri: string;
}

/**
 * The signed-in person's authenticator app, for approval levels that ask for a second
 * factor: enrol (the secret is shown once, here), confirm with a first code, or remove it.
 * Confirming (or renewing them with a code) shows the ten recovery codes, this once.
 */
export function AuthenticatorScreen() {
  const status = useGet<TotpStatus>('/auth/totp');
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [recovery, setRecovery] = useState<string[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const s = status.data;
  const showRecovery = (answer: unknown) => setRecovery((answer as RecoveryCodes).recoveryCodes);
  const start = async () => {
    setError(null);
    try {
      setEnrolment(await post<Enrolment>('/auth/totp'));
    } catch (err) {
      setError(err);
    }
  };
  const done = () => (setEnrolment(null), status.reload());
  return (
    <Section title="Authenticator">
      <ErrorNote error={status.error ?? error} />
      {!s && status.loading && <Loading what="your authenticator" />}
      {recovery && (
        <div data-recovery-codes>
          <p>
            Your recovery codes, shown this once: keep them somewhere safe, apart from the phone.
            Each one works once in place of a code from the app (to decide, or to remove the
            authenticator) if the phone is lost.
          </p>
          <ol className="recovery-codes">
            {recovery.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ol>
          <button type="button" onClick={() => setRecovery(null)}>
            I have kept them
          </button>
        </div>
      )}
      {s && s.enrolled && (
        <>
          <p data-totp-status="enrolled">
            An authenticator is enrolled (since {formatTime(s.confirmedAt)}). Approval levels that
            ask for a second factor take the code it shows.
            {s.lockedUntil && ` Locked after wrong codes until ${formatTime(s.lockedUntil)}.`}
          </p>
          <p data-recovery-remaining={s.recoveryCodesRemaining}>
            Recovery codes left: {s.recoveryCodesRemaining} of 10.
          </p>
          <CodeForm
            label="New recovery codes (the old ones stop working): a code from the app"
            action="Renew recovery codes"
            send={async (code) => showRecovery(await post('/auth/totp/recovery-codes', { code }))}
            onDone={done}
          />
          <CodeForm
            label="Remove it: a code from it, or a recovery code"
            action="Remove"
            send={(code) => api('DELETE', '/auth/totp', { code })}
            onDone={done}
          />
        </>
      )}
      {s && !s.enrolled && !enrolment && (
        <>
          <p data-totp-status={s.pending ? 'pending' : 'none'}>
            No authenticator is enrolled. Approval levels that ask for a second factor need one: any
            authenticator app (time-based codes, 6 digits, 30 seconds) will do.
          </p>
          <button type="button" onClick={start}>
            {s.pending ? 'Start again' : 'Enrol an authenticator'}
          </button>
        </>
      )}
      {enrolment && (
        <>
          <p>
            Add this key to your authenticator app (it is shown this once), or open the link on the
            phone that has it:
          </p>
          <dl className="facts">
            <dt>Key</dt>
            <dd>
              <code data-totp-secret>{enrolment.secret}</code>
            </dd>
            <dt>Link</dt>
            <dd>
              <a href={enrolment.otpauthUri}>{enrolment.otpauthUri}</a>
            </dd>
          </dl>
          <CodeForm
            label="The code your app shows now"
            action="Confirm"
            send={async (code) => showRecovery(await post('/auth/totp/confirm', { code }))}
            onDone={done}
          />
        </>
      )}
    </Section>
  );
}

function CodeForm({
  label,
  action,
  send,
  onDone,
}: {
  label: string;
  action: string;
  send: (code: string) => Promise<unknown>;
  onDone: () => void;
}) {
  const id = useId();
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await send(code.replace(/\s/g, ''));
      setCode('');
      onDone();
    } catch (err) {
      setError(err);
      setCode('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="decision"
      aria-label={action}
      onSubmit={(e) => (e.preventDefault(), void submit())}
    >
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          className="otp"
          autoComplete="one-time-code"
          maxLength={24}
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
      </div>
      <ErrorNote error={error} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {action}
        </button>
      </div>
    </form>
  );
}

/**
 * A person's decision on a recommendation left for review: accept it, or override it with
 * another category and team from the lists the model had to choose from, saying why. On one
 * the gate applied (`applied`) there is nothing to accept: the override corrects the case
 * (its team, category and, when chosen, its severity) and counts in the override rate. The
 * decision goes through POST /ai/recommendations/:id/decision (recorded, audited, kept as a
 * labelled example); each refusal the server names is shown under its field.
 */
import { useId, useState } from 'react';
import { ApiError, post } from '../../api.ts';
import { AI_DECIDED } from './ReviewBadge.tsx';
import type { Recommendation } from './types.ts';

type Field = 'category' | 'team' | 'severity' | 'reason';

const SEVERITIES = ['low', 'medium', 'high', 'critical'];

export function ReviewForm({
  r,
  onDone,
  applied = false,
}: {
  r: Recommendation;
  onDone: () => void;
  /** The gate applied it: override only, with a severity to set on the case. */
  applied?: boolean;
}) {
  const id = useId();
  const categories = r.prompt?.categories ?? [];
  const teams = r.prompt?.teams ?? [];
  const [values, setValues] = useState({
    category: r.answer?.category ?? '',
    team: r.answer?.team ?? '',
    severity: '',
    reason: '',
  });
  const [problems, setProblems] = useState<Partial<Record<Field, string>>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const decide = async (decision: 'accept' | 'override') => {
    const reason = values.reason.trim();
    if (decision === 'override') {
      const mine: Partial<Record<Field, string>> = {};
      if (!reason) mine.reason = 'Say why the recommendation was wrong.';
      if (
        values.category === r.answer?.category &&
        values.team === r.answer?.team &&
        values.severity === ''
      )
        mine.team = applied
          ? 'Choose another team, category or severity than the gate applied.'
          : 'Choose another team or category than the recommendation (or accept it).';
      if (Object.keys(mine).length > 0) {
        setProblems(mine);
        setGeneral(null);
        return;
      }
    }
    setBusy(true);
    setProblems({});
    setGeneral(null);
    try {
      await post(
        `/ai/recommendations/${r.id}/decision`,
        decision === 'accept'
          ? { decision, ...(reason ? { reason } : {}) }
          : {
              decision,
              category: values.category,
              team: values.team,
              ...(values.severity ? { severity: values.severity } : {}),
              reason,
            },
      );
      window.dispatchEvent(new Event(AI_DECIDED));
      onDone();
    } catch (error) {
      const named: Partial<Record<Field, string>> = {};
      if (error instanceof ApiError)
        for (const d of error.body.details) {
          const field = d.path.replace(/^body\./, '');
          if (
            field === 'category' ||
            field === 'team' ||
            field === 'severity' ||
            field === 'reason'
          )
            named[field] = d.message;
        }
      setProblems(named);
      setGeneral(
        Object.keys(named).length > 0
          ? null
          : error instanceof ApiError
            ? `${error.code}: ${error.message}`
            : String(error instanceof Error ? error.message : error),
      );
    } finally {
      setBusy(false);
    }
  };

  const describe = (field: Field) =>
    problems[field] ? { 'aria-invalid': true, 'aria-describedby': `${id}-${field}-error` } : {};
  const problem = (field: Field) =>
    problems[field] && (
      <p id={`${id}-${field}-error`} className="field-error" role="alert">
        {problems[field]}
      </p>
    );
  const choice = (field: 'category' | 'team' | 'severity', label: string, options: string[]) => (
    <div className="field">
      <label htmlFor={`${id}-${field}`}>{label}</label>
      <select
        id={`${id}-${field}`}
        value={values[field]}
        onChange={(e) => setValues((v) => ({ ...v, [field]: e.target.value }))}
        {...describe(field)}
      >
        {field === 'severity' && <option value="">keep the case's</option>}
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
            {field !== 'severity' && o === r.answer?.[field]
              ? applied
                ? ' (applied)'
                : ' (recommended)'
              : ''}
          </option>
        ))}
      </select>
      {problem(field)}
    </div>
  );
  return (
    <form
      className="decision"
      aria-label={`${applied ? 'Override' : 'Review'} of recommendation ${r.id}`}
      noValidate
      onSubmit={(e) => e.preventDefault()}
    >
      <div className="filters">
        {choice('category', 'Category', categories)}
        {choice('team', 'Team', teams)}
        {applied && choice('severity', 'Severity', SEVERITIES)}
      </div>
      <div className="field">
        <label htmlFor={`${id}-reason`}>Reason (required to override)</label>
        <textarea
          id={`${id}-reason`}
          rows={2}
          maxLength={1000}
          value={values.reason}
          onChange={(e) => setValues((v) => ({ ...v, reason: e.target.value }))}
          {...describe('reason')}
        />
        {problem('reason')}
      </div>
      {general && (
        <div className="error" role="alert">
          {general}
        </div>
      )}
      <div className="actions">
        {!applied && (
          <button type="button" onClick={() => decide('accept')} disabled={busy}>
            Accept
          </button>
        )}
        <button type="button" className="danger" onClick={() => decide('override')} disabled={busy}>
          Override
        </button>
      </div>
    </form>
  );
}

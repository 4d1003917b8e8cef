import { useId, useState } from 'react';
import { ApiError, post } from '../api.ts';

/** A field an action asks for (src/exceptions/action-inputs.ts ActionInput). */
export interface ActionInput {
  name: string;
  label: string;
  kind: 'text' | 'note';
  required: boolean;
  maxLength: number;
  pattern?: string;
  hint?: string;
  suggestions?: string[];
}

/**
 * The form of an action that takes inputs (book by hand: carrier, tracking reference, note).
 * The server checks the inputs; each refusal it names (`inputs.<name>`, or `note`) is shown
 * under its field, and any other refusal above the button.
 */
export function ActionForm({
  caseId,
  action,
  label,
  hint,
  inputs,
  onDone,
}: {
  caseId: string;
  action: string;
  label: string;
  hint: string;
  inputs: ActionInput[];
  onDone: () => void;
}) {
  const id = useId();
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fieldErrors = new Map<string, string>();
  if (error instanceof ApiError)
    for (const d of error.body.details) fieldErrors.set(d.path.replace(/^inputs\./, ''), d.message);
  const general =
    error instanceof ApiError
      ? error.body.details.some((d) => inputs.some((i) => `inputs.${i.name}` === d.path))
        ? null
        : `${error.code}: ${error.message}`
      : error
        ? String(error instanceof Error ? error.message : error)
        : null;
  const submit = async () => {
    setBusy(true);
    setError(null);
    const given = Object.fromEntries(
      inputs
        .filter((i) => i.name !== 'note' && (values[i.name] ?? '').trim() !== '')
        .map((i) => [i.name, values[i.name]!.trim()]),
    );
    const note = (values.note ?? '').trim();
    try {
      await post(`/exceptions/${caseId}/actions/${action}`, {
        inputs: given,
        ...(note ? { note } : {}),
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
      className="action-form"
      aria-label={label}
      // The server's checks are the ones that count (their messages show under each field).
      noValidate
      onSubmit={(e) => (e.preventDefault(), void submit())}
    >
      <p className="muted small">{hint.charAt(0).toUpperCase() + hint.slice(1)}.</p>
      {inputs.map((input) => {
        const fieldId = `${id}-${input.name}`;
        const problem = fieldErrors.get(input.name);
        const common = {
          id: fieldId,
          name: input.name,
          value: values[input.name] ?? '',
          maxLength: input.maxLength,
          'aria-required': input.required || undefined,
          'aria-invalid': problem ? true : undefined,
          'aria-describedby': problem
            ? `${fieldId}-error`
            : input.hint
              ? `${fieldId}-hint`
              : undefined,
          onChange: (e: { target: { value: string } }) =>
            setValues((v) => ({ ...v, [input.name]: e.target.value })),
        };
        return (
          <div className="field" key={input.name}>
            <label htmlFor={fieldId}>
              {input.label}
              {input.required ? '' : ' (optional)'}
            </label>
            {input.kind === 'note' ? (
              <textarea rows={2} {...common} />
            ) : (
              <input
                {...common}
                autoComplete="off"
                {...(input.suggestions?.length ? { list: `${fieldId}-list` } : {})}
              />
            )}
            {input.suggestions && input.suggestions.length > 0 && (
              <datalist id={`${fieldId}-list`}>
                {input.suggestions.map((s) => (
                  <option key={s} value={s} />
                ))}
              </datalist>
            )}
            {problem ? (
              <p id={`${fieldId}-error`} className="field-error" role="alert">
                {problem}
              </p>
            ) : (
              input.hint && (
                <p id={`${fieldId}-hint`} className="muted small">
                  {input.hint}
                </p>
              )
            )}
          </div>
        );
      })}
      {general && (
        <div className="error" role="alert">
          {general}
        </div>
      )}
      <button type="submit" disabled={busy}>
        {label}
      </button>
    </form>
  );
}

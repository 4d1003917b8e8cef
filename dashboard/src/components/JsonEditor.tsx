import { useId } from 'react';

export type JsonParse = { ok: true; value: unknown } | { ok: false; message: string };

/** JSON.parse with the problem said as line and column (V8 gives a position). */
export function parseJson(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    if (position && !/line \d+/.test(message)) {
      const before = text.slice(0, Number(position[1]));
      const line = before.split('\n').length;
      const column = before.length - before.lastIndexOf('\n');
      return { ok: false, message: `${message} (line ${line}, column ${column})` };
    }
    return { ok: false, message };
  }
}

/** A textarea for JSON with its parse error shown next to it while the text is not valid JSON. */
export function JsonEditor({
  label,
  value,
  onChange,
  rows = 10,
}: {
  label: string;
  value: string;
  onChange: (text: string) => void;
  rows?: number;
}) {
  const id = useId();
  const parsed = parseJson(value);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        className="code"
        rows={rows}
        spellCheck={false}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={!parsed.ok}
        aria-describedby={parsed.ok ? undefined : `${id}-error`}
      />
      {!parsed.ok && (
        <p id={`${id}-error`} className="field-error" role="alert">
          Not valid JSON: {parsed.message}
        </p>
      )}
    </div>
  );
}

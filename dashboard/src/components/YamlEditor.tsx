import { useId, useRef, type UIEvent } from 'react';

/** A problem the server's validation found, as `crossdock validate` says it. */
export interface TextProblem {
  line: number | null;
  path: string;
  message: string;
}

/**
 * A plain textarea for a workflow's YAML with line numbers beside it (hidden from screen
 * readers, who have the caret's line) and the problems listed under it: each names its line
 * and path, marks that line's number, and moves the caret to the line when chosen.
 */
export function YamlEditor({
  label,
  value,
  onChange,
  problems,
  readOnly,
  describedBy,
}: {
  label: string;
  value: string;
  onChange: (text: string) => void;
  problems: TextProblem[];
  readOnly: boolean;
  describedBy?: string;
}) {
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const lines = value.split('\n').length;
  const bad = new Set(problems.map((p) => p.line).filter((l): l is number => l !== null));
  const syncScroll = (e: UIEvent<HTMLTextAreaElement>) => {
    if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
  };
  const goToLine = (line: number) => {
    const el = area.current;
    if (!el) return;
    const start =
      value
        .split('\n')
        .slice(0, line - 1)
        .join('\n').length + (line > 1 ? 1 : 0);
    const end = value.indexOf('\n', start);
    el.focus();
    el.setSelectionRange(start, end === -1 ? value.length : end);
  };
  const described = [problems.length > 0 ? `${id}-problems` : null, describedBy ?? null]
    .filter(Boolean)
    .join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="yaml-editor">
        <div className="gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: lines }, (_, i) => (
            <div key={i} className={bad.has(i + 1) ? 'bad-line' : undefined}>
              {i + 1}
            </div>
          ))}
        </div>
        <textarea
          id={id}
          ref={area}
          className="code"
          rows={Math.min(Math.max(lines + 1, 12), 32)}
          spellCheck={false}
          wrap="off"
          value={value}
          readOnly={readOnly}
          onChange={(e) => onChange(e.target.value)}
          onScroll={syncScroll}
          aria-invalid={problems.length > 0}
          aria-describedby={described || undefined}
        />
      </div>
      {problems.length > 0 && (
        <ul id={`${id}-problems`} className="problems" aria-label="Problems">
          {problems.map((p, i) => (
            <li key={i} data-line={p.line ?? ''}>
              {p.line !== null ? (
                <button type="button" className="linkish" onClick={() => goToLine(p.line!)}>
                  Line {p.line}
                </button>
              ) : (
                <span>Whole file</span>
              )}
              {p.path && (
                <>
                  {' '}
                  <code>{p.path}</code>
                </>
              )}
              : {p.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

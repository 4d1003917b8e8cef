import type { Dispatch, ReactNode, SetStateAction } from 'react';
import { ApiError } from '../api.ts';
import { pretty } from '../format.ts';

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const text =
    error instanceof ApiError
      ? `${error.code}: ${error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
  const details = error instanceof ApiError ? error.body.details : [];
  return (
    <div className="error" role="alert">
      {text}
      {details.length > 0 && (
        <ul>
          {details.map((d) => (
            <li key={d.path}>
              <code>{d.path}</code>: {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

export function Status({ value }: { value: string }) {
  return <span className={`badge badge-${value}`}>{value}</span>;
}

export function Json({ value, label }: { value: unknown; label: string }) {
  if (value === undefined || value === null) return <span className="muted">—</span>;
  return (
    <pre className="json" aria-label={label} tabIndex={0}>
      {pretty(value)}
    </pre>
  );
}

export function Section({
  title,
  children,
  actions,
}: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section className="panel" aria-label={title}>
      <header className="panel-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

export function Pager({
  hasMore,
  onMore,
  loading,
}: {
  hasMore: boolean;
  onMore: () => void;
  loading: boolean;
}) {
  if (!hasMore) return null;
  return (
    <button type="button" className="secondary" onClick={onMore} disabled={loading}>
      {loading ? 'Loading…' : 'Load more'}
    </button>
  );
}

/**
 * Newer / Older over a cursor-paged list: `cursors` is the stack of cursors of the pages
 * behind the one shown (empty: the newest page), `next` the cursor of the next older page.
 */
export function CursorPages({
  cursors,
  setCursors,
  next,
  showPage = false,
}: {
  cursors: string[];
  setCursors: Dispatch<SetStateAction<string[]>>;
  next: string | null | undefined;
  showPage?: boolean;
}) {
  if (cursors.length === 0 && !next) return null;
  return (
    <div className="actions">
      <button
        type="button"
        className="secondary"
        disabled={cursors.length === 0}
        onClick={() => setCursors((c) => c.slice(0, -1))}
      >
        Newer
      </button>
      {showPage && <span className="muted">Page {cursors.length + 1}</span>}
      <button
        type="button"
        className="secondary"
        disabled={!next}
        onClick={() => next && setCursors((c) => [...c, next])}
      >
        Older
      </button>
    </div>
  );
}

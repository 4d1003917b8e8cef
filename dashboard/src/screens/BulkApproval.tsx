import { useEffect, useId, useRef, useState } from 'react';
import { post } from '../api.ts';
import { ErrorNote } from '../components/ui.tsx';
import type { Approval } from './Approvals.tsx';

type Outcome =
  | { id: string; outcome: 'approved'; request: Approval }
  | { id: string; outcome: 'refused'; error: { code: string; message: string } };
type Shown = Outcome & { summary: string };

export interface BulkSelection {
  /** The selected requests, all of one group, in the list's order. */
  ids: string[];
  group: string | null;
  selectable(a: Approval): boolean;
  isSelected(a: Approval): boolean;
  toggle(a: Approval): void;
  selectGroup(group: string): void;
  clear(): void;
  /** How many listed requests are in the group. */
  size(group: string): number;
  /** Whether this row is the first of its group in the list (where "Select all N like this" goes). */
  leads(a: Approval): boolean;
}

/**
 * Which requests are picked for a bulk approval. Only requests of one group (identical:
 * workflow, step, chain, policy decision, level) can be picked together; ids no longer
 * listed (decided, or the list reloaded) drop out by themselves.
 */
export function useBulkSelection(rows: Approval[]): BulkSelection {
  const [picked, setPicked] = useState<string[]>([]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const first = picked.map((id) => byId.get(id)).find((r) => r?.bulkGroup);
  const group = first?.bulkGroup ?? null;
  const ids = rows
    .filter((r) => group !== null && r.bulkGroup === group && picked.includes(r.id))
    .map((r) => r.id);
  const sizes = new Map<string, number>();
  for (const r of rows) if (r.bulkGroup) sizes.set(r.bulkGroup, (sizes.get(r.bulkGroup) ?? 0) + 1);
  return {
    ids,
    group,
    selectable: (a) => a.bulkGroup !== null && (group === null || a.bulkGroup === group),
    isSelected: (a) => ids.includes(a.id),
    toggle: (a) => setPicked(ids.includes(a.id) ? ids.filter((id) => id !== a.id) : [...ids, a.id]),
    selectGroup: (g) => setPicked(rows.filter((r) => r.bulkGroup === g).map((r) => r.id)),
    clear: () => setPicked([]),
    size: (g) => sizes.get(g) ?? 0,
    leads: (a) =>
      a.bulkGroup !== null && rows.find((r) => r.bulkGroup === a.bulkGroup)?.id === a.id,
  };
}

/** The row's checkbox, named after its request for screen readers. */
export function BulkCheckbox({ a, selection }: { a: Approval; selection: BulkSelection }) {
  if (!a.bulkGroup) return null;
  const other = !selection.selectable(a);
  return (
    <input
      type="checkbox"
      aria-label={`Select request ${a.id}: ${a.summary}`}
      checked={selection.isSelected(a)}
      disabled={other}
      title={other ? 'Only requests like the selected ones can be approved together' : undefined}
      onChange={() => selection.toggle(a)}
    />
  );
}

/** "Select all N like this", on the first row of a group of two or more. */
export function SelectAllLike({ a, selection }: { a: Approval; selection: BulkSelection }) {
  const n = a.bulkGroup ? selection.size(a.bulkGroup) : 0;
  if (!a.bulkGroup || n < 2 || !selection.leads(a)) return null;
  return (
    <div>
      <button
        type="button"
        className="linkish small"
        onClick={() => selection.selectGroup(a.bulkGroup!)}
      >
        Select all {n} like this
      </button>
    </div>
  );
}

/** The selection's approve form (optional reason for all), and each request's outcome afterwards. */
export function BulkApproveBar({
  selection,
  rows,
  onDone,
}: {
  selection: BulkSelection;
  rows: Approval[];
  onDone: () => void;
}) {
  const reasonId = useId();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [results, setResults] = useState<Shown[] | null>(null);
  const resultsRef = useRef<HTMLElement>(null);
  // The approved rows leave the list: keep the keyboard in a place that still exists.
  useEffect(() => {
    if (results) resultsRef.current?.focus();
  }, [results]);
  const n = selection.ids.length;
  const approve = async () => {
    const summaries = new Map(rows.map((r) => [r.id, r.summary]));
    setBusy(true);
    setError(null);
    try {
      const answer = await post<{ results: Outcome[] }>('/approvals/bulk-decision', {
        ids: selection.ids,
        decision: 'approve',
        reason: reason.trim() || null,
      });
      setResults(answer.results.map((r) => ({ ...r, summary: summaries.get(r.id) ?? '' })));
      setReason('');
      selection.clear();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      onDone();
    }
  };
  const approved = results?.filter((r) => r.outcome === 'approved').length ?? 0;
  return (
    <>
      {n > 0 && (
        <form
          className="bulk-bar"
          aria-label="Bulk approval"
          onSubmit={(e) => (e.preventDefault(), void approve())}
        >
          <p>
            <strong>{n} selected</strong>{' '}
            <span className="muted small">
              identical requests: same workflow, chain, policy decision and level
            </span>
          </p>
          <div className="field">
            <label htmlFor={reasonId}>Reason for all (optional)</label>
            <input
              id={reasonId}
              type="text"
              maxLength={2000}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
          </div>
          <ErrorNote error={error} />
          <div className="actions">
            <button type="submit" disabled={busy}>
              Approve {n} selected
            </button>
            <button type="button" className="secondary" onClick={selection.clear} disabled={busy}>
              Clear selection
            </button>
          </div>
        </form>
      )}
      {n === 0 && <ErrorNote error={error} />}
      {results && (
        <section
          className="bulk-results"
          aria-label="Bulk approval results"
          tabIndex={-1}
          ref={resultsRef}
        >
          <p role="status">
            {approved} approved, {results.length - approved} refused
          </p>
          <ul>
            {results.map((r) => (
              <li key={r.id} data-bulk-result={r.id} data-outcome={r.outcome}>
                Request {r.id} · {r.summary}:{' '}
                {r.outcome === 'approved' ? (
                  <strong className="good">
                    {r.request.status === 'approved'
                      ? 'approved'
                      : `approved at this level, now at ${r.request.level.name}`}
                  </strong>
                ) : (
                  <>
                    <strong className="bad">refused</strong> ({r.error.code}: {r.error.message})
                  </>
                )}
              </li>
            ))}
          </ul>
          <button type="button" className="secondary small" onClick={() => setResults(null)}>
            Dismiss
          </button>
        </section>
      )}
    </>
  );
}

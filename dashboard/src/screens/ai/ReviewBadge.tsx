/**
 * The count of review tasks waiting, beside "AI recommendations" in the navigation
 * (GET /ai/reviews/waiting). Like the other counts of the dashboard it is read again when a
 * decision is made on the page (the `AI_DECIDED` event the review form sends), and every
 * REFRESH_MS besides, so tasks made by the engine in the meantime appear without a reload.
 * Nothing is shown while none waits.
 */
import { useEffect } from 'react';
import { useGet, useNow } from '../../hooks.ts';

/** Sent on `window` after a decision on a recommendation went through. */
export const AI_DECIDED = 'crossdock:ai-decided';
const REFRESH_MS = 15_000;

export function ReviewBadge() {
  const waiting = useGet<{ waiting: number }>('/ai/reviews/waiting');
  const { reload } = waiting;
  const tick = useNow(REFRESH_MS);
  useEffect(() => {
    window.addEventListener(AI_DECIDED, reload);
    return () => window.removeEventListener(AI_DECIDED, reload);
  }, [reload]);
  useEffect(() => reload(), [tick, reload]);
  const n = waiting.data?.waiting ?? 0;
  if (n === 0) return null;
  return (
    <span className="badge badge-pending nav-count" data-badge="ai-reviews">
      {n}
      <span className="sr-only"> review {n === 1 ? 'task' : 'tasks'} waiting</span>
    </span>
  );
}

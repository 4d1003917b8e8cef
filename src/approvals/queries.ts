import { sql } from 'kysely';
import { toView, type ApprovalView, type Db, type RequestRow } from './model.ts';

export interface ListFilter {
  status?: string;
  assignedTo?: string;
  workflow?: string;
  limit?: number;
  offset?: number;
}
export interface StalledFilter {
  dueBefore?: Date | null;
  openedBefore?: Date | null;
  breachedOnly?: boolean;
  limit?: number;
}

/** Requests, soonest deadline first; with `seats` only those assigned to one of them (an inbox). */
export async function listRequests(
  db: Db,
  filter: ListFilter,
  seats: string[] | null,
): Promise<{ approvals: ApprovalView[]; total: number }> {
  const n = <T>(v: T | undefined | null) => v ?? null;
  const where = sql`
    (${n(filter.status)}::text IS NULL OR r.status = ${n(filter.status)}::text)
    AND (${n(filter.workflow)}::text IS NULL OR r.workflow_id = ${n(filter.workflow)}::text)
    AND (r.status <> 'pending' OR runs.status NOT IN ('completed', 'failed', 'cancelled'))
    AND (${seats === null}::boolean OR EXISTS (SELECT 1 FROM jsonb_array_elements(r.assignees) a WHERE a->>'userId' = ANY(${seats ?? []}::text[])))`;
  const rows = (
    await sql<RequestRow>`SELECT r.* FROM approval_requests r JOIN runs ON runs.id = r.run_id WHERE ${where}
    ORDER BY r.level_due_at ASC NULLS LAST, r.id LIMIT ${filter.limit ?? 50} OFFSET ${filter.offset ?? 0}`.execute(
      db,
    )
  ).rows;
  const total = (
    await sql<{
      n: string;
    }>`SELECT count(*) AS n FROM approval_requests r JOIN runs ON runs.id = r.run_id WHERE ${where}`.execute(
      db,
    )
  ).rows[0]!;
  return { approvals: rows.map(toView), total: Number(total.n) };
}

/**
 * Pending requests that are stalled, for scheduled scans (read-only): past their level's
 * deadline or marked breached, due before `dueBefore` (close to the SLA), or opened before
 * `openedBefore`. With `breachedOnly` only the first kind. Soonest deadline first; `total`
 * counts every match, however many `limit` returns.
 */
export async function listStalledRequests(
  db: Db,
  filter: StalledFilter,
  now: Date,
): Promise<{ approvals: ApprovalView[]; total: number }> {
  const breachedOnly = filter.breachedOnly ?? false;
  const dueBefore = breachedOnly ? null : (filter.dueBefore ?? null);
  const openedBefore = breachedOnly ? null : (filter.openedBefore ?? null);
  const where = sql`r.status = 'pending' AND runs.status NOT IN ('completed', 'failed', 'cancelled')
    AND (r.breached OR r.level_due_at <= ${now}
      OR (${dueBefore}::timestamptz IS NOT NULL AND r.level_due_at <= ${dueBefore}::timestamptz)
      OR (${openedBefore}::timestamptz IS NOT NULL AND r.created_at <= ${openedBefore}::timestamptz))`;
  const rows = (
    await sql<RequestRow>`SELECT r.* FROM approval_requests r JOIN runs ON runs.id = r.run_id WHERE ${where}
    ORDER BY r.level_due_at ASC NULLS LAST, r.id LIMIT ${filter.limit ?? 50}`.execute(db)
  ).rows;
  const total = (
    await sql<{
      n: string;
    }>`SELECT count(*) AS n FROM approval_requests r JOIN runs ON runs.id = r.run_id WHERE ${where}`.execute(
      db,
    )
  ).rows[0]!;
  return { approvals: rows.map(toView), total: Number(total.n) };
}

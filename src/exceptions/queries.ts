import { sql, type Kysely, type RawBuilder } from 'kysely';
import { exceptionErrors, type CaseEvent, type CaseRow, type CaseStatus, type CaseType, type Severity } from './model.ts';
import type { Database } from '../store/index.ts';

export type Db = Kysely<Database>;

export interface CaseFilter {
  status?: CaseStatus;
  type?: CaseType;
  severity?: Severity;
  /** A team name, `user:<id>`, or `none` (unassigned). */
  owner?: string;
  workflowId?: string;
  stepId?: string;
  errorCode?: string;
  /** Opened before this time (older than an age). */
  openedBefore?: Date;
  /** SLA deadline at or after this time (with dueBefore: breached within a window, e.g. since the last scan). */
  dueFrom?: Date;
  /** SLA deadline before this time (breached by then, as `slaBreached` says). */
  dueBefore?: Date;
  /** Keyset pagination: only cases with a smaller id (the list is newest first). */
  beforeId?: string;
  limit?: number;
}

export function assertCaseId(id: string, what?: string): string {
  if (!/^\d{1,18}$/.test(id)) throw exceptionErrors.idInvalid(id, what);
  return id;
}

/**
 * Each filter is added only when given, so the planner sees plain equalities and can use
 * the (column, status, id DESC) indexes of migration 0004; `id < cursor ORDER BY id DESC`
 * keeps every page an index range scan, however deep.
 */
function conditions(f: CaseFilter): RawBuilder<unknown>[] {
  const where: RawBuilder<unknown>[] = [];
  if (f.status) where.push(sql`status = ${f.status}`);
  if (f.type) where.push(sql`type = ${f.type}`);
  if (f.severity) where.push(sql`severity = ${f.severity}`);
  if (f.workflowId) where.push(sql`workflow_id = ${f.workflowId}`);
  if (f.stepId) where.push(sql`step_id = ${f.stepId}`);
  if (f.errorCode) where.push(sql`error_code = ${f.errorCode}`);
  if (f.openedBefore) where.push(sql`opened_at < ${f.openedBefore}`);
  if (f.dueFrom) where.push(sql`due_at >= ${f.dueFrom}`);
  if (f.dueBefore) where.push(sql`due_at < ${f.dueBefore}`);
  if (f.beforeId) where.push(sql`id < ${f.beforeId}::bigint`);
  if (f.owner === 'none') where.push(sql`owner_team IS NULL AND owner_user_id IS NULL`);
  else if (f.owner?.startsWith('user:')) where.push(sql`owner_user_id = ${assertCaseId(f.owner.slice(5), 'a user id')}::bigint`);
  else if (f.owner) where.push(sql`owner_team = ${f.owner}`);
  return where;
}

/** Newest first; `limit + 1` rows so the caller knows whether there is a next page. */
export async function listCases(db: Db, f: CaseFilter, limit: number): Promise<CaseRow[]> {
  const where = conditions(f);
  const clause = where.length === 0 ? sql`` : sql`WHERE ${sql.join(where, sql` AND `)}`;
  return (await sql<CaseRow>`SELECT * FROM exception_cases ${clause} ORDER BY id DESC LIMIT ${limit + 1}`.execute(db)).rows;
}

export interface AgingRow {
  team: string | null;
  /** How many of the boundaries the case's age has reached: 0 is younger than the first. */
  bucket: number;
  breached: boolean;
  count: string | number;
}

/** Cases matching the filter, counted by owner team, age bucket and SLA breach (at `now`). */
export async function caseAging(db: Db, f: CaseFilter, now: Date, boundariesMs: number[]): Promise<AgingRow[]> {
  const where = conditions(f);
  const clause = where.length === 0 ? sql`` : sql`WHERE ${sql.join(where, sql` AND `)}`;
  const age = sql`(extract(epoch from (${now}::timestamptz - opened_at)) * 1000)::float8`;
  const rows = await sql<AgingRow>`
    SELECT owner_team AS team, width_bucket(${age}, ${boundariesMs}::float8[]) AS bucket,
           (due_at IS NOT NULL AND due_at < ${now}::timestamptz) AS breached, count(*) AS count
    FROM exception_cases ${clause} GROUP BY 1, 2, 3`.execute(db);
  return rows.rows;
}

/** The ids a bulk action over a root-cause group acts on (open cases only). */
export async function groupCaseIds(db: Db, g: { workflowId: string | null; stepId: string | null; errorCode: string | null }, max: number): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    SELECT id FROM exception_cases
    WHERE status = 'open' AND workflow_id IS NOT DISTINCT FROM ${g.workflowId}::text
      AND step_id IS NOT DISTINCT FROM ${g.stepId}::text AND error_code IS NOT DISTINCT FROM ${g.errorCode}::text
    ORDER BY id LIMIT ${max}`.execute(db);
  return rows.rows.map((r) => String(r.id));
}

export interface GroupRow {
  workflow_id: string | null;
  step_id: string | null;
  error_code: string | null;
  count: string | number;
  oldest: Date | string;
  sample: string | null;
}

export async function caseGroups(db: Db, status: CaseStatus): Promise<GroupRow[]> {
  const rows = await sql<GroupRow>`
    SELECT workflow_id, step_id, error_code, count(*) AS count, min(opened_at) AS oldest, min(error->>'message') AS sample
    FROM exception_cases WHERE status = ${status}
    GROUP BY workflow_id, step_id, error_code
    ORDER BY count(*) DESC, min(opened_at), workflow_id, step_id, error_code LIMIT 500`.execute(db);
  return rows.rows;
}

export async function loadCase(db: Db, id: string, lock = false): Promise<CaseRow> {
  const row = (await sql<CaseRow>`SELECT * FROM exception_cases WHERE id = ${assertCaseId(id)} ${lock ? sql`FOR UPDATE` : sql``}`.execute(db)).rows[0];
  if (!row) throw exceptionErrors.notFound(id);
  return row;
}

export async function recordEvent(db: Db, caseId: string, at: Date, actor: string, action: string, details: Record<string, unknown> = {}): Promise<void> {
  await sql`INSERT INTO exception_events (case_id, at, actor, action, details) VALUES (${caseId}, ${at}, ${actor}, ${action}, ${JSON.stringify(details)}::jsonb)`.execute(db);
}

export async function caseHistory(db: Db, caseId: string): Promise<CaseEvent[]> {
  const rows = await sql<{ at: Date | string; actor: string; action: string; details: Record<string, unknown> }>`
    SELECT at, actor, action, details FROM exception_events WHERE case_id = ${caseId} ORDER BY id`.execute(db);
  return rows.rows.map((r) => ({ at: new Date(r.at).toISOString(), actor: r.actor, action: r.action, details: r.details }));
}

/** Sets the given columns of one case and its updated_at. */
export async function updateCase(db: Db, id: string, at: Date, set: Record<string, unknown>): Promise<void> {
  const assignments = Object.entries(set).map(([column, value]) => sql`${sql.ref(column)} = ${value}`);
  await sql`UPDATE exception_cases SET ${sql.join([...assignments, sql`updated_at = ${at}`], sql`, `)} WHERE id = ${id}`.execute(db);
}

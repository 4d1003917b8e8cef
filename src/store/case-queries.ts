import { sql, type Kysely, type RawBuilder, type Selectable, type Updateable } from 'kysely';
import type { CaseSeverity, CaseStatus, CaseType, Database } from './schema.ts';

/**
 * The exception queue's reads and writes of exception_cases and exception_events. With
 * engine-cases.ts (the cases the engine opens in its own transactions) this is the one home
 * of both tables. Ids reach here checked (digits only).
 */

type Db = Kysely<Database>;
export type CaseRow = Selectable<Database['exception_cases']>;
export interface CaseHistoryEntry {
  at: string;
  actor: string;
  action: string;
  details: Record<string, unknown>;
}

export interface CaseFilter {
  status?: CaseStatus;
  type?: CaseType;
  severity?: CaseSeverity;
  /** A team name, `user:<id>` (id checked by the caller), or `none` (unassigned). */
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
  else if (f.owner?.startsWith('user:'))
    where.push(sql`owner_user_id = ${f.owner.slice(5)}::bigint`);
  else if (f.owner) where.push(sql`owner_team = ${f.owner}`);
  return where;
}

/** Newest first; `limit + 1` rows so the caller knows whether there is a next page. */
export async function listCases(db: Db, f: CaseFilter, limit: number): Promise<CaseRow[]> {
  const where = conditions(f);
  const clause = where.length === 0 ? sql`` : sql`WHERE ${sql.join(where, sql` AND `)}`;
  return (
    await sql<CaseRow>`SELECT * FROM exception_cases ${clause} ORDER BY id DESC LIMIT ${limit + 1}`.execute(
      db,
    )
  ).rows;
}

export interface AgingRow {
  team: string | null;
  /** How many of the boundaries the case's age has reached: 0 is younger than the first. */
  bucket: number;
  breached: boolean;
  count: string | number;
}

/** Cases matching the filter, counted by owner team, age bucket and SLA breach (at `now`). */
export async function caseAging(
  db: Db,
  f: CaseFilter,
  now: Date,
  boundariesMs: number[],
): Promise<AgingRow[]> {
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
export async function groupCaseIds(
  db: Db,
  g: { workflowId: string | null; stepId: string | null; errorCode: string | null },
  max: number,
): Promise<string[]> {
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
  /** How many of them have a failed run to retry (the rest are business cases). */
  retryable: string;
  count: string | number;
  oldest: Date | string;
  sample: string | null;
}

export async function caseGroups(db: Db, status: CaseStatus): Promise<GroupRow[]> {
  const rows = await sql<GroupRow>`
    SELECT workflow_id, step_id, error_code, count(*) AS count, min(opened_at) AS oldest, min(error->>'message') AS sample,
           count(*) FILTER (WHERE kind = 'run_failed' AND run_id IS NOT NULL) AS retryable
    FROM exception_cases WHERE status = ${status}
    GROUP BY workflow_id, step_id, error_code
    ORDER BY count(*) DESC, min(opened_at), workflow_id, step_id, error_code LIMIT 500`.execute(db);
  return rows.rows;
}

/** A case whose recorded action gave a value to one of its inputs (book by hand's tracking reference). */
export interface ActionInputHolder {
  case: CaseRow;
  at: Date;
  actor: string;
}

/**
 * Serialises every action that gives `value` to the input `input`, across processes, until
 * the caller's transaction ends (a transaction-scoped advisory lock keyed by both: on
 * PostgreSQL concurrent transactions wait here; the embedded store runs one at a time), then
 * returns the cases other than `exceptCaseId` whose history records `action` with that value
 * (newest first, at most 20). A caller that finds none and records its own action in the same
 * transaction is the only one to have given the value: the next waiter sees its row. The
 * history is scanned (no index on the details): an operator's action, taken by hand, pays it.
 */
export async function lockActionInputValue(
  tx: Db,
  action: string,
  input: string,
  value: string,
  exceptCaseId: string,
): Promise<ActionInputHolder[]> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`case-action-input:${action}:${input}`}), hashtext(${value}))`.execute(
    tx,
  );
  const rows = await sql<{ case_id: string; at: Date | string; actor: string }>`
    SELECT case_id, at, actor FROM exception_events
    WHERE action = 'action' AND details->>'action' = ${action} AND details->>${input} = ${value}
      AND case_id <> ${exceptCaseId}::bigint
    ORDER BY id DESC LIMIT 20`.execute(tx);
  const holders: ActionInputHolder[] = [];
  for (const r of rows.rows) {
    const found = await findCase(tx, String(r.case_id));
    if (found) holders.push({ case: found, at: new Date(r.at), actor: r.actor });
  }
  return holders;
}

/** One case; `lock` takes its row lock for the caller's transaction. */
export async function findCase(db: Db, id: string, lock = false): Promise<CaseRow | undefined> {
  const query = db.selectFrom('exception_cases').selectAll().where('id', '=', id);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

export async function recordEvent(
  db: Db,
  caseId: string,
  at: Date,
  actor: string,
  action: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  await db
    .insertInto('exception_events')
    .values({ case_id: caseId, at, actor, action, details: JSON.stringify(details) })
    .execute();
}

export async function caseHistory(db: Db, caseId: string): Promise<CaseHistoryEntry[]> {
  const rows = await db
    .selectFrom('exception_events')
    .select(['at', 'actor', 'action', 'details'])
    .where('case_id', '=', caseId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    action: r.action,
    details: r.details,
  }));
}

/** Sets the given columns of one case and its updated_at. */
export async function updateCase(
  db: Db,
  id: string,
  at: Date,
  set: Updateable<Database['exception_cases']>,
): Promise<void> {
  await db
    .updateTable('exception_cases')
    .set({ ...set, updated_at: at })
    .where('id', '=', id)
    .execute();
}

export interface NewCase {
  kind: 'check' | 'raised';
  runId: string | null;
  stepId: string | null;
  type: CaseType;
  severity: CaseSeverity;
  title: string;
  subject: unknown;
  ownerTeam: string | null;
  ownerUserId: string | null;
  dueAt: Date;
  errorCode: string | null;
  workflowId: string | null;
  details: Record<string, unknown> | null;
  /** With a key the case opens at most once: a second insert finds it (the open_key index). */
  openKey: string | null;
}

/** Opens a case; `created` false when a case with its key exists (that one is returned). */
export async function insertCase(
  db: Db,
  c: NewCase,
  now: Date,
): Promise<{ row: CaseRow; created: boolean }> {
  const inserted = await db
    .insertInto('exception_cases')
    .values({
      run_id: c.runId,
      kind: c.kind,
      status: 'open',
      step_id: c.stepId,
      error: null,
      opened_at: now,
      type: c.type,
      severity: c.severity,
      title: c.title,
      subject: c.subject === null ? null : JSON.stringify(c.subject),
      owner_team: c.ownerTeam,
      owner_user_id: c.ownerUserId,
      due_at: c.dueAt,
      error_code: c.errorCode,
      workflow_id: c.workflowId,
      details: c.details === null ? null : JSON.stringify(c.details),
      open_key: c.openKey,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('open_key').where('open_key', 'is not', null).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { row: inserted, created: true };
  const found = await db
    .selectFrom('exception_cases')
    .selectAll()
    .where('open_key', '=', c.openKey!)
    .executeTakeFirstOrThrow();
  return { row: found, created: false };
}

/** The ids of the open (or retrying) cases whose open key starts with `prefix`. */
export async function openCaseIdsByKeyPrefix(db: Db, prefix: string): Promise<string[]> {
  const rows = await db
    .selectFrom('exception_cases')
    .select('id')
    .where(sql<boolean>`starts_with(open_key, ${prefix})`)
    .where('status', 'in', ['open', 'retrying'])
    .execute();
  return rows.map((r) => String(r.id));
}

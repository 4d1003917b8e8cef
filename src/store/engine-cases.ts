import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

/**
 * The exception cases the engine opens and closes itself, inside the store transaction that
 * caused them: dead letters in the checkpoint's group commit, key conflicts and events out
 * of order in the intake's. The rest of exception_cases and exception_events is in
 * case-queries.ts; both files are the one home of those two tables.
 */

/** What the engine did to an exception case in a checkpoint transaction: a dead letter opened or reopened, a retried case resolved. */
export interface CaseEvent {
  caseId: string;
  /** Null for a case about an event rather than a run (a key conflict, an event out of order). */
  runId: string | null;
  action: 'opened' | 'failed_again' | 'resolved';
  details: Record<string, unknown>;
}
type CaseEventRow = {
  case_id: string;
  run_id: string;
  action: CaseEvent['action'];
  code: string | null;
};

/** Told of the case events in the checkpoint's own transaction (the audit log appends them there: both commit or neither). */
export type CaseEventSink = (tx: Kysely<Database>, events: CaseEvent[]) => Promise<void>;

/** Cases about an event rather than a run are due in 24 hours, as dead letters are. */
const CASE_SLA_MS = 24 * 3_600_000;

export interface EventCase {
  kind: 'event_conflict' | 'event_order';
  title: string;
  errorCode: string;
  workflowId: string | null;
  details: Record<string, unknown>;
  /** Idempotency: the conflict or held event it is about; the open_key index keeps it once. */
  openKey: string;
  /** The history row's details. */
  opened: Record<string, unknown>;
}

/** Opens a medium-severity case about an event (no run), with its 'opened' history row; returns its id. */
export async function openEventCase(
  tx: Kysely<Database>,
  c: EventCase,
  now: Date,
): Promise<string> {
  const opened = await tx
    .insertInto('exception_cases')
    .values({
      run_id: null,
      kind: c.kind,
      status: 'open',
      opened_at: now,
      type: c.kind,
      severity: 'medium',
      title: c.title,
      error_code: c.errorCode,
      workflow_id: c.workflowId,
      details: JSON.stringify(c.details),
      open_key: c.openKey,
      due_at: new Date(now.getTime() + CASE_SLA_MS),
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx
    .insertInto('exception_events')
    .values({
      case_id: opened.id,
      at: now,
      actor: 'engine',
      action: 'opened',
      details: JSON.stringify(c.opened),
    })
    .execute();
  return String(opened.id);
}

/** A replay made outside the queue closes the run's open dead letter as replayed, in the replay's transaction. */
export async function closeDeadLetterAsReplayed(
  tx: Kysely<Database>,
  runId: string,
  now: Date,
): Promise<void> {
  await tx
    .updateTable('exception_cases')
    .set({ status: 'replayed', closed_at: now, updated_at: now })
    .where('run_id', '=', runId)
    .where('status', '=', 'open')
    .where('kind', '=', 'run_failed')
    .execute();
}

/**
 * One dead-letter case per failed run (src/exceptions shows and works them). A run that
 * fails again after the queue retried it (case 'retrying') or after a replay ('replayed')
 * reopens that case instead of opening another. An Odoo business refusal (an Odoo code of
 * category user, docs/error-codes-odoo.md) is typed odoo_refusal. Defaults, documented in
 * docs/EXCEPTIONS.md: severity high (medium for a refusal), unassigned, due in 24 hours.
 */
export async function openDeadLetters(tx: Kysely<Database>, json: string): Promise<CaseEvent[]> {
  const events = await sql<CaseEventRow>`
    WITH failed AS (
      SELECT x.run_id, x.step_id, x.error, x.ended_at, r.workflow_id, r.input,
             CASE WHEN x.error->>'category' = 'user' AND left(x.error->>'code', 5) = 'ODOO_' THEN 'odoo_refusal' ELSE 'dead_letter' END AS type
      FROM jsonb_to_recordset(${json}::jsonb) AS x(run_id bigint, step_id text, error jsonb, ended_at timestamptz, open_case boolean)
      JOIN runs r ON r.id = x.run_id
      WHERE x.open_case
    ), reopened AS (
      UPDATE exception_cases c SET status = 'open', step_id = f.step_id, error = f.error, error_code = f.error->>'code', type = f.type,
             closed_at = NULL, reason_code = NULL, resolution = NULL, updated_at = f.ended_at
      FROM failed f
      WHERE c.id = (SELECT max(l.id) FROM exception_cases l WHERE l.run_id = f.run_id AND l.kind = 'run_failed')
        AND c.status IN ('retrying', 'replayed')
      RETURNING c.id, c.run_id, f.ended_at, f.error
    ), opened AS (
      INSERT INTO exception_cases (run_id, kind, status, step_id, error, opened_at, type, severity, title, error_code, workflow_id, input, due_at, updated_at)
      SELECT f.run_id, 'run_failed', 'open', f.step_id, f.error, f.ended_at, f.type, CASE WHEN f.type = 'odoo_refusal' THEN 'medium' ELSE 'high' END,
             f.workflow_id || ' failed at ' || coalesce(f.step_id, 'its end'), f.error->>'code', f.workflow_id, f.input, f.ended_at + interval '24 hours', f.ended_at
      FROM failed f WHERE NOT EXISTS (SELECT 1 FROM reopened o WHERE o.run_id = f.run_id)
      ON CONFLICT (run_id) WHERE kind = 'run_failed' AND status IN ('open', 'retrying') DO NOTHING
      RETURNING id, run_id, opened_at AS ended_at, error
    ), history AS (
      INSERT INTO exception_events (case_id, at, actor, action, details)
      SELECT id, ended_at, 'engine', 'opened', jsonb_build_object('code', error->>'code') FROM opened
      UNION ALL
      SELECT id, ended_at, 'engine', 'failed_again', jsonb_build_object('code', error->>'code') FROM reopened
    )
    SELECT id AS case_id, run_id, 'opened' AS action, error->>'code' AS code FROM opened
    UNION ALL
    SELECT id, run_id, 'failed_again', error->>'code' FROM reopened`.execute(tx);
  return events.rows.map((e) => ({
    caseId: String(e.case_id),
    runId: String(e.run_id),
    action: e.action,
    details: { code: e.code },
  }));
}

/** A run the queue retried has completed: its case closes as resolved, atomically with the run's end. */
export async function closeRetriedCases(tx: Kysely<Database>, json: string): Promise<CaseEvent[]> {
  const events = await sql<CaseEventRow>`
    WITH done AS (
      SELECT run_id, ended_at FROM jsonb_to_recordset(${json}::jsonb) AS x(run_id bigint, ended_at timestamptz, run_status text)
      WHERE run_status = 'completed'
    ), closed AS (
      UPDATE exception_cases c SET status = 'resolved', reason_code = 'fixed_by_retry', closed_at = d.ended_at, updated_at = d.ended_at
      FROM done d WHERE c.run_id = d.run_id AND c.kind = 'run_failed' AND c.status = 'retrying'
      RETURNING c.id, c.run_id, d.ended_at
    ), history AS (
      INSERT INTO exception_events (case_id, at, actor, action, details)
      SELECT id, ended_at, 'engine', 'resolved', '{"reasonCode":"fixed_by_retry","note":"the run completed"}'::jsonb FROM closed
    )
    SELECT id AS case_id, run_id, 'resolved' AS action, NULL AS code FROM closed`.execute(tx);
  return events.rows.map((e) => ({
    caseId: String(e.case_id),
    runId: String(e.run_id),
    action: e.action,
    details: { reasonCode: 'fixed_by_retry' },
  }));
}

import { sql, type Kysely } from 'kysely';
import type { Database, RunStatus } from './schema.ts';
import { wakeRunSql } from './run-queries.ts';

/** One step outcome and what it does to its run; see writeCheckpoints. */
export interface CheckpointRecord {
  runId: string;
  seq: number;
  attempt: number;
  stepId: string;
  stepType: string;
  stepStatus: 'completed' | 'failed' | 'waiting';
  output: unknown;
  error: unknown;
  startedAt: Date;
  endedAt: Date;
  run: {
    status: Extract<RunStatus, 'running' | 'ready' | 'waiting' | 'completed' | 'failed'>;
    cursor: string | null;
    seq: number;
    stepAttempt: number;
    /** When the run is due again (retry backoff, wait deadline); null keeps it. 'infinity' for a wait with no deadline. */
    availableAt: Date | 'infinity' | null;
    output?: unknown;
    error?: unknown;
  };
  /** The run ends in a dead letter: open an exception case for it. */
  openCase: boolean;
  parentRunId: string | null;
  /** Signal name that tells the parent this child ended, with its result. */
  parentSignal: { name: string; payload: unknown } | null;
}

/**
 * Writes a batch of step checkpoints in one transaction (group commit). Every record is
 * fenced on the lease: it is written only if this worker still holds the run and the
 * run is still running (not cancelled, not taken over after a lease expiry). Returns the
 * run ids that were written; the others were lost and must be dropped by the caller.
 *
 * Invariant: a run's next step is scheduled only after its checkpoint is in this commit.
 */
/** What the engine did to an exception case in a checkpoint transaction: a dead letter opened or reopened, a retried case resolved. */
export interface CaseEvent {
  caseId: string;
  /** Null for a case about an event rather than a run (a key conflict, an event out of order). */
  runId: string | null;
  action: 'opened' | 'failed_again' | 'resolved';
  details: Record<string, unknown>;
}
type CaseEventRow = { case_id: string; run_id: string; action: CaseEvent['action']; code: string | null };

/** Told of the case events in the checkpoint's own transaction (the audit log appends them there: both commit or neither). */
export type CaseEventSink = (tx: Kysely<Database>, events: CaseEvent[]) => Promise<void>;

export async function writeCheckpoints(db: Kysely<Database>, workerId: string, records: CheckpointRecord[], caseEvents?: CaseEventSink): Promise<Set<string>> {
  const rows = records.map((r) => ({
    run_id: r.runId,
    seq: r.seq,
    attempt: r.attempt,
    step_id: r.stepId,
    step_type: r.stepType,
    step_status: r.stepStatus,
    output: r.output ?? null,
    error: r.error ?? null,
    started_at: r.startedAt.toISOString(),
    ended_at: r.endedAt.toISOString(),
    run_status: r.run.status,
    cursor: r.run.cursor,
    new_seq: r.run.seq,
    step_attempt: r.run.stepAttempt,
    available_at: r.run.availableAt === null ? null : r.run.availableAt === 'infinity' ? 'infinity' : r.run.availableAt.toISOString(),
    run_output: r.run.output === undefined ? null : r.run.output,
    run_error: r.run.error === undefined ? null : r.run.error,
    release: r.run.status !== 'running',
    ended: r.run.status === 'completed' || r.run.status === 'failed',
    open_case: r.openCase,
    parent_run_id: r.parentRunId,
    parent_signal: r.parentSignal?.name ?? null,
    parent_payload: r.parentSignal?.payload ?? null,
  }));
  return db.transaction().execute(async (tx) => {
    const written = await sql<{ run_id: string }>`
      WITH input AS (
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(
          run_id bigint, seq int, attempt int, step_id text, step_type text, step_status text,
          output jsonb, error jsonb, started_at timestamptz, ended_at timestamptz,
          run_status text, cursor text, new_seq int, step_attempt int, available_at timestamptz,
          run_output jsonb, run_error jsonb, release boolean, ended boolean)
      ), fenced AS (
        UPDATE runs r SET
          status = i.run_status, cursor = i.cursor, seq = i.new_seq, step_attempt = i.step_attempt,
          -- A signal that came while the run was running must not be parked with it.
          available_at = CASE WHEN i.run_status = 'waiting' AND r.wake_pending THEN i.ended_at
                              ELSE coalesce(i.available_at, r.available_at) END,
          wake_pending = CASE WHEN i.run_status = 'waiting' THEN false ELSE r.wake_pending END,
          output = CASE WHEN i.ended THEN i.run_output ELSE r.output END,
          error = CASE WHEN i.ended THEN i.run_error ELSE r.error END,
          lease_owner = CASE WHEN i.release THEN NULL ELSE r.lease_owner END,
          lease_expires_at = CASE WHEN i.release THEN NULL ELSE r.lease_expires_at END,
          ended_at = CASE WHEN i.ended THEN i.ended_at ELSE NULL END,
          updated_at = i.ended_at
        FROM input i
        WHERE r.id = i.run_id AND r.lease_owner = ${workerId} AND r.status = 'running'
        RETURNING r.id
      )
      INSERT INTO run_steps (run_id, seq, attempt, step_id, step_type, status, output, error, started_at, ended_at)
      SELECT i.run_id, i.seq, i.attempt, i.step_id, i.step_type, i.step_status, i.output, i.error, i.started_at, i.ended_at
      FROM input i JOIN fenced f ON f.id = i.run_id
      ON CONFLICT (run_id, seq, attempt) DO UPDATE
        SET status = excluded.status, output = excluded.output, error = excluded.error, ended_at = excluded.ended_at
      RETURNING run_id`.execute(tx);
    const ids = new Set(written.rows.map((r) => String(r.run_id)));
    const follow = rows.filter((r) => ids.has(r.run_id) && (r.open_case || r.parent_signal !== null || r.run_status === 'completed'));
    if (follow.length > 0) {
      const events = await writeFollowUps(tx, follow);
      if (events.length > 0 && caseEvents) await caseEvents(tx, events);
    }
    return ids;
  });
}

type FollowUp = { run_id: string; step_id: string; error: unknown; ended_at: string; open_case: boolean; run_status: string; parent_run_id: string | null; parent_signal: string | null; parent_payload: unknown };

/** Dead-letter cases, closing retried cases, and parent wake-ups, in the same transaction as the checkpoints. */
async function writeFollowUps(tx: Kysely<Database>, rows: FollowUp[]): Promise<CaseEvent[]> {
  const json = JSON.stringify(rows);
  const events: CaseEvent[] = [];
  if (rows.some((r) => r.open_case)) events.push(...(await openDeadLetters(tx, json)));
  if (rows.some((r) => r.run_status === 'completed')) events.push(...(await closeRetriedCases(tx, json)));
  if (!rows.some((r) => r.parent_signal !== null)) return events;
  await sql`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${json}::jsonb)
        AS x(parent_run_id bigint, parent_signal text, parent_payload jsonb, ended_at timestamptz)
      WHERE parent_signal IS NOT NULL
    ), sent AS (
      INSERT INTO signals (run_id, name, payload, sent_at)
      SELECT parent_run_id, parent_signal, parent_payload, ended_at FROM input
      RETURNING run_id
    )
    UPDATE runs SET ${wakeRunSql(sql.ref('i.ended_at'))}, updated_at = i.ended_at
    FROM input i WHERE runs.id = i.parent_run_id AND runs.status NOT IN ('completed', 'failed', 'cancelled')`.execute(tx);
  return events;
}

/**
 * One dead-letter case per failed run (src/exceptions shows and works them). A run that
 * fails again after the queue retried it (case 'retrying') or after a replay ('replayed')
 * reopens that case instead of opening another. An Odoo business refusal (an Odoo code of
 * category user, docs/error-codes-odoo.md) is typed odoo_refusal. Defaults, documented in
 * docs/EXCEPTIONS.md: severity high (medium for a refusal), unassigned, due in 24 hours.
 */
async function openDeadLetters(tx: Kysely<Database>, json: string): Promise<CaseEvent[]> {
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
  return events.rows.map((e) => ({ caseId: String(e.case_id), runId: String(e.run_id), action: e.action, details: { code: e.code } }));
}

/** A run the queue retried has completed: its case closes as resolved, atomically with the run's end. */
async function closeRetriedCases(tx: Kysely<Database>, json: string): Promise<CaseEvent[]> {
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
  return events.rows.map((e) => ({ caseId: String(e.case_id), runId: String(e.run_id), action: e.action, details: { reasonCode: 'fixed_by_retry' } }));
}

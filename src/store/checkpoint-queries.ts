import { sql, type Kysely } from 'kysely';
import type { Database, RunStatus } from './schema.ts';
import {
  closeRetriedCases,
  openDeadLetters,
  type CaseEvent,
  type CaseEventSink,
} from './engine-cases.ts';
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
 * Writes a batch of step checkpoints (group commit). Every record is fenced on the lease: it
 * is written only if this worker still holds the run and the run is still running (not
 * cancelled, not taken over after a lease expiry). Returns the run ids that were written;
 * the others were lost and must be dropped by the caller.
 *
 * A batch with nothing to follow up (no dead letter, no parent to tell, no retried case to
 * close) is one statement, atomic on its own: no BEGIN and COMMIT round trips. Whether a
 * completed run has a retried case to close is only known in the database, so that statement
 * writes nothing when one has, and the batch is written again in a transaction that closes
 * the case and tells `caseEvents` (the audit log) in the same commit.
 *
 * Invariant: a run's next step is scheduled only after its checkpoint is in this commit, but
 * for a pure step's (StepType.pure), which may be in the next step's.
 */
export async function writeCheckpoints(
  db: Kysely<Database>,
  workerId: string,
  records: CheckpointRecord[],
  caseEvents?: CaseEventSink,
): Promise<Set<string>> {
  // A run may have several records, its steps since its last commit (a pure step's goes with
  // the next one's): each is a step row, and its last says where the run stands.
  const lastOfRun = new Map(records.map((r, i) => [r.runId, i]));
  const rows = records.map((r, i) => checkpointRow(r, lastOfRun.get(r.runId) === i));
  const json = JSON.stringify(rows);
  if (!rows.some((r) => r.open_case || r.parent_signal !== null)) {
    const alone = await checkpointStatement(db, workerId, json, true);
    if (!alone.blocked) return alone.written;
  }
  return db.transaction().execute(async (tx) => {
    const { written: ids } = await checkpointStatement(tx, workerId, json, false);
    const follow = rows.filter(
      (r) =>
        ids.has(r.run_id) &&
        (r.open_case || r.parent_signal !== null || r.run_status === 'completed'),
    );
    if (follow.length > 0) {
      const events = await writeFollowUps(tx, follow);
      if (events.length > 0 && caseEvents) await caseEvents(tx, events);
    }
    return ids;
  });
}

type CheckpointRow = ReturnType<typeof checkpointRow>;

function checkpointRow(r: CheckpointRecord, last: boolean) {
  return {
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
    available_at:
      r.run.availableAt === null
        ? null
        : r.run.availableAt === 'infinity'
          ? 'infinity'
          : r.run.availableAt.toISOString(),
    run_output: r.run.output === undefined ? null : r.run.output,
    run_error: r.run.error === undefined ? null : r.run.error,
    release: r.run.status !== 'running',
    ended: r.run.status === 'completed' || r.run.status === 'failed',
    open_case: r.openCase,
    parent_run_id: r.parentRunId,
    parent_signal: r.parentSignal?.name ?? null,
    parent_payload: r.parentSignal?.payload ?? null,
    last,
  };
}

/**
 * The fenced run updates and step rows of a batch. With `alone`, it writes nothing at all
 * (`blocked`) when a run it completes has a case the queue retried: closing that case, and
 * its audit entry, need the transaction the caller then opens.
 */
async function checkpointStatement(
  db: Kysely<Database>,
  workerId: string,
  json: string,
  alone: boolean,
): Promise<{ written: Set<string>; blocked: boolean }> {
  const result = await sql<{ run_id: string | null }>`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${json}::jsonb) AS x(
        run_id bigint, seq int, attempt int, step_id text, step_type text, step_status text,
        output jsonb, error jsonb, started_at timestamptz, ended_at timestamptz,
        run_status text, cursor text, new_seq int, step_attempt int, available_at timestamptz,
        run_output jsonb, run_error jsonb, release boolean, ended boolean, last boolean)
    ), blocked AS (
      SELECT 1 FROM input i JOIN exception_cases c ON c.run_id = i.run_id
      WHERE ${alone} AND i.last AND i.run_status = 'completed' AND c.kind = 'run_failed' AND c.status = 'retrying'
      LIMIT 1
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
      WHERE r.id = i.run_id AND i.last AND r.lease_owner = ${workerId} AND r.status = 'running'
        AND NOT EXISTS (SELECT 1 FROM blocked)
      RETURNING r.id
    ), steps AS (
      INSERT INTO run_steps (run_id, seq, attempt, step_id, step_type, status, output, error, started_at, ended_at)
      SELECT i.run_id, i.seq, i.attempt, i.step_id, i.step_type, i.step_status, i.output, i.error, i.started_at, i.ended_at
      FROM input i JOIN fenced f ON f.id = i.run_id
      ON CONFLICT (run_id, seq, attempt) DO UPDATE
        SET status = excluded.status, output = excluded.output, error = excluded.error, ended_at = excluded.ended_at
      RETURNING run_id
    )
    SELECT run_id FROM steps UNION ALL SELECT NULL FROM blocked`.execute(db);
  const written = new Set<string>();
  let blocked = false;
  for (const row of result.rows) {
    if (row.run_id === null) blocked = true;
    else written.add(String(row.run_id));
  }
  return { written, blocked };
}

/** Dead-letter cases, closing retried cases, and parent wake-ups, in the same transaction as the checkpoints. */
async function writeFollowUps(tx: Kysely<Database>, rows: CheckpointRow[]): Promise<CaseEvent[]> {
  const json = JSON.stringify(rows);
  const events: CaseEvent[] = [];
  if (rows.some((r) => r.open_case)) events.push(...(await openDeadLetters(tx, json)));
  if (rows.some((r) => r.run_status === 'completed'))
    events.push(...(await closeRetriedCases(tx, json)));
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
    FROM input i WHERE runs.id = i.parent_run_id AND runs.status NOT IN ('completed', 'failed', 'cancelled')`.execute(
    tx,
  );
  return events;
}

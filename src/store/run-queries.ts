import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, RunStatus } from './schema.ts';

export interface ClaimedRun {
  id: string;
  workflow_id: string;
  workflow_hash: string;
  event_id: string | null;
  parent_run_id: string | null;
  status: RunStatus;
  input: unknown;
  cursor: string | null;
  seq: number;
  step_attempt: number;
  concurrency_key: string | null;
  concurrency_limit: number | null;
  /** When the run's work is due by (its priority); null: none. */
  due_by: Date | null;
  /** The event that started the run (null for a child run), read by the claim itself. */
  event: ClaimedEvent | null;
  /** The run's checkpoints, oldest first (none for a run that has not run a step). */
  steps: StepRow[];
}

/** An event as a run's expressions see it (`event`). */
export interface ClaimedEvent {
  id: string;
  source: string;
  type: string;
  key: string;
  payload: unknown;
  receivedAt: string;
}

/**
 * Leases up to `limit` runs that are due: ready or waiting with available_at <= now, or
 * running under a lease that expired (its worker died). Runs with a priority (`due_by`) go
 * first, the earliest due first; the rest follow by available_at. Each part (prioritized,
 * plain, lease expired) walks its own partial index in claim order (runs_claimable_due,
 * runs_claimable, runs_leases) and stops at `limit`, so the claim never sorts the backlog.
 * Each part locks up to `limit` rows and the first `limit` of them are taken: the rows locked
 * beyond it are left as they were and freed when the statement commits (other claimers skip
 * them meanwhile).
 * SKIP LOCKED lets many workers claim at once without blocking on each other's rows.
 * `driving` are the runs this worker is still driving: never claimed again by it, whatever
 * their lease says (its checkpoints are fenced on the worker, so a second driver of its own
 * would not be fenced out); its heartbeat renews them instead.
 */
export async function claimRuns(
  db: Kysely<Database>,
  workerId: string,
  limit: number,
  now: Date,
  leaseMs: number,
  driving: readonly string[] = [],
): Promise<ClaimedRun[]> {
  const leaseUntil = new Date(now.getTime() + leaseMs);
  const notDriving = sql`id <> ALL(${[...driving]}::bigint[])`;
  // The run's event and checkpoints come with the claim: one round trip to start a batch.
  const result = await sql<
    Omit<ClaimedRun, 'steps' | 'event'> & {
      steps: StepRow[] | null;
      event: (Omit<ClaimedEvent, 'receivedAt'> & { receivedAt: string }) | null;
    }
  >`
    WITH urgent AS (
      SELECT id, due_by, available_at FROM runs
      WHERE status IN ('ready', 'waiting') AND due_by IS NOT NULL AND available_at <= ${now} AND ${notDriving}
      ORDER BY due_by, available_at, id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ), plain AS (
      SELECT id, due_by, available_at FROM runs
      WHERE status IN ('ready', 'waiting') AND due_by IS NULL AND available_at <= ${now} AND ${notDriving}
      ORDER BY available_at, id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ), expired AS (
      SELECT id, NULL::timestamptz AS due_by, available_at FROM runs
      WHERE status = 'running' AND lease_expires_at < ${now} AND ${notDriving}
      ORDER BY lease_expires_at, id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ), claimed AS (
      UPDATE runs r SET status = 'running', lease_owner = ${workerId}, lease_expires_at = ${leaseUntil},
                        started_at = coalesce(r.started_at, ${now}), updated_at = ${now}
      FROM (SELECT id FROM (SELECT 0 AS half, * FROM urgent UNION ALL SELECT 1, * FROM plain
                            UNION ALL SELECT 1, * FROM expired) candidates
            ORDER BY half, due_by, available_at, id LIMIT ${limit}) due
      WHERE r.id = due.id
      RETURNING r.id, r.workflow_id, r.workflow_hash, r.event_id, r.parent_run_id, r.status, r.input,
                r.cursor, r.seq, r.step_attempt, r.concurrency_key, r.concurrency_limit, r.due_by
    )
    SELECT c.*,
           CASE WHEN e.id IS NULL THEN NULL ELSE jsonb_build_object(
             'id', e.id::text, 'source', e.source, 'type', e.type, 'key', e.dedupe_key,
             'payload', e.payload, 'receivedAt', e.received_at) END AS event,
           (SELECT jsonb_agg(jsonb_build_object('seq', s.seq, 'attempt', s.attempt, 'step_id', s.step_id,
                     'status', s.status, 'output', s.output, 'error', s.error) ORDER BY s.seq, s.attempt)
            FROM run_steps s WHERE s.run_id = c.id) AS steps
    FROM claimed c LEFT JOIN events e ON e.id = c.event_id
    ORDER BY c.due_by, c.id`.execute(db);
  return result.rows.map((row) => ({
    ...row,
    id: String(row.id),
    steps: row.steps ?? [],
    event: row.event && { ...row.event, receivedAt: new Date(row.event.receivedAt).toISOString() },
  }));
}

/** Extends the leases this worker holds; returns how many it still holds. */
export async function renewLeases(
  db: Kysely<Database>,
  workerId: string,
  runIds: string[],
  now: Date,
  leaseMs: number,
): Promise<string[]> {
  if (runIds.length === 0) return [];
  const result = await sql<{ id: string }>`
    UPDATE runs SET lease_expires_at = ${new Date(now.getTime() + leaseMs)}
    WHERE id = ANY(${runIds}::bigint[]) AND lease_owner = ${workerId} AND status = 'running'
    RETURNING id`.execute(db);
  return result.rows.map((r) => String(r.id));
}

/**
 * What a worker with nothing to do needs to know, in one read: when the next parked run is
 * due or a lease runs out (null: nothing is), and whether runs wait for admission.
 */
export async function idleState(
  db: Kysely<Database>,
): Promise<{ nextDue: Date | null; queued: boolean }> {
  const result = await sql<{ at: Date | null; queued: boolean }>`
    SELECT least(
      (SELECT min(available_at) FROM runs WHERE status IN ('ready', 'waiting')),
      (SELECT min(lease_expires_at) FROM runs WHERE status = 'running')) AS at,
      EXISTS (SELECT 1 FROM runs WHERE status = 'queued') AS queued`.execute(db);
  const row = result.rows[0];
  const at = row?.at ?? null;
  return {
    nextDue: at === null || !Number.isFinite(new Date(at).getTime()) ? null : new Date(at),
    queued: row?.queued === true,
  };
}

const ADMISSION_LOCK = 7_401_002;

/**
 * Moves queued runs to ready where their concurrency key has no active run and their
 * workflow is under its limit. Serialised by an advisory lock so two workers never
 * admit past a limit; the unique index on active keys is the backstop.
 */
export async function admitQueuedRuns(
  db: Kysely<Database>,
  now: Date,
  batch = 1000,
): Promise<number> {
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${ADMISSION_LOCK})`.execute(tx);
    const result = await sql<{ id: string }>`
      WITH candidates AS (
        SELECT id, workflow_id, concurrency_key, concurrency_limit,
               row_number() OVER (PARTITION BY concurrency_key ORDER BY id) AS key_rank,
               row_number() OVER (PARTITION BY workflow_id ORDER BY id) AS workflow_rank
        FROM (SELECT * FROM runs WHERE status = 'queued' ORDER BY id LIMIT ${batch}) q
      ), busy_keys AS (
        SELECT DISTINCT concurrency_key FROM runs
        WHERE status IN ('ready', 'running', 'waiting')
          AND concurrency_key IN (SELECT concurrency_key FROM candidates WHERE concurrency_key IS NOT NULL)
      ), active_per_workflow AS (
        SELECT workflow_id, count(*) AS active FROM runs
        WHERE status IN ('ready', 'running', 'waiting')
          AND workflow_id IN (SELECT workflow_id FROM candidates WHERE concurrency_limit IS NOT NULL)
        GROUP BY workflow_id
      )
      UPDATE runs r SET status = 'ready', available_at = ${now}, updated_at = ${now}
      FROM candidates c LEFT JOIN active_per_workflow w ON w.workflow_id = c.workflow_id
      WHERE r.id = c.id
        AND (c.concurrency_key IS NULL
             OR (c.key_rank = 1 AND NOT EXISTS (SELECT 1 FROM busy_keys b WHERE b.concurrency_key = c.concurrency_key)))
        AND (c.concurrency_limit IS NULL OR coalesce(w.active, 0) + c.workflow_rank <= c.concurrency_limit)
      RETURNING r.id`.execute(tx);
    return result.rows.length;
  });
}

export interface StepRow {
  seq: number;
  attempt: number;
  step_id: string;
  status: 'completed' | 'failed' | 'waiting';
  output: unknown;
  error: unknown;
}

/** The checkpoints a run resumes from, oldest first. */
export async function loadStepRows(
  db: Kysely<Database>,
  runIds: string[],
): Promise<Map<string, StepRow[]>> {
  const byRun = new Map<string, StepRow[]>();
  if (runIds.length === 0) return byRun;
  const result = await sql<StepRow & { run_id: string }>`
    SELECT run_id, seq, attempt, step_id, status, output, error FROM run_steps
    WHERE run_id = ANY(${runIds}::bigint[]) ORDER BY run_id, seq, attempt`.execute(db);
  for (const row of result.rows) {
    const id = String(row.run_id);
    const list = byRun.get(id) ?? [];
    list.push(row);
    byRun.set(id, list);
  }
  return byRun;
}

/**
 * What a replay changed about idempotency keys (see engine/scope.ts). Kept as a signal row
 * named REPLAY_SIGNAL, consumed at the position the replay starts, so no step can take it
 * and the run's history shows it; its payload is { fromStep, stoppedAt, again }.
 */
export interface ReplayMarker {
  seq: number;
  fromStep: string;
  /** Where the run had stopped (its cursor when replayed). */
  stoppedAt: string | null;
  /** Steps the operator asked to act again, with a new key. */
  again: string[];
}

export const REPLAY_SIGNAL = 'crossdock:replay';

export async function insertReplayMarker(
  db: Kysely<Database>,
  runId: string,
  marker: ReplayMarker,
  now: Date,
): Promise<void> {
  const payload = { fromStep: marker.fromStep, stoppedAt: marker.stoppedAt, again: marker.again };
  await sql`INSERT INTO signals (run_id, name, payload, sent_at, consumed_seq) VALUES (${runId}, ${REPLAY_SIGNAL}, ${JSON.stringify(payload)}::jsonb, ${now}, ${marker.seq})`.execute(
    db,
  );
}

/** The replay markers of these runs, oldest first. */
export async function loadReplayMarkers(
  db: Kysely<Database>,
  runIds: string[],
): Promise<Map<string, ReplayMarker[]>> {
  const byRun = new Map<string, ReplayMarker[]>();
  if (runIds.length === 0) return byRun;
  const result = await sql<{
    run_id: string;
    consumed_seq: number;
    payload: { fromStep: string; stoppedAt: string | null; again: string[] };
  }>`
    SELECT run_id, consumed_seq, payload FROM signals
    WHERE run_id = ANY(${runIds}::bigint[]) AND name = ${REPLAY_SIGNAL} AND consumed_seq IS NOT NULL ORDER BY run_id, id`.execute(
    db,
  );
  for (const row of result.rows) {
    const list = byRun.get(String(row.run_id)) ?? [];
    list.push({
      seq: row.consumed_seq,
      fromStep: row.payload.fromStep,
      stoppedAt: row.payload.stoppedAt ?? null,
      again: row.payload.again ?? [],
    });
    byRun.set(String(row.run_id), list);
  }
  return byRun;
}

/**
 * Takes the oldest unconsumed signal of this name for the run, marking it consumed at
 * `seq`. A signal already consumed at this same seq is handed out again: that attempt
 * crashed before its checkpoint, so the signal was never acted on.
 */
export async function takeSignal(
  db: Kysely<Database>,
  runId: string,
  name: string,
  seq: number,
): Promise<{ payload: unknown } | undefined> {
  const result = await sql<{ payload: unknown }>`
    UPDATE signals SET consumed_seq = ${seq}
    WHERE id = (SELECT id FROM signals WHERE run_id = ${runId} AND name = ${name}
                  AND (consumed_seq IS NULL OR consumed_seq = ${seq})
                ORDER BY consumed_seq NULLS LAST, id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING payload`.execute(db);
  const row = result.rows[0];
  return row ? { payload: row.payload ?? null } : undefined;
}

/** Stores a signal and wakes the run if it is waiting. Returns false if the run does not exist. */
export async function sendSignal(
  db: Kysely<Database>,
  runId: string,
  name: string,
  payload: unknown,
  now: Date,
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const run = await sql<{ id: string }>`SELECT id FROM runs WHERE id = ${runId}`.execute(tx);
    if (run.rows.length === 0) return false;
    await sql`INSERT INTO signals (run_id, name, payload, sent_at) VALUES (${runId}, ${name}, ${JSON.stringify(payload ?? null)}::jsonb, ${now})`.execute(
      tx,
    );
    await wakeRun(tx, runId, now);
    return true;
  });
}

/**
 * Something the run waits on changed (a signal, a decision): make it due now if it is
 * parked, or mark the wake pending if it is running (see wakeRunSql). An ended run is left alone.
 */
export async function wakeRun(db: Kysely<Database>, runId: string, now: Date): Promise<void> {
  await sql`UPDATE runs SET ${wakeRunSql(sql`${now}::timestamptz`)}, updated_at = ${now}
    WHERE id = ${runId} AND status NOT IN ('completed', 'failed', 'cancelled')`.execute(db);
}

/**
 * Makes a run due now if it is parked, or marks a wake as pending if it is running, so
 * that the checkpoint that parks it sees the mark (the row lock orders the two) and
 * leaves it due instead of parked until its deadline.
 */
export function wakeRunSql(now: RawBuilder<unknown> | ReturnType<typeof sql.ref>) {
  return sql`available_at = CASE WHEN runs.status = 'waiting' THEN ${now} ELSE runs.available_at END,
             wake_pending = (runs.status <> 'waiting')`;
}

export interface NewChildRun {
  parentRunId: string;
  parentSeq: number;
  workflowId: string;
  workflowHash: string;
  firstStepId: string;
  input: unknown;
  concurrencyKey: string | null;
  concurrencyLimit: number | null;
}

/**
 * Starts a child run once per parent step: a second call for the same parent position
 * (a retry, a replay, a crash before the parent's checkpoint) returns the first child.
 */
export async function insertChildRun(
  db: Kysely<Database>,
  child: NewChildRun,
  now: Date,
): Promise<string> {
  const status =
    child.concurrencyKey === null && child.concurrencyLimit === null ? 'ready' : 'queued';
  const inserted = await sql<{ id: string }>`
    INSERT INTO runs (workflow_id, workflow_hash, parent_run_id, parent_seq, status, input, cursor,
                      concurrency_key, concurrency_limit, available_at, created_at, updated_at)
    VALUES (${child.workflowId}, ${child.workflowHash}, ${child.parentRunId}, ${child.parentSeq}, ${status},
            ${JSON.stringify(child.input ?? null)}::jsonb, ${child.firstStepId}, ${child.concurrencyKey},
            ${child.concurrencyLimit}, ${now}, ${now}, ${now})
    ON CONFLICT (parent_run_id, parent_seq) DO NOTHING
    RETURNING id`.execute(db);
  if (inserted.rows[0]) return String(inserted.rows[0].id);
  const existing = await sql<{ id: string }>`
    SELECT id FROM runs WHERE parent_run_id = ${child.parentRunId} AND parent_seq = ${child.parentSeq}`.execute(
    db,
  );
  return String(existing.rows[0]!.id);
}

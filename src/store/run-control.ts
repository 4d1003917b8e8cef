import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import { ENDED_STATUSES, type Database, type RunStatus } from './schema.ts';

/**
 * What people and other capabilities do to runs (list, show, replay, cancel, wake), as
 * opposed to what the worker does (run-queries.ts, checkpoint-queries.ts). Every write to
 * `runs` outside the worker's claim and group commit is in here, but waking a
 * run, which sits with wakeRunSql in run-queries.ts.
 */

type Db = Kysely<Database>;
export type RunRow = Selectable<Database['runs']>;

export interface RunListFilter {
  status?: RunStatus;
  workflowId?: string;
  eventId?: string;
  /** Created at or after / before. */
  since?: Date;
  until?: Date;
  /** Text anywhere in the run's input, case-insensitive. */
  text?: string;
  /** Only runs started, directly or up their parent chain, by an event of these sources. */
  sources?: readonly string[];
  limit: number;
  /** Keyset pagination: only runs with a smaller id (the list is newest first). */
  beforeId?: string;
}

/** Newest first. */
export async function listRuns(db: Db, filter: RunListFilter) {
  let query = db
    .selectFrom('runs')
    .select([
      'id',
      'workflow_id',
      'workflow_hash',
      'status',
      'event_id',
      'parent_run_id',
      'cursor',
      'concurrency_key',
      'created_at',
      'ended_at',
      'error',
    ])
    .orderBy('id', 'desc')
    .limit(filter.limit);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.workflowId) query = query.where('workflow_id', '=', filter.workflowId);
  if (filter.eventId) query = query.where('event_id', '=', filter.eventId);
  if (filter.since) query = query.where('created_at', '>=', filter.since);
  if (filter.until) query = query.where('created_at', '<', filter.until);
  if (filter.text)
    query = query.where(sql<boolean>`strpos(lower(input::text), lower(${filter.text}::text)) > 0`);
  if (filter.sources) query = query.where(runInSources(filter.sources));
  if (filter.beforeId) query = query.where('id', '<', filter.beforeId);
  return query.execute();
}

/**
 * A condition on `runs` (the table's own name as alias): the run belongs to one of the
 * sources. A run belongs to the source of the event that started it, a subflow run to its
 * parent's; a run with no event anywhere up its chain belongs to none.
 */
export function runInSources(sources: readonly string[]): RawBuilder<boolean> {
  return sql<boolean>`EXISTS (
    WITH RECURSIVE chain (id, parent_run_id, event_id) AS (
      SELECT runs.id, runs.parent_run_id, runs.event_id
      UNION ALL
      SELECT p.id, p.parent_run_id, p.event_id FROM runs p JOIN chain c ON p.id = c.parent_run_id
    )
    SELECT 1 FROM chain JOIN events e ON e.id = chain.event_id WHERE e.source = ANY(${[...sources]}::text[]))`;
}

/** Whether the run exists and belongs to one of the sources. */
export async function runWithinSources(
  db: Db,
  runId: string,
  sources: readonly string[],
): Promise<boolean> {
  const found = await db
    .selectFrom('runs')
    .select('id')
    .where('id', '=', runId)
    .where(runInSources(sources))
    .executeTakeFirst();
  return found !== undefined;
}

export async function findRun(db: Db, runId: string): Promise<RunRow | undefined> {
  return db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
}

/** Every step attempt of a run, in order (position, then attempt). */
export async function loadRunSteps(db: Db, runId: string) {
  return db
    .selectFrom('run_steps')
    .selectAll()
    .where('run_id', '=', runId)
    .orderBy('seq')
    .orderBy('attempt')
    .execute();
}

/** A run with its step attempts (in order) and the signals sent to it (oldest first); undefined if there is none. */
export async function loadRunDetail(db: Db, runId: string) {
  const run = await findRun(db, runId);
  if (!run) return undefined;
  const steps = await loadRunSteps(db, runId);
  const signals = await db
    .selectFrom('signals')
    .select(['name', 'payload', 'sent_at', 'consumed_seq'])
    .where('run_id', '=', runId)
    .orderBy('id')
    .execute();
  return { run, steps, signals };
}

export async function runVersion(
  db: Db,
  runId: string,
): Promise<{ workflow_id: string; workflow_hash: string } | undefined> {
  return db
    .selectFrom('runs')
    .select(['workflow_id', 'workflow_hash'])
    .where('id', '=', runId)
    .executeTakeFirst();
}

export async function runStatus(db: Db, runId: string): Promise<RunStatus | undefined> {
  return (await db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirst())
    ?.status;
}

export type ReplayableRow = Pick<
  RunRow,
  | 'status'
  | 'cursor'
  | 'seq'
  | 'workflow_id'
  | 'workflow_hash'
  | 'concurrency_key'
  | 'concurrency_limit'
>;

/** What a replay needs to know of the run; `lock` takes its row lock for the replay's transaction. */
export async function loadReplayable(
  db: Db,
  runId: string,
  lock: boolean,
): Promise<ReplayableRow | undefined> {
  const query = db
    .selectFrom('runs')
    .select([
      'status',
      'cursor',
      'seq',
      'workflow_id',
      'workflow_hash',
      'concurrency_key',
      'concurrency_limit',
    ])
    .where('id', '=', runId);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

/**
 * Puts an ended run back in line at `cursor`, one position past its last checkpoint (the
 * failed attempt stays in the history): queued when it has a concurrency key or limit (the
 * admitter decides), ready otherwise. `input`, when given, replaces the run's input.
 */
export async function restartRun(
  tx: Db,
  runId: string,
  r: { cursor: string; queued: boolean; input?: unknown; now: Date },
): Promise<void> {
  await tx
    .updateTable('runs')
    .set((eb) => ({
      status: r.queued ? 'queued' : 'ready',
      cursor: r.cursor,
      seq: eb('seq', '+', 1),
      step_attempt: 0,
      error: null,
      output: null,
      ended_at: null,
      available_at: r.now,
      updated_at: r.now,
      lease_owner: null,
      lease_expires_at: null,
      ...(r.input === undefined ? {} : { input: JSON.stringify(r.input) }),
    }))
    .where('id', '=', runId)
    .execute();
}

/**
 * Ends a run that has not ended as cancelled, with `error`. Undefined when the run had
 * already ended or does not exist. A running step is abandoned: its checkpoint is fenced
 * on status = 'running' and finds the run cancelled.
 */
export async function cancelRun(
  tx: Db,
  runId: string,
  error: unknown,
  now: Date,
): Promise<{ workflow_id: string; parent_run_id: string | null } | undefined> {
  return tx
    .updateTable('runs')
    .set({
      status: 'cancelled',
      ended_at: now,
      updated_at: now,
      lease_owner: null,
      lease_expires_at: null,
      error: JSON.stringify(error),
    })
    .where('id', '=', runId)
    .where('status', 'not in', ENDED_STATUSES)
    .returning(['workflow_id', 'parent_run_id'])
    .executeTakeFirst();
}

/** The active runs (queued, ready, running, waiting) of a workflow under one concurrency key, oldest first. */
export async function activeRunIds(
  db: Db,
  workflowId: string,
  concurrencyKey: string,
  exceptRunId: string | null,
): Promise<string[]> {
  let query = db
    .selectFrom('runs')
    .select('id')
    .where('workflow_id', '=', workflowId)
    .where('concurrency_key', '=', concurrencyKey)
    .where('status', 'in', ['queued', 'ready', 'running', 'waiting'])
    .orderBy('id');
  if (exceptRunId !== null) query = query.where('id', '<>', exceptRunId);
  return (await query.execute()).map((r) => String(r.id));
}

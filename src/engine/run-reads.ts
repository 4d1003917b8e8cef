import { CrossdockError } from '../errors/index.ts';
import { listRuns, loadRunDetail, type Database, type RunStatus } from '../store/index.ts';
import type { Kysely } from 'kysely';

/**
 * Reading runs: the list and one run's detail, as the API and the command line show them.
 * It needs nothing but the database, so `crossdock runs list` and `runs show` on a free
 * embedded store open the store alone, not a whole instance.
 */

export interface RunSummary {
  id: string;
  workflowId: string;
  workflowVersion: string;
  status: RunStatus;
  eventId: string | null;
  parentRunId: string | null;
  cursor: string | null;
  concurrencyKey: string | null;
  createdAt: string;
  endedAt: string | null;
  error: unknown;
}

export interface RunDetail extends RunSummary {
  input: unknown;
  output: unknown;
  /** When the run is next due; null when it waits with no deadline. */
  availableAt: string | null;
  steps: {
    seq: number;
    attempt: number;
    stepId: string;
    type: string;
    status: string;
    output: unknown;
    error: unknown;
    startedAt: string;
    endedAt: string;
  }[];
  /**
   * Signals sent to the run, oldest first: `consumedSeq` is the step position that took it,
   * null while it waits for a step to take it (a signal that came early is kept).
   */
  signals: { name: string; payload: unknown; sentAt: string; consumedSeq: number | null }[];
}

/** ISO text, or null for no value and for 'infinity' (a wait with no deadline). */
const iso = (d: Date | string | null) => {
  if (d === null) return null;
  const date = new Date(d);
  return Number.isFinite(date.getTime()) ? date.toISOString() : null;
};

/** A listed run as the API and the CLI show it. */
export function toRunSummary(r: Awaited<ReturnType<typeof listRuns>>[number]): RunSummary {
  return {
    id: String(r.id),
    workflowId: r.workflow_id,
    workflowVersion: r.workflow_hash,
    status: r.status,
    eventId: r.event_id && String(r.event_id),
    parentRunId: r.parent_run_id && String(r.parent_run_id),
    cursor: r.cursor,
    concurrencyKey: r.concurrency_key,
    createdAt: iso(r.created_at)!,
    endedAt: iso(r.ended_at),
    error: r.error,
  };
}

export interface RunFilter {
  status?: RunStatus;
  workflowId?: string;
  eventId?: string;
  limit?: number;
  beforeId?: string;
}

/** Runs, newest first, at most 1,000 (50 unless `limit` says). */
export async function listRunSummaries(
  db: Kysely<Database>,
  filter: RunFilter = {},
): Promise<RunSummary[]> {
  const { limit, ...rest } = filter;
  const rows = await listRuns(db, { ...rest, limit: Math.min(limit ?? 50, 1000) });
  return rows.map(toRunSummary);
}

/** One run with its steps and signals. */
export async function showRunDetail(db: Kysely<Database>, runId: string): Promise<RunDetail> {
  const detail = await loadRunDetail(db, assertId(runId));
  if (!detail) throw notFound(runId);
  const { run, steps, signals } = detail;
  return {
    ...toRunSummary(run),
    input: run.input,
    output: run.output,
    availableAt: iso(run.available_at),
    steps: steps.map((s) => ({
      seq: s.seq,
      attempt: s.attempt,
      stepId: s.step_id,
      type: s.step_type,
      status: s.status,
      output: s.output,
      error: s.error,
      startedAt: iso(s.started_at)!,
      endedAt: iso(s.ended_at)!,
    })),
    signals: signals.map((g) => ({
      name: g.name,
      payload: g.payload,
      sentAt: iso(g.sent_at)!,
      consumedSeq: g.consumed_seq,
    })),
  };
}

export function assertId(runId: string): string {
  if (!/^\d{1,18}$/.test(runId))
    throw new CrossdockError('RUN_ID_INVALID', `"${runId}" is not a run id (digits only)`, {
      category: 'user',
      retryable: false,
    });
  return runId;
}

export function notFound(runId: string): CrossdockError {
  return new CrossdockError('RUN_NOT_FOUND', `No run ${runId}`, {
    category: 'user',
    retryable: false,
  });
}

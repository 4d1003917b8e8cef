/**
 * The `ai.triage_queue` step: finds the exception cases opened recently that no triage has
 * seen and announces each once, as an `exception.opened` event keyed by the case, for the
 * operations pack's `exception-triage` workflow to triage. Cases open in many places (a
 * workflow's `raise_exception`, a scheduled check, the engine's dead letters in its
 * checkpoint); reading the queue on a schedule finds all of them without any of those places
 * knowing about triage, and the event's key makes each case announced once however often
 * the sweep runs, after a crash or on two instances.
 */
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { CrossdockError } from '../errors/index.ts';
import type { Database } from '../store/index.ts';
import type { StepType } from '../workflows/index.ts';
import { TRIAGE_USE } from './triage-prompt.ts';

/** The event each new case is announced with, keyed `case:<id>`. */
export const CASE_OPENED_EVENT = { source: 'crossdock', type: 'exception.opened' } as const;
/** The workflow whose own dead letters are not triaged: a failing triage must not feed itself. */
export const TRIAGE_WORKFLOW = 'exception-triage';

export const AiTriageQueueConfig = z.strictObject({
  /** Cases opened this many hours before the slot at most: an older backlog is not triaged at once. */
  since_hours: z.number().positive().max(720).default(24),
  /** Cases announced per sweep at most, oldest first; the next sweep takes the rest. */
  limit: z.int().min(1).max(500).default(50),
});
export type AiTriageQueueConfig = z.infer<typeof AiTriageQueueConfig>;

export interface NewCase {
  id: string;
  title: string;
  code: string | null;
  severity: string;
  team: string | null;
  openedAt: string;
}

/**
 * Open cases opened since `since`, oldest first, that have no triage recommendation and were
 * not announced yet, leaving out the triage workflow's own cases. Reads exception_cases and
 * events without writing them (docs/ARCHITECTURE.md, "Reads that still reach past an owner"):
 * one query, so a sweep sees a consistent queue.
 */
export async function untriagedCases(
  db: Kysely<Database>,
  since: Date,
  limit: number,
): Promise<NewCase[]> {
  const rows = await sql<{
    id: string;
    title: string;
    error_code: string | null;
    severity: string;
    owner_team: string | null;
    opened_at: Date;
  }>`
    SELECT c.id, c.title, c.error_code, c.severity, c.owner_team, c.opened_at
    FROM exception_cases c
    WHERE c.status = 'open' AND c.opened_at >= ${since}
      AND c.workflow_id IS DISTINCT FROM ${TRIAGE_WORKFLOW}
      AND NOT EXISTS (SELECT 1 FROM ai_recommendations r
        WHERE r.use = ${TRIAGE_USE} AND r.case_id = c.id)
      AND NOT EXISTS (SELECT 1 FROM events e
        WHERE e.source = ${CASE_OPENED_EVENT.source} AND e.type = ${CASE_OPENED_EVENT.type}
          AND e.dedupe_key = 'case:' || c.id::text)
    ORDER BY c.id
    LIMIT ${limit}`.execute(db);
  return rows.rows.map((r) => ({
    id: String(r.id),
    title: r.title,
    code: r.error_code,
    severity: r.severity,
    team: r.owner_team,
    openedAt: new Date(r.opened_at).toISOString(),
  }));
}

/** Output: { announced: number, cases: [{ id, runIds }] }. */
export function aiTriageQueueStep(db: Kysely<Database> | null): StepType<AiTriageQueueConfig> {
  return {
    type: 'ai.triage_queue',
    description:
      'Announces each exception case opened recently that no triage has seen, once, as exception.opened',
    config: AiTriageQueueConfig as z.ZodType<AiTriageQueueConfig>,
    sideEffect: true,
    ownIdempotency: 'each case is announced under the key case:<id>; a repeat starts nothing new',
    async execute(ctx, config) {
      if (!db)
        throw new CrossdockError(
          'AI_TRIAGE_UNAVAILABLE',
          'ai.triage_queue steps run only in a Crossdock with a store',
        );
      const since = new Date(ctx.now().getTime() - config.since_hours * 3_600_000);
      const found = await untriagedCases(db, since, config.limit);
      const cases: { id: string; runIds: string[] }[] = [];
      for (const c of found) {
        const accepted = await ctx.emitEvent({
          ...CASE_OPENED_EVENT,
          key: `case:${c.id}`,
          payload: { caseId: c.id, ...omitId(c) },
        });
        cases.push({ id: c.id, runIds: accepted.runIds });
      }
      if (cases.length > 0)
        ctx.log('info', `ai.triage_queue: ${cases.length} new case(s) announced`, {
          cases: cases.map((c) => c.id),
        });
      return { kind: 'done', output: { announced: cases.length, cases } };
    },
    describe: (c) =>
      `would announce the exception cases of the last ${c.since_hours} h that no triage has seen`,
  };
}

function omitId(c: NewCase): Omit<NewCase, 'id'> {
  const { id: _id, ...rest } = c;
  return rest;
}

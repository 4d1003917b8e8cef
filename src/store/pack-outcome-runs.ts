/**
 * The runs of a business pack with the steps they completed, for the outcome reads in
 * pack-outcomes.ts and pack-outcomes-goods.ts (see there for what a range counts).
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;
export type Num = number | string | bigint;

export interface OutcomeRange {
  from: Date;
  to: Date;
}

/**
 * The runs of one workflow with the step ids they completed (`p.steps`) and when the last
 * ended (`p.at`), as `r` and `p` for the caller's select list. A run that ended before the
 * range starts completed no step in it: only runs still active (runs_active) and those that
 * ended in or after the range's start (runs_ended) have their steps read. The statuses are
 * written out, not bound: the planner uses a partial index only for a condition it can see
 * implies the index's own.
 */
export function runsWithSteps(
  workflowId: string,
  range: OutcomeRange | undefined,
): RawBuilder<unknown> {
  const inRange = range
    ? sql`AND (r.status IN ('queued', 'ready', 'running', 'waiting')
           OR (r.status IN ('completed', 'failed', 'cancelled') AND r.ended_at >= ${range.from}))
         AND p.at >= ${range.from} AND p.at < ${range.to}`
    : sql``;
  return sql`runs r
    CROSS JOIN LATERAL (SELECT coalesce(array_agg(s.step_id), ARRAY[]::text[]) AS steps, max(s.ended_at) AS at
                        FROM run_steps s WHERE s.run_id = r.id AND s.status = 'completed') p
    WHERE r.workflow_id = ${workflowId} ${inRange}`;
}

export const outcomeShare = (part: number, whole: number) => (whole === 0 ? null : part / whole);

/** An events row received in the range (events_received), or any when there is none. */
export const receivedIn = (range: OutcomeRange | undefined) =>
  range ? sql`AND received_at >= ${range.from} AND received_at < ${range.to}` : sql``;

/**
 * The runs of a business pack with the steps they completed, for the outcome reads in
 * pack-outcomes.ts and pack-outcomes-goods.ts (see there for what a range counts).
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.ts';
import { RunStatus } from './tables.ts';

export type Db = Kysely<Database>;
export type Num = number | string | bigint;

export interface OutcomeRange {
  from: Date;
  to: Date;
}

/**
 * The runs of one workflow with the step ids they completed (`p.steps`) and when the last
 * ended (`p.at`), as `r` and `p` for the caller's select list. A checkpoint sets a run's
 * updated_at to its step's ended_at, so a run last touched before the range starts reached no
 * outcome in it: runs_status (status, updated_at), walked for every status from the range's
 * start, passes it over before its steps are read.
 */
export function runsWithSteps(
  workflowId: string,
  range: OutcomeRange | undefined,
): RawBuilder<unknown> {
  const inRange = range
    ? sql`AND r.status = ANY(${Object.values(RunStatus)}::text[]) AND r.updated_at >= ${range.from} AND p.at >= ${range.from} AND p.at < ${range.to}`
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

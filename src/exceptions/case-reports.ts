import { caseAging, caseGroups } from '../store/index.ts';
import { groupKey, HOUR_MS, type CaseStatus } from './model.ts';
import { checkedFilter, type CaseFilter, type Db } from './queries.ts';

/** The queue's read-only reports: case aging and root-cause groups. */

/**
 * Open cases counted for an aging report: by owner team (null: unassigned), by age bucket
 * (`ageBoundariesHours` [4, 24, 72] gives four: under 4 h, 4-24 h, 1-3 d, over 3 d) and
 * how many are past their SLA. Read-only.
 */
export async function caseAgingReport(
  db: Db,
  now: Date,
  filter: Pick<CaseFilter, 'severity' | 'owner' | 'type' | 'workflowId'>,
  ageBoundariesHours: number[],
): Promise<{
  total: number;
  breached: number;
  byTeam: { team: string | null; count: number }[];
  byAge: number[];
}> {
  const rows = await caseAging(
    db,
    checkedFilter({ ...filter, status: 'open' }),
    now,
    ageBoundariesHours.map((h) => h * HOUR_MS),
  );
  const byAge = Array.from({ length: ageBoundariesHours.length + 1 }, () => 0);
  const teams = new Map<string | null, number>();
  let total = 0;
  let breached = 0;
  for (const r of rows) {
    const n = Number(r.count);
    total += n;
    if (r.breached) breached += n;
    byAge[Number(r.bucket)] = (byAge[Number(r.bucket)] ?? 0) + n;
    teams.set(r.team, (teams.get(r.team) ?? 0) + n);
  }
  const byTeam = [...teams]
    .map(([team, count]) => ({ team, count }))
    .sort((a, b) => b.count - a.count || String(a.team).localeCompare(String(b.team)));
  return { total, breached, byTeam, byAge };
}

/** Root causes: cases of one status grouped by workflow, step and error code, biggest first. */
export async function rootCauseGroups(db: Db, status: CaseStatus) {
  const rows = await caseGroups(db, status);
  return rows.map((g) => ({
    key: groupKey(g.workflow_id, g.step_id, g.error_code),
    workflowId: g.workflow_id,
    stepId: g.step_id,
    errorCode: g.error_code,
    count: Number(g.count),
    retryable: Number(g.retryable),
    oldestOpenedAt: new Date(g.oldest).toISOString(),
    sampleMessage: g.sample,
  }));
}

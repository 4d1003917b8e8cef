import { z } from 'zod';
import { CrossdockError } from '../errors/index.ts';
import { SEVERITIES, type CaseView, type ExceptionsService } from '../exceptions/index.ts';
import { dynamic, type StepType } from '../workflows/index.ts';

const HOUR_MS = 3_600_000;
const iso = dynamic(z.iso.datetime({ offset: true }));

/** The age buckets of the aging report, and where they split (hours). */
export const AGE_BUCKETS = ['<4h', '4-24h', '1-3d', '>3d'] as const;
const AGE_BOUNDARIES_HOURS = [4, 24, 72];

export const OverdueExceptionsConfig = z.strictObject({
  severity: dynamic(z.enum(SEVERITIES)).optional(),
  /** An owner team, or `none` for unassigned cases. */
  team: dynamic(z.string().trim().min(1).max(100)).optional(),
  /** Cases listed (in `cases` and `newlyBreached`); the counts count them all. */
  limit: dynamic(z.int().min(1).max(500)).optional(),
  /**
   * A window [`breached_since`, `breached_until`) (default until: now): `newlyBreached` lists
   * open cases whose deadline fell in it. Consecutive scans that pass consecutive windows
   * (from the previous slot to this one) list each breach once.
   */
  breached_since: iso.optional(),
  breached_until: iso.optional(),
});
export type OverdueExceptionsConfig = z.infer<typeof OverdueExceptionsConfig>;

/** One case as an alert shows it. */
export interface OverdueCase {
  id: string;
  title: string;
  type: string;
  severity: string;
  team: string | null;
  workflowId: string | null;
  runId: string | null;
  openedAt: string;
  dueAt: string | null;
  ageHours: number;
  /** Hours since the deadline passed, one decimal. */
  overdueHours: number;
}

const oneDecimal = (ms: number) => Math.round((ms / HOUR_MS) * 10) / 10;

function overdueCase(c: CaseView, now: Date): OverdueCase {
  return {
    id: c.id,
    title: c.title,
    type: c.type,
    severity: c.severity,
    team: c.owner.team,
    workflowId: c.workflowId,
    runId: c.runId,
    openedAt: c.openedAt,
    dueAt: c.dueAt,
    ageHours: oneDecimal(c.ageMs),
    overdueHours:
      c.dueAt === null ? 0 : Math.max(0, oneDecimal(now.getTime() - new Date(c.dueAt).getTime())),
  };
}

/**
 * `exceptions.overdue`: the open exception cases by age and team, the ones past their SLA,
 * and the ones whose SLA passed within a window. Read-only (sideEffect false).
 * Output `{ count, open, cases, byTeam, byAge, newlyBreached, newlyBreachedCount }`:
 * `count` open cases past their SLA (`cases` lists them, newest first), `open` all open
 * cases, `byTeam` and `byAge` count the open cases (`unassigned` for no team).
 */
export function overdueExceptionsStep(
  service: ExceptionsService | null,
): StepType<OverdueExceptionsConfig> {
  return {
    type: 'exceptions.overdue',
    description:
      'Counts open exception cases by age and team and lists those past their SLA (read-only)',
    config: OverdueExceptionsConfig as never,
    sideEffect: false,
    async execute(ctx, config) {
      if (!service)
        throw new CrossdockError(
          'EXCEPTIONS_UNAVAILABLE',
          'exceptions.overdue runs only in a Crossdock with a store',
          { category: 'bug', retryable: false },
        );
      const c = config as {
        severity?: (typeof SEVERITIES)[number];
        team?: string;
        limit?: number;
        breached_since?: string;
        breached_until?: string;
      };
      const now = ctx.now();
      const filter = {
        status: 'open' as const,
        ...(c.severity ? { severity: c.severity } : {}),
        ...(c.team ? { owner: c.team } : {}),
      };
      const limit = c.limit ?? 50;
      const aging = await service.aging(filter, AGE_BOUNDARIES_HOURS);
      const breached = await service.list({ ...filter, dueBefore: now, limit });
      const byAge = Object.fromEntries(AGE_BUCKETS.map((name, i) => [name, aging.byAge[i] ?? 0]));
      const byTeam = Object.fromEntries(aging.byTeam.map((t) => [t.team ?? 'unassigned', t.count]));
      let newlyBreached: OverdueCase[] = [];
      if (c.breached_since !== undefined) {
        const until = c.breached_until === undefined ? now : new Date(c.breached_until);
        const window = await service.list({
          ...filter,
          dueFrom: new Date(c.breached_since),
          dueBefore: until,
          limit,
        });
        newlyBreached = window.cases.map((k) => overdueCase(k, now));
      }
      return {
        kind: 'done',
        output: {
          count: aging.breached,
          open: aging.total,
          cases: breached.cases.map((k) => overdueCase(k, now)),
          byTeam,
          byAge,
          newlyBreached,
          newlyBreachedCount: newlyBreached.length,
        },
      };
    },
  };
}
